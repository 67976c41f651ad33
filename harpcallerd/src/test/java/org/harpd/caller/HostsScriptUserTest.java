package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.harpd.posix.Posix;
import org.harpd.posix.UserEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code host_db_script_user}: the user the hosts script runs as (its reading: {@link CallerConfigTest}). */
class HostsScriptUserTest {
    @TempDir
    Path dir;

    private static UserEntry nobody() {
        return Posix.user("nobody").orElseThrow(() -> new AssertionError("this machine has no user nobody"));
    }

    @Test
    void theScriptRunsAsTheConfiguredUser() throws Exception {
        Assumptions.assumeTrue(Posix.geteuid() == 0, "only root can run the script as another user");
        UserEntry nobody = nobody();
        // nobody must be able to reach and run the script; nobody must not be able to change it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = dir.resolve("hosts.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo \"{\\\"hostname\\\": \\\"h\\\", \\\"address\\\": \\\"127.0.0.1\\\", \\\"port\\\": 4000,"
                + " \\\"credentials\\\": {\\\"user\\\": \\\"$(id -u):$(id -g)\\\", \\\"password\\\": \\\"p\\\"}}\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        HostRegistry registry = new HostRegistry(dir.resolve("hosts.db"));
        CallerConfig.ScriptUser user = new CallerConfig.ScriptUser("nobody", nobody.uid(), nobody.gid());

        HostRegistry.Refresh r = registry.refresh(script, user, 30);

        assertTrue(r.ok(), String.valueOf(r.problem()));
        assertNotNull(registry.lookup("h"));
        assertEquals(nobody.uid() + ":" + nobody.gid(), registry.lookup("h").user());
        assertTrue(registry.refresh(script, null, 30).ok());
        assertEquals(Posix.geteuid() + ":" + Posix.getegid(), registry.lookup("h").user(),
                "without the key it runs as the dispatcher");
    }
}
