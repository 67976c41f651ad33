package org.harpd.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The CPython interpreters the client tests run under: {@code -Dharpd.python3} / {@code -Dharpd.python2} first,
 * then the {@code HARP_PYTHON3} / {@code HARP_PYTHON2} environment variables (what CI sets), then the usual command
 * names and pyenv's 2.7 build.
 */
public final class Pythons {
    private Pythons() {
    }

    /** Commands to try for CPython 3, best first. */
    public static List<String> python3Candidates() {
        List<String> python3 = new ArrayList<>();
        Optional.ofNullable(System.getProperty("harpd.python3")).ifPresent(python3::add);
        Optional.ofNullable(System.getenv("HARP_PYTHON3")).ifPresent(python3::add);
        python3.add("python3");
        return python3;
    }

    /** Commands to try for CPython 2.7, best first. */
    public static List<String> python2Candidates() {
        List<String> python2 = new ArrayList<>();
        Optional.ofNullable(System.getProperty("harpd.python2")).ifPresent(python2::add);
        Optional.ofNullable(System.getenv("HARP_PYTHON2")).ifPresent(python2::add);
        python2.addAll(List.of("python2.7",
                System.getProperty("user.home") + "/.pyenv/versions/2.7.18/bin/python2.7", "python2"));
        return python2;
    }

    /** The first candidate that starts a Python with ssl and json. */
    public static Optional<String> find(List<String> candidates) {
        return candidates.stream().filter(Pythons::runs).findFirst();
    }

    /** The python-lib directory of the source tree (tests and client import root). */
    public static Path lib() {
        return Path.of(System.getProperty("harpd.python.lib", "../python-lib")).toAbsolutePath().normalize();
    }

    /** Whether the command exists and starts a Python (pyenv shims exist even for inactive versions). */
    private static boolean runs(String command) {
        if (command.contains(File.separator) && !Files.isExecutable(Path.of(command))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(command, "-c", "import ssl, json")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
