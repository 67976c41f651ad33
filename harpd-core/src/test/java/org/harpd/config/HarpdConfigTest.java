package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HarpdConfigTest {
    private static final String NETWORK = """
            network:
              certfile: cert.pem
              keyfile: key.pem
            """;
    private static final String AUTH = """
            authentication:
              module: harpd.auth.passfile
              file: users.txt
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void createCertificateFiles() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "not checked here");
        Files.writeString(dir.resolve("key.pem"), "not checked here");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("harpd.conf");
        Files.writeString(file, yaml);
        return file;
    }

    private HarpdConfig load(String yaml) throws Exception {
        return HarpdConfig.load(write(yaml));
    }

    private String failure(String yaml) throws IOException {
        Path file = write(yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> HarpdConfig.load(file));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    @Test
    void minimalConfigurationGetsDefaults() throws Exception {
        HarpdConfig config = load(NETWORK + AUTH);
        NetworkConfig network = config.network();
        assertNull(network.address());
        assertEquals(4306, network.port());
        assertEquals(1048576, network.maxRequestBytes());
        assertEquals(Duration.ofSeconds(10), network.readTimeout());
        assertEquals(1024, network.maxConnections());
        assertEquals(PythonPath.NONE, config.pythonPath());
        assertEquals(WorkersConfig.DEFAULTS, config.workers());
        assertEquals(dir.resolve("harpd.conf"), config.file());
    }

    @Test
    void seedExampleLoads() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(certs.resolve("harpd.cert.pem"), "x");
        Files.writeString(certs.resolve("harpd.key.pem"), "x");
        HarpdConfig config = load("""
                network:
                  #address: 127.0.0.1
                  port: 4306
                  certfile: %s/harpd.cert.pem
                  keyfile:  %s/harpd.key.pem

                python:
                  path:
                    - /etc/harpd/pylib
                    - /usr/local/lib/harpd

                authentication:
                  module: harpd.auth.passfile
                  file: /etc/harpd/users.txt
                """.formatted(certs, certs));
        assertEquals(certs.resolve("harpd.cert.pem"), config.network().certfile());
        assertEquals(new PythonPath(List.of(), List.of("/etc/harpd/pylib", "/usr/local/lib/harpd")),
                config.pythonPath());
        assertEquals("harpd.auth.passfile", config.authentication().module());
        assertEquals("/etc/harpd/users.txt", config.authentication().options().get("file"));
    }

    @Test
    void everyNetworkKeyIsRead() throws Exception {
        HarpdConfig config = load("""
                network:
                  address: 127.0.0.1
                  port: 14306
                  certfile: cert.pem
                  keyfile: key.pem
                  max_request_size: 4096
                  read_timeout: 2.5
                  max_connections: 0
                  tls_ciphers: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]
                """ + AUTH);
        NetworkConfig network = config.network();
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"),
                network.tlsCiphers());
        assertEquals("127.0.0.1", network.address());
        assertEquals(14306, network.port());
        assertEquals(4096, network.maxRequestBytes());
        assertEquals(Duration.ofMillis(2500), network.readTimeout());
        assertEquals(0, network.maxConnections());
    }

    @Test
    void emptyAddressMeansAllInterfaces() throws Exception {
        assertNull(load("network: {address: '', certfile: cert.pem, keyfile: key.pem}\n" + AUTH).network().address());
    }

    @Test
    void relativeFilesAreResolvedAgainstTheConfigDirectoryNotTheWorkingDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("tls"));
        Files.writeString(sub.resolve("c.pem"), "x");
        Files.writeString(sub.resolve("k.pem"), "x");
        HarpdConfig config = load("""
                network:
                  certfile: tls/c.pem
                  keyfile: ./tls/../tls/k.pem
                authentication:
                  module: harpd.auth.passfile
                  file: users.txt
                """);
        assertEquals(sub.resolve("c.pem"), config.network().certfile());
        assertEquals(sub.resolve("k.pem"), config.network().keyfile());
        assertTrue(config.network().certfile().isAbsolute());
        assertEquals(dir.resolve("users.txt").toString(), config.authentication().options().get("file"));
    }

    @Test
    void authenticationOptionsAreTheWholeMappingAsPlainUnmodifiableData() throws Exception {
        HarpdConfig config = load(NETWORK + """
                authentication:
                  module: harpd.auth.inconfig
                  users:
                    alice: "plain:secret"
                    bob: "crypt:$6$abc"
                  retries: 3
                  big: 123456789012345678901234567890
                  ratio: 0.5
                  enabled: yes
                  nothing:
                  since: 2001-12-14
                  list: [a, 1, true]
                """);
        AuthenticationConfig auth = config.authentication();
        Map<String, Object> options = auth.options();
        assertEquals("harpd.auth.inconfig", auth.module());
        assertEquals("harpd.auth.inconfig", options.get("module"));
        assertEquals(Map.of("alice", "plain:secret", "bob", "crypt:$6$abc"), options.get("users"));
        assertEquals(3, options.get("retries"));
        assertEquals(new BigInteger("123456789012345678901234567890"), options.get("big"));
        assertEquals(0.5, options.get("ratio"));
        assertEquals(Boolean.TRUE, options.get("enabled"));
        assertTrue(options.containsKey("nothing"));
        assertNull(options.get("nothing"));
        assertEquals("2001-12-14", options.get("since"), "dates stay strings");
        assertEquals(List.of("a", 1, true), options.get("list"));
        assertThrows(UnsupportedOperationException.class, () -> options.put("x", 1));
        @SuppressWarnings("unchecked")
        Map<String, Object> users = (Map<String, Object>) options.get("users");
        assertThrows(UnsupportedOperationException.class, () -> users.put("eve", "x"));
    }

    @Test
    void pythonPathAsSingleStringIsAppended() throws Exception {
        assertEquals(new PythonPath(List.of(), List.of("/opt/lib")),
                load(NETWORK + AUTH + "python:\n  path: /opt/lib\n").pythonPath());
    }

    @Test
    void pythonPathAsListIsAppended() throws Exception {
        assertEquals(new PythonPath(List.of(), List.of("/a", "/b")),
                load(NETWORK + AUTH + "python:\n  path: [/a, /b]\n").pythonPath());
    }

    @Test
    void pythonPathAsMappingTakesPrependAndAppendEachStringOrList() throws Exception {
        assertEquals(new PythonPath(List.of("/first"), List.of("/x", "/y")),
                load(NETWORK + AUTH + "python:\n  path:\n    prepend: /first\n    append: [/x, /y]\n").pythonPath());
        assertEquals(new PythonPath(List.of("/p1", "/p2"), List.of()),
                load(NETWORK + AUTH + "python:\n  path:\n    prepend: [/p1, /p2]\n").pythonPath());
    }

    @Test
    void emptyPythonSectionsMeanNoPath() throws Exception {
        assertEquals(PythonPath.NONE, load(NETWORK + AUTH + "python:\n").pythonPath());
        assertEquals(PythonPath.NONE, load(NETWORK + AUTH + "python:\n  path:\n").pythonPath());
    }

    @Test
    void emptyWorkersSectionMeansDefaults() throws Exception {
        WorkersConfig workers = load(NETWORK + AUTH + "workers:\n").workers();
        assertEquals(WorkersConfig.DEFAULTS, workers);
        assertEquals(WorkersConfig.Isolation.INTERPRETER, workers.isolation());
        assertEquals(2, workers.spare());
        assertEquals(32, workers.max());
        assertEquals(256, workers.queue());
        assertEquals(OptionalInt.empty(), workers.maxCalls()); // each level's own default
        assertEquals(Duration.ofSeconds(60), workers.startTimeout());
        assertEquals(Duration.ofSeconds(2), workers.killGrace());
        assertEquals(List.of(), workers.jvmOptions());
        assertEquals(Duration.ofSeconds(10), workers.idleTimeout());
    }

    @Test
    void everyWorkersKeyIsRead() throws Exception {
        WorkersConfig workers = load(NETWORK + AUTH + """
                workers:
                  isolation: interpreter
                  spare: 4
                  spare_at_rest: 3
                  max: 8
                  queue: 0
                  max_calls: 50
                  start_timeout: 30
                  kill_grace: 0
                  jvm_options: [-Xmx256m, -Xss2m]
                  idle_timeout: 2.5
                  max_result_size: 1048576
                  timeout_grace: 1.5
                  procedure_isolation:
                    status: shared
                    reset_password: process
                """).workers();
        assertEquals(new WorkersConfig(WorkersConfig.Isolation.INTERPRETER, 4, 8, 0, OptionalInt.of(50),
                Duration.ofSeconds(30), Duration.ZERO, List.of("-Xmx256m", "-Xss2m"),
                Map.of("status", WorkersConfig.Isolation.SHARED, "reset_password", WorkersConfig.Isolation.PROCESS),
                Duration.ofMillis(2500), 1048576, Duration.ofMillis(1500), false, 3), workers);
        assertEquals(WorkersConfig.Isolation.SHARED,
                load(NETWORK + AUTH + "workers: {isolation: shared}\n").workers().isolation());
    }

    @Test
    void workersServeOneHarpdUserUnlessSharingIsAskedFor() throws Exception {
        assertEquals(false, load(NETWORK + AUTH).workers().shareBetweenUsers());
        assertEquals(true, load(NETWORK + AUTH + "workers: {share_between_users: true}\n").workers()
                .shareBetweenUsers());
    }

    @Test
    void resultSizeIsLimitedByDefault() throws Exception {
        assertEquals(64 * 1024 * 1024, load(NETWORK + AUTH).workers().maxResultSize());
    }

    @Test
    void idleTimeoutZeroMeansNeverRetireIdleWorkers() throws Exception {
        assertEquals(Duration.ZERO, load(NETWORK + AUTH + "workers: {idle_timeout: 0}\n").workers().idleTimeout());
    }

    @Test
    void procedureIsolationMustNameExposedProcedures() throws Exception {
        HarpdConfig config = load(NETWORK + AUTH + "workers: {procedure_isolation: {status: shared, stauts: shared}}\n");
        Path procedures = dir.resolve("harpd.py");
        config.requireNamedProceduresIn(Set.of("status", "stauts"), procedures);
        ConfigException e = assertThrows(ConfigException.class,
                () -> config.requireNamedProceduresIn(Set.of("status", "reboot"), procedures));
        assertEquals(config.file() + ": workers.procedure_isolation.stauts: no procedure of that name in "
                + procedures, e.getMessage());
    }

    @Test
    void withoutAnAuthorizationSectionEveryoneMayCallEverything() throws Exception {
        AuthorizationConfig authorization = load(NETWORK + AUTH).authorization();
        assertEquals(AuthorizationConfig.ABSENT, authorization);
        assertTrue(authorization.allows("anyone", List.of(), "reboot"));
    }

    @Test
    void authorizationGivesUsersAndGroupsNamesAndPatterns() throws Exception {
        AuthorizationConfig authorization = load(NETWORK + AUTH + """
                authorization:
                  users:
                    alice: status
                    bob: [status, "report_*", "job_?"]
                  groups:
                    admins: "*"
                """).authorization();
        assertTrue(authorization.configured());
        assertEquals(Map.of("alice", List.of("status"), "bob", List.of("status", "report_*", "job_?")),
                authorization.users());
        assertTrue(authorization.usesGroups());
        assertTrue(authorization.allows("alice", List.of(), "status"));
        assertFalse(authorization.allows("alice", List.of(), "status2"));
        assertTrue(authorization.allows("bob", List.of(), "report_disk"));
        assertTrue(authorization.allows("bob", List.of(), "job_1"));
        assertFalse(authorization.allows("bob", List.of(), "job_12"));
        assertFalse(authorization.allows("carol", List.of(), "status"));
        assertTrue(authorization.allows("carol", List.of("staff", "admins"), "reboot"));
    }

    @Test
    void patternCharactersOtherThanStarAndQuestionMarkAreLiteral() {
        assertTrue(AuthorizationConfig.matches("a.b*", "a.bc"));
        assertFalse(AuthorizationConfig.matches("a.b*", "axbc"));
        assertFalse(AuthorizationConfig.matches("[ab]", "a"));
    }

    @Test
    void tracebacksAreOffUnlessSwitchedOn() throws Exception {
        assertFalse(load(NETWORK + AUTH).tracebacks());
        assertTrue(load(NETWORK + AUTH + "development:\n  tracebacks: true\n").tracebacks());
        assertEquals("development.tracebacks: expected true or false, got 'yes please'",
                failure(NETWORK + AUTH + "development:\n  tracebacks: yes please\n"));
    }

    @Test
    void anEmptyAuthorizationSectionRefusesEverything() throws Exception {
        AuthorizationConfig authorization = load(NETWORK + AUTH + "authorization:\n").authorization();
        assertTrue(authorization.configured());
        assertFalse(authorization.allows("alice", List.of("admins"), "status"));
    }

    @Test
    void malformedAuthorizationIsNamedByKey() throws Exception {
        assertEquals("authorization.roles: unknown key (expected one of: groups, users)",
                failure(NETWORK + AUTH + "authorization: {roles: {}}\n"));
        assertEquals("authorization.users.alice[1]: expected a string, got 3",
                failure(NETWORK + AUTH + "authorization: {users: {alice: [status, 3]}}\n"));
        assertEquals("authorization.users.alice[0]: expected a procedure name or a glob pattern; has spaces around 'status'",
                failure(NETWORK + AUTH + "authorization: {users: {alice: [' status']}}\n"));
        assertEquals("authorization.groups: expected a mapping, got a list",
                failure(NETWORK + AUTH + "authorization: {groups: [admins]}\n"));
    }

    @Test
    void authorizationMustNameExposedProcedures() throws Exception {
        HarpdConfig config = load(NETWORK + AUTH
                + "authorization: {users: {alice: [status, 'report_*']}, groups: {ops: [reboto]}}\n");
        Path procedures = dir.resolve("harpd.py");
        ConfigException e = assertThrows(ConfigException.class,
                () -> config.requireNamedProceduresIn(Set.of("status", "reboot", "report_disk"), procedures));
        assertEquals(config.file() + ": authorization.groups.ops[0]: reboto: no procedure of that name in "
                + procedures, e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> config.requireNamedProceduresIn(Set.of("status", "reboto"), procedures));
        assertEquals(config.file() + ": authorization.users.alice[1]: report_*: pattern matches no procedure in "
                + procedures, e.getMessage());
        config.requireNamedProceduresIn(Set.of("status", "reboto", "report_disk"), procedures);
    }

    @Test
    void defaultSpareShrinksToASmallMax() throws Exception {
        WorkersConfig workers = load(NETWORK + AUTH + "workers: {max: 1}\n").workers();
        assertEquals(1, workers.max());
        assertEquals(1, workers.spare());
    }

    static Stream<Arguments> invalidConfigurations() {
        String net = NETWORK;
        String auth = AUTH;
        return Stream.of(
                Arguments.of("- a\n- b\n", "expected a mapping at the top level, got a list"),
                Arguments.of("", "expected a mapping at the top level, got an empty document"),
                Arguments.of("just text\n", "expected a mapping at the top level, got 'just text'"),
                Arguments.of(auth, "network: missing (a mapping is required)"),
                Arguments.of("network: 5\n" + auth, "network: expected a mapping, got 5"),
                Arguments.of(net + auth + "netwrok: {}\n",
                        "netwrok: unknown key (expected one of: authentication, authorization, development, metrics, network, python, workers)"),
                Arguments.of(net + "  prot: 1\n" + auth, "network.prot: unknown key (expected one of: "
                        + "address, certfile, keyfile, max_connections, max_request_size, port, read_timeout, tls_ciphers)"),
                Arguments.of(net + "  port: abc\n" + auth, "network.port: expected an integer, got 'abc'"),
                Arguments.of(net + "  port: '4306'\n" + auth, "network.port: expected an integer, got '4306'"),
                Arguments.of(net + "  port: 43.06\n" + auth, "network.port: expected an integer, got 43.06"),
                Arguments.of(net + "  port: true\n" + auth, "network.port: expected an integer, got true"),
                Arguments.of(net + "  port:\n" + auth, "network.port: expected an integer, got nothing (null)"),
                Arguments.of(net + "  port: 0\n" + auth, "network.port: must be between 1 and 65535, got 0"),
                Arguments.of(net + "  port: 65536\n" + auth, "network.port: must be between 1 and 65535, got 65536"),
                Arguments.of(net + "  port: 99999999999999999999\n" + auth,
                        "network.port: must be between 1 and 65535, got 99999999999999999999"),
                Arguments.of(net + "  address: 10\n" + auth, "network.address: expected a string, got 10"),
                Arguments.of(net + "  address: [a]\n" + auth, "network.address: expected a string, got a list"),
                Arguments.of("network: {keyfile: key.pem}\n" + auth,
                        "network.certfile: missing (a string is required)"),
                Arguments.of("network: {certfile: cert.pem}\n" + auth,
                        "network.keyfile: missing (a string is required)"),
                Arguments.of("network: {certfile: 1, keyfile: key.pem}\n" + auth,
                        "network.certfile: expected a string, got 1"),
                Arguments.of("network: {certfile: '', keyfile: key.pem}\n" + auth,
                        "network.certfile: must not be empty"),
                Arguments.of(net + "  max_request_size: 0\n" + auth,
                        "network.max_request_size: must be between 1 and 2147483647, got 0"),
                Arguments.of(net + "  read_timeout: 0\n" + auth,
                        "network.read_timeout: must be more than 0 seconds (at most 1e9), got 0"),
                Arguments.of(net + "  read_timeout: soon\n" + auth,
                        "network.read_timeout: expected a number of seconds, got 'soon'"),
                Arguments.of(net + "  max_connections: -1\n" + auth,
                        "network.max_connections: must be between 0 and 2147483647, got -1"),
                Arguments.of(net + "  tls_ciphers: []\n" + auth,
                        "network.tls_ciphers: must name at least one cipher suite (leave it out for the default)"),
                Arguments.of(net + "  tls_ciphers: [ECDHE-RSA-AES128-GCM-SHA256]\n" + auth,
                        "network.tls_ciphers: expected cipher suite names such as "
                                + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, got 'ECDHE-RSA-AES128-GCM-SHA256'"),
                Arguments.of(net + "  tls_ciphers: [1]\n" + auth,
                        "network.tls_ciphers[0]: expected a string, got 1"),
                Arguments.of(net, "authentication: missing (a mapping is required)"),
                Arguments.of(net + "authentication: passfile\n",
                        "authentication: expected a mapping, got 'passfile'"),
                Arguments.of(net + "authentication: {file: x}\n",
                        "authentication.module: missing (a string is required)"),
                Arguments.of(net + "authentication: {module: 7}\n",
                        "authentication.module: expected a string, got 7"),
                Arguments.of(net + "authentication: {module: ' '}\n", "authentication.module: must not be empty"),
                Arguments.of(net + "authentication: {module: m, 1: x}\n",
                        "authentication.1: keys must be strings, got 1"),
                Arguments.of(net + "authentication: {module: m, blob: !!binary aGVsbG8=}\n",
                        "authentication.blob: unsupported YAML value type byte[]"),
                Arguments.of(net + "authentication: {module: m, deep: {a: [1, !!set {x}]}}\n",
                        "authentication.deep.a[1]: unsupported YAML value type LinkedHashSet"),
                Arguments.of(net + auth + "python: [a]\n", "python: expected a mapping, got a list"),
                Arguments.of(net + auth + "python: {paths: a}\n", "python.paths: unknown key (expected one of: path)"),
                Arguments.of(net + auth + "python: {path: 5}\n",
                        "python.path: expected a string or a list of strings, got 5"),
                Arguments.of(net + auth + "python: {path: [/a, 5]}\n", "python.path[1]: expected a string, got 5"),
                Arguments.of(net + auth + "python: {path: {before: /a}}\n",
                        "python.path.before: unknown key (expected one of: append, prepend)"),
                Arguments.of(net + auth + "python: {path: {prepend: {a: b}}}\n",
                        "python.path.prepend: expected a string or a list of strings, got a mapping"),
                Arguments.of(net + auth + "python: {path: {append: [~]}}\n",
                        "python.path.append[0]: expected a string, got nothing (null)"),
                Arguments.of(net + auth + "workers: 3\n", "workers: expected a mapping, got 3"),
                Arguments.of(net + auth + "workers: {threads: 3}\n", "workers.threads: unknown key (expected one of: "
                        + "idle_timeout, isolation, jvm_options, kill_grace, max, max_calls, max_result_size, "
                        + "procedure_isolation, queue, share_between_users, spare, spare_at_rest, start_timeout, "
                        + "timeout_grace)"),
                Arguments.of(net + auth + "workers: {procedure_isolation: [status]}\n",
                        "workers.procedure_isolation: expected a mapping, got a list"),
                Arguments.of(net + auth + "workers: {procedure_isolation: {status: fresh}}\n",
                        "workers.procedure_isolation.status: expected one of 'process', 'interpreter', 'shared', "
                        + "got 'fresh'"),
                Arguments.of(net + auth + "workers: {procedure_isolation: {status: }}\n",
                        "workers.procedure_isolation.status: expected a string, got nothing (null)"),
                Arguments.of(net + auth + "workers: {isolation: thread}\n",
                        "workers.isolation: expected one of 'process', 'interpreter', 'shared', got 'thread'"),
                Arguments.of(net + auth + "workers: {max: 0}\n", "workers.max: must be between 1 and 100000, got 0"),
                Arguments.of(net + auth + "workers: {spare: -1}\n",
                        "workers.spare: must be between 0 and 100000, got -1"),
                Arguments.of(net + auth + "workers: {spare: 5, max: 4}\n",
                        "workers.spare: must not exceed workers.max (4), got 5"),
                Arguments.of(net + auth + "workers: {spare: 1, spare_at_rest: 2}\n",
                        "workers.spare_at_rest: must not exceed workers.spare (1), got 2"),
                Arguments.of(net + auth + "workers: {queue: -1}\n",
                        "workers.queue: must be between 0 and 2147483647, got -1"),
                Arguments.of(net + auth + "workers: {max_calls: 0}\n",
                        "workers.max_calls: must be between 1 and 2147483647, got 0"),
                Arguments.of(net + auth + "workers: {start_timeout: 0}\n",
                        "workers.start_timeout: must be more than 0 seconds (at most 1e9), got 0"),
                Arguments.of(net + auth + "workers: {share_between_users: yes please}\n",
                        "workers.share_between_users: expected true or false, got 'yes please'"),
                Arguments.of(net + auth + "workers: {timeout_grace: 0}\n",
                        "workers.timeout_grace: must be more than 0 seconds (at most 1e9), got 0"),
                Arguments.of(net + auth + "workers: {kill_grace: -1}\n",
                        "workers.kill_grace: must be 0 or more seconds (at most 1e9), got -1"),
                Arguments.of(net + auth + "workers: {idle_timeout: -1}\n",
                        "workers.idle_timeout: must be 0 or more seconds (at most 1e9), got -1"),
                Arguments.of(net + auth + "workers: {idle_timeout: 10s}\n",
                        "workers.idle_timeout: expected a number of seconds, got '10s'"),
                Arguments.of(net + auth + "workers: {max_result_size: 1000}\n",
                        "workers.max_result_size: must be between 65536 and 1073741824, got 1000"),
                Arguments.of(net + auth + "workers: {max_result_size: 64MiB}\n",
                        "workers.max_result_size: expected an integer, got '64MiB'"),
                Arguments.of(net + auth + "workers: {jvm_options: [-Xmx1g, 2]}\n",
                        "workers.jvm_options[1]: expected a string, got 2"),
                Arguments.of(net + auth + "workers: {isolation: \"a\\nb\"}\n",
                        "workers.isolation: expected one of 'process', 'interpreter', 'shared', got 'a\\nb'"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigurations")
    void invalidConfigurationIsOneLineNamingFileAndKey(String yaml, String expected) throws IOException {
        assertEquals(expected, failure(yaml));
    }

    @Test
    void missingCertificateFileIsNamedWithItsResolvedPath() throws IOException {
        assertEquals("network.certfile: file does not exist: " + dir.resolve("nope.pem"),
                failure("network: {certfile: nope.pem, keyfile: key.pem}\n" + AUTH));
        assertEquals("network.keyfile: file does not exist: " + dir.resolve("gone.pem"),
                failure("network: {certfile: cert.pem, keyfile: gone.pem}\n" + AUTH));
    }

    @Test
    void directoryAsCertificateFileIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("certs"));
        assertEquals("network.certfile: not a regular file: " + dir.resolve("certs"),
                failure("network: {certfile: certs, keyfile: key.pem}\n" + AUTH));
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() throws IOException {
        String message = failure(NETWORK + AUTH + "python:\n  path: [a, b\n");
        assertTrue(message.matches("line \\d+: YAML syntax error: .+"), message);
        assertEquals("line 2: YAML syntax error: mapping values are not allowed here",
                failure("network:\n  port: 1: 2\n"));
    }

    @Test
    void duplicateKeyIsRefused() throws IOException {
        assertEquals("line 4: YAML syntax error: found duplicate key certfile",
                failure(NETWORK + "  certfile: other.pem\n" + AUTH));
    }

    @Test
    void javaObjectTagsAreNotConstructed() throws IOException {
        assertTrue(failure("network: !!javax.script.ScriptEngineManager [x]\n")
                .startsWith("line 1: YAML syntax error: "));
        assertTrue(failure("network: !!python/object/apply:os.system [id]\n")
                .startsWith("line 1: YAML syntax error: "));
    }

    @Test
    void missingFileCannotBeRead() {
        Path file = dir.resolve("absent.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> HarpdConfig.load(file));
        assertEquals(file + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void directoryCannotBeRead() {
        ConfigException e = assertThrows(ConfigException.class, () -> HarpdConfig.load(dir));
        assertTrue(e.getMessage().startsWith(dir + ": cannot read: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** The optional {@code metrics:} section. */
    @Nested
    class MetricsSection {
        private MetricsConfig metrics(String yaml) throws Exception {
            return load(NETWORK + AUTH + yaml).metrics();
        }

        @Test
        void withoutTheSectionNothingIsServed() throws Exception {
            MetricsConfig metrics = metrics("");
            assertEquals(MetricsConfig.ABSENT, metrics);
            assertFalse(metrics.configured());
        }

        @Test
        void anEmptySectionListensOnLoopback() throws Exception {
            MetricsConfig metrics = metrics("metrics:\n");
            assertEquals(new MetricsConfig(true, "127.0.0.1", 9464), metrics);
            assertEquals("127.0.0.1:9464", metrics.listen());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0.0.0.0:9100|0.0.0.0|9100",
                "localhost:1|localhost|1",
                "'[::1]:65535'|::1|65535",
                "metrics.example.org:9464|metrics.example.org|9464"})
        void listenIsHostAndPort(String listen, String host, int port) throws Exception {
            MetricsConfig metrics = metrics("metrics: {listen: \"" + listen.replace("'", "") + "\"}\n");
            assertEquals(new MetricsConfig(true, host, port), metrics);
        }

        @ParameterizedTest
        @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":9464", "127.0.0.1:0", "127.0.0.1:65536",
                "127.0.0.1:http", "::1:9464", "[]:9464", "[127.0.0.1]:9464", "a b:9464", "127.0.0.1:+80"})
        void aMalformedListenIsAnErrorNamingTheKey(String listen) throws Exception {
            String message = failure(NETWORK + AUTH + "metrics:\n  listen: \"" + listen + "\"\n");
            assertTrue(message.startsWith("metrics.listen: "), message);
            assertTrue(message.endsWith("got '" + listen + "'"), message);
        }

        @Test
        void listenMustBeAString() throws Exception {
            assertEquals("metrics.listen: expected a string, got 9464", failure(NETWORK + AUTH + "metrics:\n  listen: 9464\n"));
        }

        @Test
        void unknownKeysAreNamed() throws Exception {
            String message = failure(NETWORK + AUTH + "metrics:\n  port: 9464\n");
            assertTrue(message.startsWith("metrics.port: unknown key (expected one of: listen)"), message);
        }

        @Test
        void theSectionMustBeAMapping() throws Exception {
            assertEquals("metrics: expected a mapping, got '127.0.0.1:9464'", failure(NETWORK + AUTH + "metrics: 127.0.0.1:9464\n"));
        }
    }
}
