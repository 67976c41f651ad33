package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.python.core.PyObject;

/**
 * Python scripts run in harpd's Jython answer line for line what they answer under CPython 2.7. Each case is
 * {@code cpython/NAME.py}, which leaves its lines in a list {@code lines} (and prints them when run as a program),
 * with {@code cpython/NAME.expected}, its output under CPython 2.7.18 on x86-64 Linux
 * ({@code python2.7 NAME.py > NAME.expected}). A new case is a new pair of files.
 */
class CPythonOutputTest {
    @TestFactory
    Stream<DynamicTest> scriptsAnswerAsCPython() throws IOException, URISyntaxException {
        Path dir = Path.of(CPythonOutputTest.class.getResource("/cpython").toURI());
        List<Path> scripts;
        try (Stream<Path> files = Files.list(dir)) {
            scripts = files.filter(p -> p.getFileName().toString().endsWith(".py")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no scripts in " + dir);
        return scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> run(script)));
    }

    private static void run(Path script) throws IOException {
        String name = script.getFileName().toString().replaceFirst("\\.py$", "");
        List<String> expected = Files.readAllLines(script.resolveSibling(name + ".expected"), StandardCharsets.UTF_8);
        PyObject lines = Python.exec(Files.readString(script, StandardCharsets.UTF_8)).__finditem__("lines");
        List<String> got = new ArrayList<>();
        for (PyObject line : lines.asIterable()) {
            got.add(line.toString());
        }
        // line by line first, so that a failure names the first differing call
        for (int i = 0; i < Math.min(expected.size(), got.size()); i++) {
            assertEquals(expected.get(i), got.get(i), name + ", line " + (i + 1));
        }
        assertEquals(expected.size(), got.size(), name + ": number of lines");
    }
}
