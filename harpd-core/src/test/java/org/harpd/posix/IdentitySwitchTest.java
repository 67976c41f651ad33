package org.harpd.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Switches that leave this (test) process as it is; the resolution of names is IdentityResolverTest's. */
class IdentitySwitchTest {
    @Test
    void warmUpChangesNoCredential() {
        int[] groups = Posix.getgroups();
        Arrays.sort(groups);
        List<Integer> before = List.of(Posix.getuid(), Posix.geteuid(), Posix.getgid(), Posix.getegid());

        IdentitySwitch.warmUp();

        int[] groupsAfter = Posix.getgroups();
        Arrays.sort(groupsAfter);
        assertEquals(before, List.of(Posix.getuid(), Posix.geteuid(), Posix.getgid(), Posix.getegid()));
        assertEquals(Arrays.toString(groups), Arrays.toString(groupsAfter));
    }

    @Test
    void unchangedAndCurrentIdentitiesAreNoOps() throws Exception {
        int uid = Posix.getuid();
        int gid = Posix.getgid();
        IdentitySwitch.apply(ResolvedIdentity.UNCHANGED);
        IdentitySwitch.apply(new ResolvedIdentity(uid, null, null));
        assertEquals(uid, Posix.geteuid());
        assertEquals(gid, Posix.getegid());
    }
}
