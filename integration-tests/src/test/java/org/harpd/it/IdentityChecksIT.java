package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What harpd tells about the identities procedures run as (-t and the start-up log), what a worker does with a
 * procedure edited since start-up, and arguments CPython 2 accepts that Java strings hold only loosely.
 */
class IdentityChecksIT {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            network:
              port: 4306
              certfile: cert.pem
              keyfile: key.pem
            authentication:
              module: harpd.auth.inconfig
              users: {test: "plain:secret"}
            """;

    /** Every way to run with root's uid or gid, said or not, and two names nobody has. */
    private static final String PROCEDURES = """
            from harpd.proc import procedure

            @procedure
            def no_uid(s):
                return [s, len(s)]

            @procedure(uid=65534)
            def numeric_uid():
                return 1

            @procedure(uid="nobody")
            def named_user():
                return 1

            @procedure(uid=65534, gid="nogroup")
            def numeric_with_group():
                return 1

            @procedure(uid="root")
            def root_by_name():
                return 1

            @procedure(uid=0)
            def root_by_number():
                return 1
            """;

    private static final String MISSPELT = """

            @procedure(uid="nobdy")
            def misspelt_user():
                return 1

            @procedure(uid="nobody", gid=["nogroup", "nogrp"])
            def misspelt_group():
                return 1
            """;

    private Launcher.Outcome test(String procedures, String... extra) throws Exception {
        Daemon.writeCertificate(dir);
        Files.writeString(dir.resolve("harpd.conf"), CONFIG);
        Files.writeString(dir.resolve("harpd.py"), procedures);
        List<String> args = new java.util.ArrayList<>(List.of("-t", "-c", dir.resolve("harpd.conf").toString(),
                "-r", dir.resolve("harpd.py").toString()));
        args.addAll(List.of(extra));
        return Launcher.run(args);
    }

    @Test
    void testWarnsOfEveryProcedureKeepingRootWithoutSayingSo() throws Exception {
        Launcher.Outcome outcome = test(PROCEDURES);
        String file = dir.resolve("harpd.py").toString();
        assertEquals(List.of(
                file + ": procedure no_uid: warning: runs as root (uid 0, gid 0): it names no uid and harpd was"
                        + " started without -u",
                file + ": procedure numeric_uid: warning: runs with gid 0 (root's group): a numeric uid (uid=65534)"
                        + " without a gid changes only the uid; name a gid",
                "isolation: interpreter",
                "config OK"), outcome.stderrLines());
        assertEquals(0, outcome.exitCode());
    }

    @Test
    void testWarnsOfANumericDefaultUserWithoutADefaultGroup() throws Exception {
        Launcher.Outcome outcome = test(PROCEDURES, "-u", "65534");
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        List<String> warnings = outcome.stderrLines().stream().filter(l -> l.contains("warning:")).toList();
        assertEquals(2, warnings.size(), outcome.stderr());
        assertTrue(warnings.get(0).contains("procedure no_uid: warning: runs with gid 0 (root's group): a numeric uid"
                + " (-u 65534) without a gid changes only the uid; name a gid or start harpd with -g"), warnings.get(0));
        assertTrue(warnings.get(1).contains("procedure numeric_uid: warning: runs with gid 0"), warnings.get(1));
        // -g applies, field by field, to every procedure naming no gid
        Launcher.Outcome withGroup = test(PROCEDURES, "-u", "65534", "-g", "nogroup");
        assertEquals(List.of("isolation: interpreter", "config OK"), withGroup.stderrLines());
    }

    @Test
    void testFailsNamingEveryUnknownUserAndGroupAndItsProcedure() throws Exception {
        Launcher.Outcome outcome = test(PROCEDURES + MISSPELT);
        assertEquals(1, outcome.exitCode(), outcome.stderr());
        String file = dir.resolve("harpd.py").toString();
        List<String> lines = outcome.stderrLines();
        assertTrue(lines.contains(file + ": procedure misspelt_user: unknown user 'nobdy' (uid=)"), outcome.stderr());
        assertTrue(lines.contains(file + ": procedure misspelt_group: unknown group 'nogrp' (gid=)"), outcome.stderr());
        assertFalse(lines.contains("config OK"), outcome.stderr());
    }

    @Test
    void testFailsForAnUnknownDefaultUserNamingTheProceduresItApplies() throws Exception {
        Launcher.Outcome outcome = test(PROCEDURES, "-u", "nobdy");
        assertEquals(1, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderrLines().contains("unknown user 'nobdy' (-u), which procedure no_uid runs as"),
                outcome.stderr());
        assertFalse(outcome.stderr().contains("config OK"), outcome.stderr());
    }

    /**
     * Start-up logs the same findings (one line per procedure) and starts anyway, as harpd(8) did: an unknown
     * name fails only the calls of its procedure.
     */
    @Test
    void startUpLogsTheFindings() throws Exception {
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES + MISSPELT).start()) {
            List<String> log = daemon.log();
            assertOneLine(log, "procedure runs with root's privileges", "\"procedure\": \"no_uid\"",
                    "runs as root (uid 0, gid 0)");
            assertOneLine(log, "procedure runs with root's privileges", "\"procedure\": \"numeric_uid\"",
                    "runs with gid 0 (root's group)");
            assertOneLine(log, "unknown user or group: calls will fail", "\"procedure\": \"misspelt_user\"", "unknown user 'nobdy'");
            assertOneLine(log, "unknown user or group: calls will fail", "\"procedure\": \"misspelt_group\"", "unknown group 'nogrp'");
            for (String quiet : List.of("named_user", "numeric_with_group", "root_by_name", "root_by_number")) {
                assertTrue(log.stream().noneMatch(l -> l.contains("\"procedure\": \"" + quiet + "\"")), quiet + ": " + log);
            }
        }
    }

    @Test
    void unpairedSurrogatesReachTheProcedureAndComeBackAsCPythonGivesThem() throws Exception {
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).start()) {
            // CPython 2's json gives u'\ud800x' (len 2 in a wide build) and writes it back as "\ud800x"
            List<String> lines = Wire.exchange(daemon.port(), Wire.request("no_uid", "[\"\\ud800x\"]"));
            assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}", "{\"result\": [\"\\ud800x\", 2]}"), lines);
            lines = Wire.exchange(daemon.port(), Wire.request("no_uid", "{\"s\": \"\\udc00\"}"));
            assertEquals("{\"result\": [\"\\udc00\", 1]}", lines.get(lines.size() - 1));
            // a valid pair is still one character
            lines = Wire.exchange(daemon.port(), Wire.request("no_uid", "[\"\\ud83d\\ude00\"]"));
            assertEquals("{\"result\": [\"\\ud83d\\ude00\", 1]}", lines.get(lines.size() - 1));
        }
    }

    private static void assertOneLine(List<String> log, String message, String procedure, String problem) {
        List<String> matching = log.stream()
                .filter(l -> l.contains("\"message\": \"" + message + "\"") && l.contains(procedure)).toList();
        assertEquals(1, matching.size(), message + " " + procedure + ": " + String.join("\n", log));
        assertTrue(matching.get(0).contains(problem), matching.get(0));
    }

    /**
     * A worker loads the procedures file when it boots; the listener read it at start-up and picks the identity.
     * A procedure whose uid was edited since is refused by workers that loaded the new text, with
     * procedure_loading_error and a log line asking for a restart; the unedited one keeps working.
     */
    @Test
    void procedureEditedSinceStartUpIsRefusedByNewWorkers() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "running procedures as nobody/daemon needs root; run the suite as root to cover it");
        String before = """
                from harpd.proc import procedure
                import os

                @procedure(uid="nobody")
                def edited():
                    return os.getuid()

                @procedure(uid="nobody")
                def unedited():
                    return os.getuid()
                """;
        try (Daemon daemon = Daemon.builder().procedures(before).config("workers: {spare: 1}\n").start()) {
            assertEquals(65534, result(daemon, "edited").asInt());
            Files.writeString(daemon.dir().resolve("harpd.py"), before.replaceFirst("uid=\"nobody\"", "uid=\"daemon\""));
            // every worker from now on loads the edited file
            for (ProcessHandle worker : daemon.workers()) {
                worker.destroyForcibly();
                worker.onExit().get(30, TimeUnit.SECONDS);
            }

            List<String> lines = Wire.exchange(daemon.port(), Wire.request("edited", "[]"));
            JsonNode last = Wire.parse(lines.get(lines.size() - 1));
            assertEquals("procedure_loading_error", last.at("/error/type").asText(), lines.toString());
            assertEquals("edited", last.at("/error/data/procedure").asText(), lines.toString());
            assertEquals(65534, result(daemon, "unedited").asInt());
            String logged = daemon.awaitLog(l -> l.contains("restart harpd"), Duration.ofSeconds(10));
            assertTrue(logged.contains("\"procedure\": \"edited\"") && logged.contains("uid: 'nobody' at start-up,"
                    + " 'daemon' now"), logged);
        }
    }

    private static JsonNode result(Daemon daemon, String procedure) throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request(procedure, "[]"));
        JsonNode last = Wire.parse(lines.get(lines.size() - 1));
        assertTrue(last.has("result"), procedure + ": " + lines);
        return last.get("result");
    }
}
