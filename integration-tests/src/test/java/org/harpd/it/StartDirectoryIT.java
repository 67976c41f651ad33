package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.harpd.client.HarpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * harpd started from a directory someone else can write to ({@code sudo harpd} from {@code /tmp} or a home
 * directory) loads nothing from there: Jython looks for {@code NAME.class} and {@code NAME.py} in
 * {@code __classpath__/} and {@code __pyclasspath__/} under the working directory on import misses, so classes
 * and modules planted there would run as root in the listener, in every worker, and in {@code harpd -t}.
 * Files named relative to the start directory on the command line (and in the logging file) still work.
 */
class StartDirectoryIT {
    /** Modules the listener and workers import or miss while starting, and harpd's own package. */
    private static final List<String> PLANTED = List.of("genericpath", "_warnings", "os", "posixpath", "warnings",
            "stat", "harpd", "crypt", "sitecustomize", "readline");
    private static final List<String> PLANT_DIRECTORIES = List.of("__classpath__", "__pyclasspath__", ".");
    private static final int NOBODY = 65534;

    private static final String PROCEDURES = """
            import os
            from harpd.proc import procedure

            @procedure
            def echo(*args):
                return list(args)

            @procedure
            def where():
                return os.getcwd()
            """;

    private Path start;
    private Path conf;
    private Path markers;

    @BeforeEach
    void plantClassesAndModules() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the start directory's planted files are given to another user (chown), and they matter because "
                        + "harpd runs as root");
        start = OperationsIT.tempDir("harpd-start");
        conf = Files.createDirectory(start.resolve("conf"));
        markers = Files.createTempDirectory("harpd-markers");
        // whatever uid the planted code would run as, it could write here
        Files.setPosixFilePermissions(markers, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path sources = Files.createTempDirectory("harpd-planted-src");
        Path classes = Files.createTempDirectory("harpd-planted-classes");
        List<String> files = new ArrayList<>();
        for (String name : PLANTED) {
            Path source = sources.resolve(name + ".java");
            Files.writeString(source, """
                    public class %s {
                        static {
                            try {
                                java.nio.file.Files.writeString(java.nio.file.Path.of("%s", "%s.class"),
                                        "pid " + ProcessHandle.current().pid());
                            } catch (Exception e) {
                                // the marker's absence is what the test looks at
                            }
                        }
                    }
                    """.formatted(name, markers, name));
            files.add(source.toString());
        }
        files.addAll(0, List.of("-d", classes.toString()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        assertEquals(0, javac.run(null, diagnostics, diagnostics, files.toArray(String[]::new)),
                diagnostics.toString(StandardCharsets.UTF_8));

        for (String directory : PLANT_DIRECTORIES) {
            Path into = Files.createDirectories(start.resolve(directory));
            for (String name : PLANTED) {
                Files.copy(classes.resolve(name + ".class"), into.resolve(name + ".class"));
                Path marker = markers.resolve(name + ".py-" + (directory.equals(".") ? "start" : directory));
                Files.writeString(into.resolve(name + ".py"), "open(%s, 'w').write('planted')\n"
                        .formatted("'" + marker + "'"));
            }
        }
        for (String directory : List.of("__classpath__", "__pyclasspath__")) {
            try (Stream<Path> planted = Files.walk(start.resolve(directory))) {
                for (Path path : planted.toList()) {
                    Files.setAttribute(path, "unix:uid", NOBODY);
                }
            }
        }
    }

    @AfterEach
    void noPlantedCodeRan() throws IOException {
        if (markers == null) {
            return;
        }
        try (Stream<Path> written = Files.list(markers)) {
            List<String> ran = written.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of(), ran, "planted code ran, from the start directory " + start);
        }
    }

    @Test
    void aForegroundDaemonLoadsNothingFromItsStartDirectoryAndServes() throws Exception {
        try (Daemon daemon = Daemon.builder().dir(conf).startIn(start).procedures(PROCEDURES)
                .args("-p", "conf/harpd.pid").start()) {
            HarpClient client = daemon.client().build();
            assertEquals("[\"x\"]", client.call("echo", "x").toString());
            assertEquals("/", client.call("where").asText(), "a procedure's working directory");
            assertEquals(Long.toString(daemon.pid()), Files.readString(conf.resolve("harpd.pid")).trim(),
                    "-p conf/harpd.pid names a file under the start directory");
            assertNoMarkers();
            assertEquals(Path.of("/"), workingDirectory(daemon.pid()), "the listener's working directory");
            for (ProcessHandle worker : daemon.workers()) {
                assertEquals(Path.of("/"), workingDirectory(worker.pid()), "worker " + worker.pid());
            }
            assertTrue(!daemon.workers().isEmpty(), "a call was served by a worker");
        }
    }

    @Test
    void checkModeLoadsNothingFromItsStartDirectory() throws Exception {
        Daemon.Builder builder = Daemon.builder().dir(conf).startIn(start).procedures(PROCEDURES).args("-t");
        List<String> command = builder.command(builder.prepare(Daemon.freePort()));
        Launcher.Outcome outcome = Launcher.runIn(start, command.subList(1, command.size()));
        assertEquals(0, outcome.exitCode(), outcome.toString());
        assertTrue(outcome.stderr().contains("config OK"), outcome.toString());
    }

    @Test
    void aDetachedDaemonLoadsNothingFromItsStartDirectoryAndResolvesRelativeFilesAgainstIt() throws Exception {
        Files.writeString(conf.resolve("logging.yaml"), """
                version: 1
                handlers:
                  file: {class: logging.FileHandler, filename: conf/harpd.log}
                root: {level: INFO, handlers: [file]}
                """);
        Daemon.Builder builder = Daemon.builder().dir(conf).startIn(start).procedures(PROCEDURES)
                .args("-l", "conf/logging.yaml", "-d", "-p", "conf/harpd.pid");
        int port = Daemon.freePort();
        List<String> command = builder.command(builder.prepare(port));
        Launcher.Outcome launched = Launcher.runIn(start, command.subList(1, command.size()));
        Optional<ProcessHandle> detached = Optional.empty();
        try {
            assertEquals(0, launched.exitCode(), launched.toString());
            long pid = Long.parseLong(Files.readString(conf.resolve("harpd.pid")).trim());
            detached = ProcessHandle.of(pid);
            HarpClient client = HarpClient.builder().host("127.0.0.1").port(port).user(Daemon.USER)
                    .password(Daemon.PASSWORD).trustAll().build();
            JsonNode echoed = client.call("echo", "x");
            assertEquals("[\"x\"]", echoed.toString());
            assertEquals(Path.of("/"), workingDirectory(pid), "the daemon's working directory");
            assertTrue(Files.readString(conf.resolve("harpd.log")).contains("listening"),
                    "the logging file's relative file name is taken against the start directory");
            assertNoMarkers();
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start();
            assertEquals(0, kill.waitFor());
            detached.get().onExit().get(60, TimeUnit.SECONDS);
        } finally {
            detached.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private void assertNoMarkers() throws IOException {
        try (Stream<Path> written = Files.list(markers)) {
            assertEquals(List.of(), written.map(p -> p.getFileName().toString()).sorted().toList(),
                    "planted code ran, from the start directory " + start);
        }
    }

    private static Path workingDirectory(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
    }
}
