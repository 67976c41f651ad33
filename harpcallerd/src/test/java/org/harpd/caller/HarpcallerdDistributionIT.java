package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.harpd.it.DistributionFiles;
import org.harpd.it.Launcher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24 for the dispatcher's distribution: licence files, a symlinked launcher, --version, process name. */
class HarpcallerdDistributionIT {
    @TempDir
    Path tmp;

    private static Path dist() {
        return Caller.launcher().getParent().getParent();
    }

    private static String version() {
        String version = System.getProperty("harpcallerd.version");
        assertTrue(version != null && !version.isEmpty(), "system property harpcallerd.version is not set");
        return version;
    }

    @Test
    void licenceFilesCoverEveryJarAndNativeLibrary() throws Exception {
        DistributionFiles.assertApacheLicence(dist());
        List<DistributionFiles.ListedJar> jars = DistributionFiles.assertThirdPartyListsEveryJar(dist(), "harpcallerd-");
        DistributionFiles.assertNoticeNamesNativeLibraries(dist(), jars);
    }

    @Test
    void versionThroughSymlinks() throws Exception {
        Path link = DistributionFiles.linkTwice(tmp, "harpcallerd", Caller.launcher());
        Launcher.Outcome outcome = DistributionFiles.run(List.of(link.toString(), "--version"));
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        assertEquals("harpcallerd " + version(), outcome.stdout());
    }

    @Test
    void tarballHasATopDirectory() throws Exception {
        String top = "harpcallerd-" + version() + "/";
        List<String> entries = DistributionFiles.tarEntries(dist().resolveSibling("harpcallerd.tar.gz"));
        assertEquals(List.of(), entries.stream().filter(e -> !e.startsWith(top)).toList(), "entries outside " + top);
        assertTrue(entries.contains(top + "bin/harpcallerd") && entries.contains(top + "THIRD-PARTY.txt"));
    }

    @Test
    void processIsNamedHarpcallerd() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/comm")), "no /proc/PID/comm (not Linux)");
        try (Caller caller = new Caller(tmp, "").start()) {
            Path comm = Path.of("/proc/" + caller.process().pid() + "/comm");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            String name = Files.readString(comm).strip();
            while (!name.equals("harpcallerd") && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
                name = Files.readString(comm).strip();
            }
            assertEquals("harpcallerd", name, "as ps and pgrep -x see the dispatcher");
        }
    }
}
