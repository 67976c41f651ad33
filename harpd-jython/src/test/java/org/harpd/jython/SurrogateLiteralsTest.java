package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.python.core.Py;
import org.python.core.PyCode;
import org.python.core.PyObject;
import org.python.core.PyStringMap;

/**
 * Unicode literals with surrogate escapes load, in a procedures file and in a module it imports, with the values
 * CPython 2.7.18 gives them: {@code surrogates/surrogate_literals.expected} is that module's {@code report()}
 * under {@code python2.7}.
 */
class SurrogateLiteralsTest {
    @TempDir
    Path dir;

    private static byte[] source() throws IOException {
        try (var in = SurrogateLiteralsTest.class.getResourceAsStream("/surrogates/surrogate_literals.py")) {
            return in.readAllBytes();
        }
    }

    private static List<String> expected() throws IOException {
        try (var in = SurrogateLiteralsTest.class.getResourceAsStream("/surrogates/surrogate_literals.expected")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static List<String> lines(PyObject report) {
        List<String> lines = new ArrayList<>();
        for (PyObject line : report.__call__().asIterable()) {
            lines.add(line.toString());
        }
        return lines;
    }

    @Test
    void aModuleImportedFromThePath() throws Exception {
        Files.write(dir.resolve("surrogate_literals.py"), source());
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(dir.toString()), List.of()));
        PyObject module = runtime.importModule("surrogate_literals");
        assertEquals(expected(), runtime.eval(() -> lines(module.__getattr__("report"))));
        // a pair is the one character it encodes (CPython's UCS-4 build keeps two)
        assertEquals("[True, 1, True, 3]", runtime.eval(() -> Python.exec(runtime,
                "import surrogate_literals as m\nv = repr([m.PAIR == u'\\U0001f600', len(m.PAIR), "
                        + "m.TRIPLE == u'x\\U0010ffffy', len(m.TRIPLE)])").__finditem__("v").toString()));
        // docstrings stay docstrings: a pair as its character, an unpaired surrogate as U+FFFD
        assertEquals("u'Module doc \\U0001f600 and \\ufffd.'", runtime.eval(() -> module.__getattr__("__doc__").__repr__().toString()));
        assertEquals("u'Function doc \\ufffd'", runtime.eval(() -> module.__getattr__("f").__getattr__("__doc__").__repr__().toString()));
        assertEquals("u'Class doc \\U0001f600'", runtime.eval(() -> module.__getattr__("C").__getattr__("__doc__").__repr__().toString()));
    }

    @Test
    void aProceduresFile() throws Exception {
        Path file = dir.resolve("harpd.py");
        PyCode code = ProceduresFile.compile(file, source());
        PyObject report = Python.runtime().eval(() -> {
            PyObject globals = new PyStringMap();
            globals.__setitem__("__builtins__", Py.getSystemState().getBuiltins());
            globals.__setitem__("__name__", Py.newString("procedures"));
            Py.runCode(code, globals, globals);
            return globals.__finditem__("report");
        });
        assertEquals(expected(), Python.runtime().eval(() -> lines(report)));
    }

    @Test
    void aSourceWithoutSurrogateEscapesIsCompiledAsItIs() {
        byte[] source = "x = u\"\\u00e9\\U0001f600\"\ny = '\\ud800'\n# u\"\\ud800\" in a comment\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] plainComment = "x = 1  # u\"\\ud800\"\n".getBytes(StandardCharsets.UTF_8);
        assertSame(source, SurrogateLiterals.rewrite(source));
        assertSame(plainComment, SurrogateLiterals.rewrite(plainComment));
    }

    @Test
    void aPairBecomesTheEscapeOfItsCharacter() {
        byte[] source = "x = u\"a\\uD83D\\ude00b\"\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("x = u\"a\\U0001f600b\"\n", new String(SurrogateLiterals.rewrite(source), StandardCharsets.UTF_8));
    }

    @Test
    void statementsOnSeparateLinesAreNotJoined() {
        byte[] source = "x = u\"\\ud800\"\nu\"next statement\"\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("x = " + SurrogateLiterals.FUNCTION + "(u\"\\U000f0000\")\nu\"next statement\"\n",
                new String(SurrogateLiterals.rewrite(source), StandardCharsets.UTF_8));
    }
}
