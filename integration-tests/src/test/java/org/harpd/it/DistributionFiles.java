package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks of an assembled distribution (harpd's or harpcallerd's) that keep its licence files from going stale:
 * THIRD-PARTY.txt names every jar in lib/, NOTICE every jar that carries a native library.
 */
public final class DistributionFiles {
    /** {@code (groupId:artifactId:version - url)} in a THIRD-PARTY.txt line. */
    private static final Pattern COORDINATES = Pattern.compile("\\(([^:() ]+):([^:() ]+):([^:() ]+) - ");

    private DistributionFiles() {
    }

    /** A jar of lib/ and the artifact THIRD-PARTY.txt lists it under. */
    public record ListedJar(Path jar, String artifactId) {
    }

    /**
     * Every jar in {@code dist}/lib matched to its THIRD-PARTY.txt entry ({@code ARTIFACT-VERSION.jar} or
     * {@code ARTIFACT-VERSION-CLASSIFIER.jar}); this project's own jars ({@code ownPrefixes}) need none, LICENSE
     * covers them. Fails naming every jar that has no entry.
     */
    public static List<ListedJar> assertThirdPartyListsEveryJar(Path dist, String... ownPrefixes) throws IOException {
        Path list = dist.resolve("THIRD-PARTY.txt");
        assertTrue(Files.isRegularFile(list), list + " missing");
        List<String[]> entries = new ArrayList<>();
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
            Matcher m = COORDINATES.matcher(line);
            if (m.find()) {
                assertTrue(line.strip().startsWith("(") && !line.contains("(Unknown license)"),
                        "THIRD-PARTY.txt entry without a licence: " + line);
                entries.add(new String[] {m.group(2), m.group(3)});
            }
        }
        List<ListedJar> listed = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        try (Stream<Path> jars = Files.list(dist.resolve("lib"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                String name = jar.getFileName().toString();
                String base = name.substring(0, name.length() - ".jar".length());
                String artifact = null;
                for (String[] e : entries) {
                    String av = e[0] + "-" + e[1];
                    if (base.equals(av) || base.startsWith(av + "-")) {
                        artifact = e[0];
                    }
                }
                if (artifact != null) {
                    listed.add(new ListedJar(jar, artifact));
                } else if (Stream.of(ownPrefixes).noneMatch(name::startsWith)) {
                    missing.add(name);
                }
            }
        }
        assertEquals(List.of(), missing, "jars in " + dist + "/lib that THIRD-PARTY.txt does not list");
        return listed;
    }

    /** Every listed jar that carries a native library (.so, .dll, .dylib, .jnilib) is named in NOTICE. */
    public static void assertNoticeNamesNativeLibraries(Path dist, List<ListedJar> jars) throws IOException {
        String notice = Files.readString(dist.resolve("NOTICE"), StandardCharsets.UTF_8);
        List<String> unnamed = new ArrayList<>();
        int withNatives = 0;
        for (ListedJar listed : jars) {
            if (hasNativeLibrary(listed.jar())) {
                withNatives++;
                if (!notice.contains(listed.artifactId())) {
                    unnamed.add(listed.artifactId() + " (" + listed.jar().getFileName() + ")");
                }
            }
        }
        assertTrue(withNatives > 0, "no jar with a native library found: is the check still looking right?");
        assertEquals(List.of(), unnamed, "jars with native libraries that NOTICE does not name");
    }

    private static boolean hasNativeLibrary(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(e -> e.getName().toLowerCase(Locale.ROOT)).anyMatch(n -> n.endsWith(".so")
                    || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib"));
        }
    }

    /** The LICENSE file is the Apache License 2.0. */
    public static void assertApacheLicence(Path dist) throws IOException {
        String licence = Files.readString(dist.resolve("LICENSE"), StandardCharsets.UTF_8);
        assertTrue(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004")
                && licence.contains("END OF TERMS AND CONDITIONS"), "LICENSE is not the Apache License 2.0 text");
    }

    /** The entries of a .tar.gz, as {@code tar -tzf} lists them. */
    public static List<String> tarEntries(Path tarball) throws Exception {
        Process tar = new ProcessBuilder("tar", "-tzf", tarball.toString()).redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS), "tar -tzf did not finish");
        assertEquals(0, tar.exitValue(), out);
        return out.lines().toList();
    }

    /** Runs {@code command} to completion: exit code and stdout plus stderr. */
    public static Launcher.Outcome run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), command + " did not finish");
        return new Launcher.Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8).strip());
    }

    /** {@code link} made a symbolic link to {@code target}, through a second link (as /usr/sbin to /etc/alternatives). */
    public static Path linkTwice(Path dir, String name, Path target) throws IOException {
        Path first = Files.createSymbolicLink(dir.resolve(name + ".alternative"), target);
        Files.createDirectories(dir.resolve("sbin"));
        return Files.createSymbolicLink(dir.resolve("sbin").resolve(name), first);
    }
}
