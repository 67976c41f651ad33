package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.harpd.client.CallResult;
import org.harpd.client.HarpClient;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What harpd adds for operators, on one daemon: per-procedure authorization (two users with different rights) and
 * the caller's identity in every isolation level.
 */
class OperatorFeaturesIT {
    private static final String PROCEDURES = """
            from harpd.proc import procedure, caller
            import os

            def _me():
                c = caller()
                return {"user": c.user, "address": c.address, "port": c.port, "id": c.id, "pid": os.getpid()}

            @procedure
            def whoami():
                return _me()

            @procedure
            def whoami_shared():
                return _me()

            @procedure
            def whoami_interpreter():
                return _me()

            @procedure
            def touch(path):
                open(path, "w").close()
                return True
            """;
    private static final String CONFIG = """
            workers:
              isolation: process
              procedure_isolation:
                whoami_shared: shared
                whoami_interpreter: interpreter
            authorization:
              users:
                test: "*"
              groups:
                readers: "whoami*"
            """;
    private static final String AUTHENTICATION = """
            authentication:
              module: groupauth
              users:
                test: "plain:secret"
                bob: "plain:bobs"
            """;
    /** harpd.auth.inconfig with the optional groups(user): bob reads. */
    private static final String GROUP_AUTH_MODULE = """
            from harpd.auth import inconfig

            class _WithGroups(object):
                def __init__(self, db):
                    self.db = db
                def authenticate(self, user, password):
                    return self.db.authenticate(user, password)
                def groups(self, user):
                    return ["readers"] if user == "bob" else []

            def create(config):
                return _WithGroups(inconfig.create(config))
            """;

    private static Daemon daemon;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("harpd-it-operator");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("groupauth.py"), GROUP_AUTH_MODULE);
        daemon = Daemon.builder().dir(dir).procedures(PROCEDURES).authentication(AUTHENTICATION)
                .config("python:\n  path: [\"" + dir + "\"]\n" + CONFIG).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static HarpClient bob() {
        return daemon.client("bob", "bobs").build();
    }

    @Test
    void aRefusedCallIsForbiddenLoggedAndNeverReachesAWorker() throws Exception {
        Path marker = dir.resolve("touched-by-bob");
        CallResult refused = bob().callRaw("touch", Json.MAPPER.createArrayNode().add(marker.toString()));
        assertEquals(List.of("{\"error\": {\"data\": {\"procedure\": \"touch\"}, \"message\": "
                + "\"not authorized to call this procedure\", \"type\": \"forbidden\"}, \"harp\": 1}"), refused.lines());
        String line = daemon.awaitLog(l -> l.contains("call refused: not authorized"), Duration.ofSeconds(30));
        assertTrue(line.contains("bob") && line.contains("touch") && line.contains("127.0.0.1"), line);
        assertFalse(Files.exists(marker));
        assertTrue(daemon.log().stream().noneMatch(l -> l.contains("calling procedure") && l.contains("\"bob\"")
                && l.contains("touch")), "the call reached the pool");

        Path allowed = dir.resolve("touched-by-test");
        assertEquals(true, daemon.client().build().call("touch", allowed.toString()).asBoolean());
        assertTrue(Files.exists(allowed));
    }

    /** bob may call these through the group his module gives him. */
    @Test
    void theCallerIsKnownInEveryIsolationLevelWithAnIdOfItsOwnPerCall() {
        Set<String> ids = new HashSet<>();
        for (String procedure : List.of("whoami", "whoami_interpreter", "whoami_shared", "whoami_shared")) {
            JsonNode me = bob().call(procedure);
            assertEquals("bob", me.path("user").asText(), procedure);
            assertEquals("127.0.0.1", me.path("address").asText(), procedure);
            assertTrue(me.path("port").asInt() > 0, procedure);
            assertTrue(me.path("id").asText().matches("[0-9a-f]{16}"), me.toString());
            ids.add(me.path("id").asText());
        }
        assertEquals(4, ids.size(), "a new id per call: " + ids);
    }
}
