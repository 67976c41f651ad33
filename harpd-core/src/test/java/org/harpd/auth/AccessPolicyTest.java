package org.harpd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.config.AuthorizationConfig;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private static final AuthorizationConfig RULES = new AuthorizationConfig(true,
            Map.of("alice", List.of("status")), Map.of("ops", List.of("re*")));

    /** A module with groups and, optionally, its own verdict; records what it was asked. */
    private static final class Module implements Authenticator {
        final List<String> asked = new ArrayList<>();
        final Boolean verdict;

        Module(Boolean verdict) {
            this.verdict = verdict;
        }

        @Override
        public boolean authenticate(String user, String password) {
            return true;
        }

        @Override
        public Collection<String> groups(String user) {
            asked.add("groups " + user);
            return "bob".equals(user) ? List.of("ops") : List.of();
        }

        @Override
        public Optional<Boolean> authorize(String user, String procedure) {
            asked.add("authorize " + user + " " + procedure);
            return Optional.ofNullable(verdict);
        }
    }

    @Test
    void withoutSectionOrVerdictEveryoneMayCallEverything() {
        assertTrue(AccessPolicy.ALLOW_ALL.allows("anyone", "anything"));
        assertTrue(new AccessPolicy(AuthorizationConfig.ABSENT, new Module(null)).allows("anyone", "anything"));
        assertTrue(new AccessPolicy(AuthorizationConfig.ABSENT, (u, p) -> true).allows("anyone", "anything"));
    }

    @Test
    void sectionGrantsByUserAndByTheModulesGroups() {
        Module module = new Module(null);
        AccessPolicy policy = new AccessPolicy(RULES, module);
        assertTrue(policy.allows("alice", "status"));
        assertFalse(policy.allows("alice", "reboot"));
        assertTrue(policy.allows("bob", "reboot"));
        assertFalse(policy.allows("bob", "status"));
        assertTrue(module.asked.contains("groups bob"));
    }

    @Test
    void groupsAreNotAskedWhenTheSectionNamesNone() {
        Module module = new Module(null);
        new AccessPolicy(new AuthorizationConfig(true, Map.of("alice", List.of("*")), Map.of()), module)
                .allows("alice", "status");
        assertEquals(List.of("authorize alice status"), module.asked);
    }

    @Test
    void theModulesVerdictComesFirst() {
        assertFalse(new AccessPolicy(RULES, new Module(false)).allows("alice", "status"));
        assertTrue(new AccessPolicy(RULES, new Module(true)).allows("carol", "anything"));
        assertFalse(new AccessPolicy(AuthorizationConfig.ABSENT, new Module(false)).allows("alice", "status"));
    }

    @Test
    void aFailingModuleRefuses() {
        Authenticator broken = new Authenticator() {
            @Override
            public boolean authenticate(String user, String password) {
                return true;
            }

            @Override
            public Optional<Boolean> authorize(String user, String procedure) {
                throw new IllegalStateException("broken");
            }
        };
        assertFalse(new AccessPolicy(AuthorizationConfig.ABSENT, broken).allows("alice", "status"));
    }

    @Test
    void refusalIsForbiddenNamingTheProcedure() {
        HarpError refusal = AccessPolicy.ALLOW_ALL.refuse("alice", "reboot", "127.0.0.1", 5000);
        assertEquals(ErrorType.FORBIDDEN, refusal.type());
        assertEquals("reboot", refusal.data().get("procedure").asText());
    }
}
