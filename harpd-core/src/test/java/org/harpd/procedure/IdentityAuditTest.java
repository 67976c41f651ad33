package org.harpd.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.posix.GroupEntry;
import org.harpd.posix.UserEntry;
import org.harpd.procedure.IdentityAudit.Finding;
import org.harpd.procedure.IdentityAudit.Severity;
import org.junit.jupiter.api.Test;

class IdentityAuditTest {
    /** nobody (65534, group 65534), operator (11, primary group 0: as on some systems), root; groups nogroup, adm. */
    private final List<String> lookups = new ArrayList<>();
    private final IdentityAudit.Directory directory = new IdentityAudit.Directory() {
        private final Map<String, UserEntry> users = Map.of("nobody", new UserEntry("nobody", 65534, 65534),
                "operator", new UserEntry("operator", 11, 0), "root", new UserEntry("root", 0, 0));
        private final Map<String, GroupEntry> groups = Map.of("nogroup", new GroupEntry("nogroup", 65534),
                "adm", new GroupEntry("adm", 4));

        @Override
        public Optional<UserEntry> user(String name) {
            lookups.add("user " + name);
            if (name.equals("ldap-down")) {
                throw new IllegalStateException("connection refused");
            }
            return Optional.ofNullable(users.get(name));
        }

        @Override
        public Optional<GroupEntry> group(String name) {
            lookups.add("group " + name);
            return Optional.ofNullable(groups.get(name));
        }
    };

    private static ProcedureInfo proc(String name, IdRef user, IdRef... groups) {
        return new ProcedureInfo(name, false, Signature.permissive(), Duration.ofSeconds(1), user, List.of(groups));
    }

    private List<Finding> audit(IdRef defaultUser, IdRef defaultGroup, ProcedureInfo... procedures) {
        return IdentityAudit.audit(List.of(procedures), defaultUser, defaultGroup, directory);
    }

    @Test
    void explicitIdentitiesAreQuiet() {
        assertEquals(List.of(), audit(null, null,
                proc("named", IdRef.ofName("nobody")),
                proc("numeric_with_group", IdRef.ofId(65534), IdRef.ofName("nogroup")),
                proc("root_by_name", IdRef.ofName("root")),
                proc("root_by_number", IdRef.ofId(0)),
                proc("groups_only_named_user", IdRef.ofName("nobody"), IdRef.ofId(0))));
    }

    @Test
    void noUidRunsAsRoot() {
        assertEquals(List.of(new Finding(Severity.WARNING, "p",
                "runs as root (uid 0, gid 0): it names no uid and harpd was started without -u")), audit(null, null, proc("p", null)));
        assertEquals(List.of(new Finding(Severity.WARNING, "p",
                "runs as root (uid 0): it names no uid and harpd was started without -u")),
                audit(null, null, proc("p", null, IdRef.ofName("adm"))));
    }

    @Test
    void numericUidAloneKeepsGidZero() {
        assertEquals(List.of(new Finding(Severity.WARNING, "p", "runs with gid 0 (root's group): a numeric uid (uid=65534)"
                + " without a gid changes only the uid; name a gid")), audit(null, null, proc("p", IdRef.ofId(65534))));
        assertEquals(List.of(new Finding(Severity.WARNING, "p", "runs with gid 0 (root's group): a numeric uid (-u 65534)"
                + " without a gid changes only the uid; name a gid or start harpd with -g")),
                audit(IdRef.ofId(65534), null, proc("p", null)));
        assertEquals(List.of(), audit(IdRef.ofId(65534), IdRef.ofName("nogroup"), proc("p", null)));
    }

    @Test
    void aUserWhosePrimaryGroupIsRootsIsReported() {
        assertEquals(List.of(new Finding(Severity.WARNING, "p", "runs with gid 0 (root's group): it is the primary group"
                + " of user 'operator' (uid=); name a gid")), audit(null, null, proc("p", IdRef.ofName("operator"))));
    }

    @Test
    void unknownNamesAreErrorsNamingTheProcedureOrOption() {
        assertEquals(List.of(
                new Finding(Severity.ERROR, "a", "unknown user 'nobdy' (uid=)"),
                new Finding(Severity.ERROR, "b", "unknown group 'nogrp' (gid=)"),
                new Finding(Severity.ERROR, "c", "cannot look up user 'ldap-down' (uid=): connection refused"),
                new Finding(Severity.ERROR, null, "unknown user 'nbody' (-u), which procedures d, e run as"),
                new Finding(Severity.ERROR, null, "unknown group 'ngroup' (-g), which procedure d runs with")),
                audit(IdRef.ofName("nbody"), IdRef.ofName("ngroup"),
                        proc("a", IdRef.ofName("nobdy"), IdRef.ofName("adm")),
                        proc("b", IdRef.ofName("nobody"), IdRef.ofName("adm"), IdRef.ofName("nogrp")),
                        proc("c", IdRef.ofName("ldap-down"), IdRef.ofName("adm")),
                        proc("d", null),
                        proc("e", null, IdRef.ofName("adm"))));
    }

    @Test
    void eachNameIsLookedUpOnce() {
        audit(IdRef.ofName("nobody"), null, proc("a", IdRef.ofName("nobody")), proc("b", null), proc("c", null));
        assertEquals(List.of("user nobody"), lookups);
    }
}
