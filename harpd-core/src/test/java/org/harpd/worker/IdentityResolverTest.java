package org.harpd.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.harpd.posix.IdentitySwitchException;
import org.harpd.posix.Posix;
import org.harpd.posix.ResolvedIdentity;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.junit.jupiter.api.Test;

/** Resolution rules, and switches that leave this (test) process as it is. */
class IdentityResolverTest {
    @Test
    void userNameWithoutGroupsResolvesToItsPrimaryGroup() throws Exception {
        ResolvedIdentity nobody = IdentityResolver.resolve(new Identity(IdRef.ofName("nobody"), List.of()));
        assertEquals(65534, nobody.uid());
        assertEquals(65534, nobody.gid());
        assertEquals(List.of(65534), nobody.groups());
    }

    @Test
    void numericUserAloneChangesOnlyTheUid() throws Exception {
        ResolvedIdentity target = IdentityResolver.resolve(new Identity(IdRef.ofId(1234), List.of()));
        assertEquals(1234, target.uid());
        assertNull(target.gid());
        assertNull(target.groups());
    }

    @Test
    void firstGroupIsPrimaryAndAllAreSupplementary() throws Exception {
        ResolvedIdentity target = IdentityResolver.resolve(new Identity(IdRef.ofName("nobody"),
                List.of(IdRef.ofName("nogroup"), IdRef.ofId(100), IdRef.ofId(65534))));
        assertEquals(65534, target.gid());
        assertEquals(List.of(65534, 100), target.groups());
    }

    @Test
    void unknownNamesAreClearErrors() {
        IdentitySwitchException user = assertThrows(IdentitySwitchException.class,
                () -> IdentityResolver.resolve(new Identity(IdRef.ofName("no-such-user-harpd"), List.of())));
        assertEquals("unknown user 'no-such-user-harpd'", user.getMessage());
        IdentitySwitchException group = assertThrows(IdentitySwitchException.class,
                () -> IdentityResolver.resolve(new Identity(null, List.of(IdRef.ofName("no-such-group-harpd")))));
        assertEquals("unknown group 'no-such-group-harpd'", group.getMessage());
    }

    @Test
    void outOfRangeIdIsRefused() {
        assertThrows(IdentitySwitchException.class,
                () -> IdentityResolver.resolve(new Identity(IdRef.ofId(1L << 32), List.of())));
    }

    @Test
    void unchangedAndCurrentIdentitiesAreNoOps() throws Exception {
        int uid = Posix.getuid();
        int gid = Posix.getgid();
        assertTrue(IdentityResolver.switchTo(Identity.UNCHANGED).isUnchanged());
        IdentityResolver.switchTo(new Identity(IdRef.ofId(uid), List.of()));
        assertEquals(uid, Posix.geteuid());
        assertEquals(gid, Posix.getegid());
    }
}
