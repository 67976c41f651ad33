package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What issue 24 asked of the distribution an operator installs: licence files that match the jars, launchers that
 * work through symlinks, process names, the tarball's top directory, examples that are not live files.
 */
class DistributionIT {
    @TempDir
    Path tmp;

    private static String pomVersion() {
        String version = System.getProperty("harpd.version");
        assertNotNull(version, "system property harpd.version (the POM's version) is not set");
        return version;
    }

    @Test
    void licenceFilesCoverEveryJarAndNativeLibrary() throws Exception {
        Path dist = Daemon.distribution();
        DistributionFiles.assertApacheLicence(dist);
        List<DistributionFiles.ListedJar> jars =
                DistributionFiles.assertThirdPartyListsEveryJar(dist, "harpd-jython-");
        DistributionFiles.assertNoticeNamesNativeLibraries(dist, jars);
    }

    @Test
    void harpdWorksThroughSymlinks() throws Exception {
        Path link = DistributionFiles.linkTwice(tmp, "harpd", Daemon.launcher());
        Launcher.Outcome outcome = DistributionFiles.run(List.of(link.toString(), "--version"));
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stdout().startsWith("harpd " + pomVersion() + " "), outcome.stdout());
    }

    @Test
    void harpWorksThroughSymlinksAndPrintsItsVersion() throws Exception {
        Optional<String> python = Pythons.find(Pythons.python3Candidates());
        Assumptions.assumeTrue(python.isPresent(), "no CPython 3 found (harpd.python3, HARP_PYTHON3, python3)");
        Path link = DistributionFiles.linkTwice(tmp, "harp", Daemon.distribution().resolve("bin/harp"));
        Launcher.Outcome outcome = DistributionFiles.run(List.of("env", "HARP_PYTHON=" + python.get(),
                link.toString(), "--version"));
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        // the POM's version in PEP 440 spelling: 0.1.0-SNAPSHOT is 0.1.0.dev0
        assertEquals("harp " + pomVersion().replaceFirst("-SNAPSHOT$", ".dev0"), outcome.stdout());
    }

    @Test
    void pythonClientInstallsWithPip() throws Exception {
        Optional<String> python = Pythons.find(Pythons.python3Candidates());
        Assumptions.assumeTrue(python.isPresent(), "no CPython 3 found (harpd.python3, HARP_PYTHON3, python3)");
        Assumptions.assumeTrue(DistributionFiles.run(List.of(python.get(), "-m", "pip", "--version")).exitCode() == 0,
                python.get() + " has no pip");
        // a copy: pip builds in the source directory (build/, *.egg-info)
        Path source = Files.createDirectories(tmp.resolve("src"));
        Path client = Pythons.lib().resolve("client");
        Files.copy(client.resolve("pyproject.toml"), source.resolve("pyproject.toml"));
        Files.createDirectories(source.resolve("harp"));
        try (var files = Files.list(client.resolve("harp"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".py")).toList()) {
                Files.copy(file, source.resolve("harp").resolve(file.getFileName()));
            }
        }
        Path target = tmp.resolve("site");
        Launcher.Outcome install = DistributionFiles.run(List.of(python.get(), "-m", "pip", "install", "--no-deps",
                "--disable-pip-version-check", "--target", target.toString(), source.toString()));
        Assumptions.assumeFalse(install.exitCode() != 0 && (install.stdout() + install.stderr())
                .contains("No matching distribution found for setuptools"),
                "pip cannot get setuptools, the build backend, from any index here");
        assertEquals(0, install.exitCode(), install.stdout() + "\n" + install.stderr());
        Launcher.Outcome version = DistributionFiles.run(List.of("env", "PYTHONPATH=" + target,
                target.resolve("bin/harp").toString(), "--version"));
        assertEquals(0, version.exitCode(), version.stderr());
        assertEquals("harp " + pomVersion().replaceFirst("-SNAPSHOT$", ".dev0"), version.stdout());
    }

    @Test
    void processesAreNamedHarpdAndHarpdWorker() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/comm")), "no /proc/PID/comm (not Linux)");
        try (Daemon daemon = Daemon.builder().start()) {
            assertEquals("harpd", comm(daemon.pid()), "the listener's name, as ps and pgrep -x see it");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (daemon.workers().isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            List<ProcessHandle> workers = daemon.workers();
            assertFalse(workers.isEmpty(), "no spare worker started");
            for (ProcessHandle worker : workers) {
                if (worker.isAlive() && Files.exists(Path.of("/proc/" + worker.pid()))) {
                    assertEquals("harpd-worker", comm(worker.pid()), "worker " + worker.pid());
                }
            }
        }
    }

    private static String comm(long pid) throws Exception {
        // the name is set early in main: a just-started JVM may still be "java"
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        String name = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        while (name.equals("java") && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            name = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        }
        return name;
    }

    @Test
    void tarballHasATopDirectory() throws Exception {
        Path tarball = Daemon.distribution().resolveSibling("harpd.tar.gz");
        String top = "harpd-" + pomVersion() + "/";
        List<String> entries = DistributionFiles.tarEntries(tarball);
        assertEquals(List.of(), entries.stream().filter(e -> !e.startsWith(top)).toList(), "entries outside " + top);
        assertTrue(entries.contains(top + "bin/harpd") && entries.contains(top + "LICENSE")
                && entries.contains(top + "THIRD-PARTY.txt") && entries.contains(top + "man/man8/harpd.8.gz"),
                "launcher, LICENSE, THIRD-PARTY.txt, man page");
    }

    @Test
    void exampleConfigurationPassesTestWithoutWarnings() throws Exception {
        // as an operator starts from the package's /etc/harpd/*.example
        Path etc = Daemon.distribution().resolve("etc");
        for (String file : List.of("harpd.conf", "harpd.py", "users.txt", "logging.yaml")) {
            Files.copy(etc.resolve(file + ".example"), tmp.resolve(file));
        }
        Daemon.writeCertificate(tmp);
        Files.move(tmp.resolve("cert.pem"), tmp.resolve("harpd.cert.pem"));
        Files.move(tmp.resolve("key.pem"), tmp.resolve("harpd.key.pem"));
        Files.setPosixFilePermissions(tmp.resolve("harpd.conf"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(tmp.resolve("users.txt"), PosixFilePermissions.fromString("rw-------"));
        Launcher.Outcome outcome = Launcher.run("-t", "-c", tmp.resolve("harpd.conf").toString(),
                "-r", tmp.resolve("harpd.py").toString(), "-l", tmp.resolve("logging.yaml").toString());
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderrLines().contains("config OK"), outcome.stderr());
        assertEquals(List.of(), outcome.stderrLines().stream().filter(l -> l.contains("warning")).toList(),
                "no warning: every example procedure names its user");
    }

    @Test
    void examplesAreShippedAsExamplesOnly() throws Exception {
        Path etc = Daemon.distribution().resolve("etc");
        for (String file : List.of("harpd.conf", "harpd.py", "users.txt", "logging.yaml")) {
            assertTrue(Files.isRegularFile(etc.resolve(file + ".example")), file + ".example");
            assertFalse(Files.exists(etc.resolve(file)), file + " is shipped as a live file");
        }
    }
}
