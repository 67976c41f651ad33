package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.harpd.client.CallResult;
import org.harpd.client.HarpClient;
import org.harpd.client.RemoteError;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What harpd adds for operators, on one daemon: per-procedure authorization (two users with different rights),
 * discovery, and the caller's identity in every isolation level.
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
            def whoami_process():
                return _me()

            @procedure
            def whoami_interpreter():
                return _me()

            @procedure
            def boom():
                raise ValueError("boom")

            @procedure(timeout=30)
            def touch(path, mode="w"):
                \"""Creates an empty file.

                Or empties one.
                \"""
                open(path, mode).close()
                return True
            """;
    private static final String CONFIG = """
            workers:
              isolation: shared
              procedure_isolation:
                whoami_process: process
                whoami_interpreter: interpreter
            development:
              tracebacks: true
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

    @Test
    void testModeRejectsAnAuthorizationNamingNoProcedure() throws Exception {
        Path conf = dir.resolve("misspelt.conf");
        Files.writeString(conf, Files.readString(dir.resolve("harpd.conf")).replace("test: \"*\"", "test: [tuoch]"));
        Launcher.Outcome outcome = Launcher.run("-t", "-c", conf.toString(), "-r", dir.resolve("harpd.py").toString());
        assertEquals(1, outcome.exitCode());
        String expected = conf + ": authorization.users.test[0]: tuoch: no procedure of that name in "
                + dir.resolve("harpd.py");
        assertTrue(outcome.stderr().lines().anyMatch(expected::equals), outcome.stderr());
    }

    /** Switched on here; the exact exception replies of the protocol tests show it off by default. */
    @Test
    void theTracebackComesWithTheExceptionWhenSwitchedOn() {
        CallResult result = daemon.client().build().callRaw("boom", Json.MAPPER.createArrayNode());
        JsonNode exception = result.last().path("exception");
        assertEquals("ValueError", exception.path("type").asText());
        String traceback = exception.path("data").path("traceback").asText();
        assertTrue(traceback.startsWith("Traceback (most recent call last):\n"), traceback);
        assertTrue(traceback.contains("line 22, in boom\n"), traceback);
        assertTrue(traceback.endsWith("ValueError: boom\n"), traceback);
        assertEquals(List.of("class", "module", "traceback"), List.copyOf(exception.path("data").properties().stream()
                .map(java.util.Map.Entry::getKey).toList()));
    }

    private static List<String> names(List<JsonNode> descriptions) {
        return descriptions.stream().map(d -> d.path("name").asText()).toList();
    }

    @Test
    void discoveryListsExactlyWhatEachUserMayCall() {
        HarpClient test = daemon.client().build();
        assertEquals(List.of("boom", "touch", "whoami", "whoami_interpreter", "whoami_process"),
                names(test.procedures()));
        assertEquals(List.of("whoami", "whoami_interpreter", "whoami_process"), names(bob().procedures()));
        JsonNode touch = test.describe("touch");
        assertEquals("{\"defaults\": 1, \"doc\": \"Creates an empty file.\\n\\nOr empties one.\", \"gid\": [], "
                + "\"kind\": \"plain\", \"name\": \"touch\", \"parameters\": [\"path\", \"mode\"], "
                + "\"signature\": \"touch(path, mode=...)\", \"timeout\": 30.0, \"uid\": null, \"varargs\": null, "
                + "\"varkw\": null}", Json.toString(touch));
        RemoteError hidden = assertThrows(RemoteError.class, () -> bob().describe("touch"));
        assertEquals("no_such_procedure", hidden.type());
    }

    /**
     * bob may call these through the group his module gives him. The three calls go at once: each level needs a
     * worker of its own, and their JVMs start side by side.
     */
    @Test
    void theCallerIsKnownInEveryIsolationLevelWithAnIdOfItsOwnPerCall() throws Exception {
        List<String> procedures = List.of("whoami", "whoami_interpreter", "whoami_process");
        List<CompletableFuture<JsonNode>> calls = procedures.stream()
                .map(p -> CompletableFuture.supplyAsync(() -> bob().call(p))).toList();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < procedures.size(); i++) {
            JsonNode me = calls.get(i).get();
            String procedure = procedures.get(i);
            assertEquals("bob", me.path("user").asText(), procedure);
            assertEquals("127.0.0.1", me.path("address").asText(), procedure);
            assertTrue(me.path("port").asInt() > 0, procedure);
            assertTrue(me.path("id").asText().matches("[0-9a-f]{16}"), me.toString());
            ids.add(me.path("id").asText());
        }
        assertEquals(3, ids.size(), "a new id per call: " + ids);
    }
}
