package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** harpd(8)'s command line, and -t as the reference describes it. */
class CommandLineIT {
    @TempDir
    Path dir;

    private Launcher.Outcome test(String config, String procedures) throws Exception {
        Daemon.writeCertificate(dir);
        Files.writeString(dir.resolve("harpd.conf"), config);
        Files.writeString(dir.resolve("harpd.py"), procedures);
        return Launcher.run("-t", "-c", dir.resolve("harpd.conf").toString(), "-r", dir.resolve("harpd.py").toString());
    }

    private static final String GOOD_CONFIG = """
            network:
              port: 4306
              certfile: cert.pem
              keyfile: key.pem
            authentication:
              module: harpd.auth.inconfig
              users: {test: "plain:secret"}
            """;
    private static final String GOOD_PROCEDURES = "from harpd.proc import procedure\n@procedure(uid=\"nobody\")\ndef f():\n    return 1\n";

    @Test
    void goodConfigurationPrintsConfigOk() throws Exception {
        Launcher.Outcome outcome = test(GOOD_CONFIG, GOOD_PROCEDURES);
        assertEquals("isolation: interpreter\nconfig OK", outcome.stderr(), "the default level, then the verdict");
        assertEquals(0, outcome.exitCode());
    }

    @Test
    void testSaysWhichIsolationLevelRuns() throws Exception {
        Launcher.Outcome outcome = test(GOOD_CONFIG + "workers: {isolation: process, procedure_isolation: {f: shared}}\n",
                GOOD_PROCEDURES);
        assertEquals("isolation: process (f: shared)\nconfig OK", outcome.stderr());
        assertEquals(0, outcome.exitCode());
    }

    @Test
    void longOptionsWorkToo() throws Exception {
        test(GOOD_CONFIG, GOOD_PROCEDURES);
        Launcher.Outcome outcome = Launcher.run("--test", "--config=" + dir.resolve("harpd.conf"),
                "--procedures", dir.resolve("harpd.py").toString(), "--default-user=nobody", "-g", "0");
        assertEquals("isolation: interpreter\nconfig OK", outcome.stderr());
        assertEquals(0, outcome.exitCode());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not a mapping     | - 1\\n- 2\\n                                                     | harpd.conf",
        "no network        | authentication: {module: harpd.auth.inconfig, users: {}}\\n     | network",
        "port not a number | network: {port: abc, certfile: cert.pem, keyfile: key.pem}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\n | network.port",
        "missing certfile  | network: {port: 1, certfile: nope.pem, keyfile: key.pem}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\n | network.certfile",
        "no auth module    | network: {port: 1, certfile: cert.pem, keyfile: key.pem}\\nauthentication: {users: {}}\\n | authentication.module",
        "unimportable auth | network: {port: 1, certfile: cert.pem, keyfile: key.pem}\\nauthentication: {module: no.such.module}\\n | no.such.module",
        "unknown key       | network: {port: 1, certfile: cert.pem, keyfile: key.pem, prot: 3}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\n | network.prot",
        "bad python.path   | network: {port: 1, certfile: cert.pem, keyfile: key.pem}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\npython: {path: 7}\\n | python.path",
        "YAML syntax       | network: [\\n                                                     | harpd.conf",
        "cipher suite not implemented | network: {port: 1, certfile: cert.pem, keyfile: key.pem, tls_ciphers: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA257]}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\n | network.tls_ciphers: not implemented by",
        "misspelt procedure isolation | network: {port: 1, certfile: cert.pem, keyfile: key.pem}\\nauthentication: {module: harpd.auth.inconfig, users: {}}\\nworkers: {procedure_isolation: {g: shared}}\\n | workers.procedure_isolation.g: no procedure of that name in",
    })
    void badConfigurationIsOneLineAndExit1(String name, String config, String mentions) throws Exception {
        Launcher.Outcome outcome = test(config.replace("\\n", "\n"), GOOD_PROCEDURES);
        assertEquals(1, outcome.exitCode(), outcome.stderr());
        assertEquals(1, outcome.stderrLines().size(), "one line: " + outcome.stderr());
        assertTrue(outcome.stderr().contains(mentions), outcome.stderr());
    }

    @Test
    void procedureSyntaxErrorNamesFileAndLine() throws Exception {
        Launcher.Outcome outcome = test(GOOD_CONFIG, "from harpd.proc import procedure\n\n@procedure\ndef f(:\n    pass\n");
        assertEquals(1, outcome.exitCode());
        assertEquals(1, outcome.stderrLines().size(), outcome.stderr());
        assertTrue(outcome.stderr().contains("harpd.py") && outcome.stderr().contains("line 4"), outcome.stderr());
    }

    @Test
    void procedureImportErrorNamesFileAndLine() throws Exception {
        Launcher.Outcome outcome = test(GOOD_CONFIG, "import os\nimport no_such_module_here\n");
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.stderr().contains("harpd.py") && outcome.stderr().contains("line 2")
                && outcome.stderr().contains("no_such_module_here"), outcome.stderr());
    }

    @Test
    void badLoggingFileIsReported() throws Exception {
        test(GOOD_CONFIG, GOOD_PROCEDURES);
        Path logging = dir.resolve("logging.yaml");
        Files.writeString(logging, "version: 1\nhandlers:\n  x:\n    class: logging.handlers.NoSuchHandler\n");
        Launcher.Outcome outcome = Launcher.run("-t", "-c", dir.resolve("harpd.conf").toString(),
                "-r", dir.resolve("harpd.py").toString(), "-l", logging.toString());
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.stderr().contains("logging.yaml") && outcome.stderr().contains("NoSuchHandler"), outcome.stderr());
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        Launcher.Outcome outcome = Launcher.run("--no-such-option");
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.stderr().contains("--no-such-option"), outcome.stderr());
    }

    @Test
    void helpListsEveryOption() throws Exception {
        Launcher.Outcome outcome = Launcher.run("--help");
        assertEquals(0, outcome.exitCode());
        for (String option : new String[] {"--config", "--procedures", "--logging", "--test", "--default-user",
                "--default-group", "--syslog", "--daemon", "--pidfile"}) {
            assertTrue(outcome.stdout().contains(option), option + " missing from --help");
        }
    }

    @Test
    void versionPrintsThePomVersion() throws Exception {
        String pomVersion = System.getProperty("harpd.version");
        assertNotNull(pomVersion, "system property harpd.version (the POM's version) is not set");
        Launcher.Outcome outcome = Launcher.run("--version");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.stdout().startsWith("harpd " + pomVersion + " (JVM, Jython "), outcome.stdout());
    }
}
