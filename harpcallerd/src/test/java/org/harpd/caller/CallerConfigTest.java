package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.harpd.config.ConfigException;
import org.harpd.posix.Posix;
import org.harpd.posix.UserEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerConfigTest {
    @TempDir
    Path dir;

    private CallerConfig load(String toml) throws Exception {
        Path file = dir.resolve("harpcaller.toml");
        Files.writeString(file, toml);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        return CallerConfig.load(file);
    }

    private String problem(String toml) {
        return assertThrows(ConfigException.class, () -> load(toml)).getMessage();
    }

    @Test
    void defaults() throws Exception {
        CallerConfig c = load("");
        assertEquals(1, c.listen().size());
        assertEquals("127.0.0.1", c.listen().get(0).address(), "loopback unless the operator says otherwise");
        assertEquals(3502, c.listen().get(0).port());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.STDERR), c.logHandlers());
        assertEquals(CallerConfig.Limits.DEFAULTS, c.limits());
        assertEquals(300, c.hostDbScriptTimeout());
        assertTrue(c.verifyHostname());
        assertFalse(c.clientAuthentication());
        assertEquals(600, c.defaultTimeout());
        assertEquals(600, c.maxExecTime());
        assertEquals(900, c.hostDbRefresh());
        assertNull(c.maxAgeHours());
        assertFalse(c.postgres());
        assertEquals("jdbc:sqlite:/var/lib/harpcaller/stream/jobs.sqlite", c.databaseUrl());
        assertTrue(c.warnings().isEmpty());
        assertTrue(c.syncEveryCommit(), "SQLite commits are synced unless the operator says otherwise");
    }

    @Test
    void originalFileWithErlangSectionLoadsWithOneWarning() throws Exception {
        CallerConfig c = load("""
                listen = ["127.0.0.1:3502", "[::1]:4000"]
                ca_file = "ca.pem"
                stream_directory = "/srv/harpcaller"
                default_timeout = 60
                max_exec_time = 120
                max_age = 24
                host_db_script = "/etc/harpcaller/hosts.sh"
                host_db = "/var/lib/harpcaller/hosts.db"
                host_db_refresh = 300
                log_handlers = ["syslog"]

                [erlang]
                node_name = "harpcallerd"
                cookie = "secret"
                distributed_immediate = false
                """);
        assertEquals("127.0.0.1", c.listen().get(0).address());
        assertEquals("::1", c.listen().get(1).address());
        assertEquals(4000, c.listen().get(1).port());
        assertEquals(dir.resolve("ca.pem"), c.caFile(), "relative to the file");
        assertEquals(24, c.maxAgeHours());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.SYSLOG), c.logHandlers());
        assertEquals("jdbc:sqlite:/srv/harpcaller/jobs.sqlite", c.databaseUrl());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("erlang"), c.warnings().toString());
    }

    @Test
    void theOriginalsHandlerNamesAndOurAliases() throws Exception {
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.SYSLOG),
                load("log_handlers = [\"harpcaller_syslog_h\"]\n").logHandlers());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.STDOUT, CallerConfig.LogHandler.SYSLOG),
                load("log_handlers = [\"harpcaller_stdout_h\", \"syslog\"]\n").logHandlers());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.STDOUT), load("log_handlers = [\"stdout\"]\n").logHandlers());
        assertTrue(load("log_handlers = []\n").logHandlers().isEmpty(), "none: no log, as the original");
    }

    @Test
    void theOriginalsExampleFileLoads() throws Exception {
        CallerConfig c = load("""
                listen = ["*:3502"]
                ca_file = "/etc/harpcaller/ca.pem"
                known_certs_file = "/etc/harpcaller/known_certs.pem"
                stream_directory = "/var/lib/harpcaller/stream"
                default_timeout = 600
                max_exec_time = 600
                host_db_script = "/etc/harpcaller/hosts.sh"
                host_db = "/var/lib/harpcaller/hosts.db"
                host_db_refresh = 900
                log_handlers = ["harpcaller_syslog_h"]

                [erlang]
                node_name = "harpcallerd"
                """);
        assertNull(c.listen().get(0).address());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.SYSLOG), c.logHandlers());
        assertEquals(org.harpd.config.MetricsConfig.ABSENT, c.metrics(), "no [metrics]: no endpoint");
    }

    @Test
    void aMetricsAddressInUseIsOneLineNamingFileAndKey() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             PrometheusCallerMetrics metrics = new PrometheusCallerMetrics()) {
            CallerConfig c = load("[metrics]\nlisten = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
            String problem = assertThrows(java.io.IOException.class, () -> Main.serveMetrics(metrics, c)).getMessage();
            assertTrue(problem.startsWith(dir.resolve("harpcaller.toml") + ": metrics.listen: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": "), problem);
            assertFalse(problem.contains("\n"), problem);
        }
    }

    @Test
    void metricsTable() throws Exception {
        assertEquals(org.harpd.config.MetricsConfig.ABSENT, load("").metrics());
        assertEquals(new org.harpd.config.MetricsConfig(true, "127.0.0.1", 9465), load("[metrics]\n").metrics(),
                "an empty table: loopback, harpd's port + 1");
        assertEquals(new org.harpd.config.MetricsConfig(true, "::1", 9100),
                load("[metrics]\nlisten = \"[::1]:9100\"\n").metrics());
        String file = dir.resolve("harpcaller.toml").toString();
        assertEquals(file + ": metrics.listen: expected a port number after the last ':', got \"localhost:x\"",
                problem("[metrics]\nlisten = \"localhost:x\"\n"));
        assertEquals(file + ": metrics.listen: expected a string", problem("[metrics]\nlisten = 9465\n"));
        assertEquals(file + ": metrics.port: unknown key", problem("[metrics]\nport = 9465\n"));
        assertEquals(file + ": metrics: expected a table", problem("metrics = true\n"));
    }

    @Test
    void startWarnsOfAnOpenPortAndUncheckedCertificates() throws Exception {
        java.util.function.Predicate<java.util.List<String>> open = w -> w.stream()
                .anyMatch(l -> l.contains("is reachable beyond this machine and no [[clients]] are configured"));
        assertTrue(open.test(Main.startupWarnings(load("listen = [\"*:3502\"]\n"))));
        assertTrue(open.test(Main.startupWarnings(load("listen = [\"127.0.0.1:3502\", \"192.0.2.1:3502\"]\n"))));
        assertFalse(open.test(Main.startupWarnings(load("listen = [\"127.0.0.1:3502\", \"[::1]:3502\"]\n"))));
        assertFalse(open.test(Main.startupWarnings(load("listen = [\"*:3502\"]\n[[clients]]\nname = \"a\"\n"
                + "addresses = [\"192.0.2.0/24\"]\n"))));
        assertTrue(Main.startupWarnings(load("")).stream().anyMatch(l -> l.contains("neither ca_file nor")));
        assertTrue(Main.startupWarnings(load("known_certs_file = \"k.pem\"\n")).isEmpty());
    }

    @Test
    void theShippedExampleLoads() throws Exception {
        CallerConfig c = CallerConfig.load(Path.of("../etc/harpcaller.toml.example").toAbsolutePath().normalize());
        assertEquals("127.0.0.1", c.listen().get(0).address());
        assertEquals(720, c.maxAgeHours());
        assertEquals(java.util.Set.of(CallerConfig.LogHandler.SYSLOG), c.logHandlers());
    }

    @Test
    void clientsAndLimits() throws Exception {
        CallerConfig c = load("""
                [limits]
                max_connections = 10
                request_timeout = 5
                max_job_bytes = 4096

                [[clients]]
                name = "web"
                addresses = ["10.0.0.0/8", "::1"]
                procedures = ["echo"]
                queues = [{name = "q"}]
                """);
        assertTrue(c.clientAuthentication());
        assertEquals(new CallerConfig.Limits(10, 5, 1024 * 1024, 64L * 1024 * 1024, 4096, 0), c.limits());
        CallerConfig.Client web = c.clients().get(0);
        assertEquals(java.util.Set.of("echo"), web.procedures());
        assertEquals(java.util.Set.of("{\"name\":\"q\"}"), web.queues());
        String file = dir.resolve("harpcaller.toml").toString();
        assertEquals(file + ": clients[0].addresses: \"10.0.0.0/33\": prefix length must be 0 to 32",
                problem("[[clients]]\nname = \"a\"\naddresses = [\"10.0.0.0/33\"]\n"));
        assertEquals(file + ": clients[0]: a client needs \"addresses\", a \"token\", or both",
                problem("[[clients]]\nname = \"a\"\n"));
        assertEquals(file + ": clients[0].token: expected at least 16 characters",
                problem("[[clients]]\nname = \"a\"\ntoken = \"short\"\n"));
        assertEquals(file + ": clients[1].name: \"a\" is used twice", problem("[[clients]]\nname = \"a\"\n"
                + "addresses = [\"::1\"]\n[[clients]]\nname = \"a\"\naddresses = [\"::1\"]\n"));
        assertEquals(file + ": limits.max_conections: unknown key", problem("[limits]\nmax_conections = 1\n"));
        assertEquals(file + ": limits.max_connections: expected a positive integer, got 0",
                problem("[limits]\nmax_connections = 0\n"));
        assertEquals(file + ": verify_hostname: expected true or false, got \"no\"", problem("verify_hostname = \"no\"\n"));
    }

    @Test
    void aSecretInAFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("harpcaller.toml");
        Files.writeString(file, "[database]\nurl = \"jdbc:postgresql://db/harp\"\npassword = \"p4ss\"\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String problem = assertThrows(ConfigException.class, () -> CallerConfig.load(file)).getMessage();
        assertEquals(file + ": database.password: the file holds a secret and is readable by others; chmod o-rwx "
                + file, problem);
        assertFalse(problem.contains("p4ss"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("p4ss", CallerConfig.load(file).databasePassword(), "group-readable is the service's group");
        Files.writeString(file, "[[clients]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(ConfigException.class, () -> CallerConfig.load(file)).getMessage()
                .contains("clients.token: the file holds a secret"));
        Files.writeString(file, "default_timeout = 60\n");
        CallerConfig.load(file); // no secret: the mode is the operator's business
    }

    @Test
    void postgresSection() throws Exception {
        CallerConfig c = load("[database]\nurl = \"jdbc:postgresql://db/harp\"\nuser = \"u\"\npassword = \"p\"\n"
                + "instance = \"one\"\n");
        assertTrue(c.postgres());
        assertEquals("one", c.instance());
        assertFalse(c.describe().toString().contains("p\""), "no password in descriptions");
    }

    @Test
    void problemsAreOneLineNamingFileAndKey() {
        String file = dir.resolve("harpcaller.toml").toString();
        assertEquals(file + ": listn: unknown key", problem("listn = [\"*:3502\"]\n"));
        assertEquals(file + ": default_timeout: expected a positive integer, got \"600\"",
                problem("default_timeout = \"600\"\n"));
        assertEquals(file + ": max_exec_time: expected a positive integer, got 0", problem("max_exec_time = 0\n"));
        assertTrue(problem("listen = [\"nocolon\"]\n").startsWith(file + ": listen: expected ADDRESS:PORT"));
        assertTrue(problem("listen = \"*:3502\"\n").startsWith(file + ": listen: expected a non-empty array"));
        assertEquals(file + ": database.uri: unknown key", problem("[database]\nuri = \"x\"\n"));
        assertEquals(file + ": database.synchronous: expected \"full\" or \"normal\"",
                problem("[database]\nsynchronous = \"off\"\n"));
        assertEquals(file + ": database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL",
                problem("[database]\nurl = \"jdbc:mysql://x\"\n"));
        assertTrue(problem("log_handlers = [\"file\"]\n").startsWith(file + ": log_handlers: unknown handler \"file\"; "
                + "expected an array of \"harpcaller_syslog_h\""));
        assertTrue(problem("listen = [\n").startsWith(file + ": not valid TOML: "));
        assertFalse(problem("listen = [\n").contains("\n"));
        assertEquals(dir.resolve("missing.toml") + ": no such file",
                assertThrows(ConfigException.class, () -> CallerConfig.load(dir.resolve("missing.toml"))).getMessage());
    }

    private static UserEntry nobody() {
        return Posix.user("nobody").orElseThrow(() -> new AssertionError("this machine has no user nobody"));
    }

    @Test
    void hostDbScriptUserAbsentMeansTheDispatchersOwnUser() throws Exception {
        assertNull(load("").hostDbScriptUser());
    }

    @Test
    void hostDbScriptUserOfTheDispatchersOwnIsAcceptedWithoutPrivileges() throws Exception {
        String self = System.getProperty("user.name");
        CallerConfig c = load("host_db_script_user = \"" + self + "\"\n");
        assertEquals(new CallerConfig.ScriptUser(self, Posix.geteuid(), Posix.user(self).orElseThrow().gid()),
                c.hostDbScriptUser());
    }

    @Test
    void hostDbScriptUserIsResolvedToItsIdsWhenRoot() throws Exception {
        UserEntry nobody = nobody();
        CallerConfig.ScriptUser u = CallerConfig.scriptUser(dir.resolve("harpcaller.toml"), "nobody", 0);
        assertEquals(new CallerConfig.ScriptUser("nobody", nobody.uid(), nobody.gid()), u);
    }

    @Test
    void hostDbScriptUserOtherThanOwnWithoutRootIsOneLineNamingFileAndKey() {
        Path file = dir.resolve("harpcaller.toml");
        int notRoot = nobody().uid() == 12345 ? 12346 : 12345;
        String message = assertThrows(ConfigException.class,
                () -> CallerConfig.scriptUser(file, "nobody", notRoot)).getMessage();
        assertEquals(file + ": host_db_script_user: harpcallerd runs as uid " + notRoot + ", not root: it cannot"
                + " run the script as nobody (uid " + nobody().uid() + ")", message);
    }

    @Test
    void hostDbScriptUserUnknownOrNotAStringIsRefused() {
        String unknown = problem("host_db_script_user = \"no-such-user-here\"\n");
        assertTrue(unknown.endsWith("host_db_script_user: no such user: no-such-user-here"), unknown);
        String number = problem("host_db_script_user = 65534\n");
        assertTrue(number.endsWith("host_db_script_user: expected a string"), number);
        String empty = problem("host_db_script_user = \"\"\n");
        assertTrue(empty.endsWith("host_db_script_user: expected a user name"), empty);
    }
}
