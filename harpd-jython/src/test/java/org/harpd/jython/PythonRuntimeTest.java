package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.python.core.PyObject;

class PythonRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void pathIsLibThenPrependThenDefaultThenAppend() {
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of("/p1", "/p2"), List.of("/a1")));
        List<String> path = runtime.path();
        assertEquals(PythonRuntime.pythonLibDirectory().toString(), path.get(0));
        assertEquals(List.of("/p1", "/p2"), path.subList(1, 3));
        assertEquals("/a1", path.get(path.size() - 1));
        assertFalse(path.contains(""), "the working directory is not on the path: " + path);
        assertTrue(path.size() > 4, "Jython's own entries stay: " + path);
    }

    /**
     * Jython's default path ends in {@code __classpath__} and {@code __pyclasspath__/}, which its class loader and
     * import also take as directories under the working directory: a {@code genericpath.class} planted there ran
     * its static initialiser in every root interpreter.
     */
    @Test
    void noPathEntryIsRelativeToTheWorkingDirectory() {
        PythonRuntime runtime = PythonRuntime.create(PythonPath.NONE);
        for (String entry : runtime.path()) {
            assertTrue(Path.of(entry).isAbsolute(), "relative entry " + entry + " in " + runtime.path());
        }
        assertEquals(Path.of("").toAbsolutePath().toString(),
                runtime.importModule("os").invoke("getcwd").toString());
        // Java packages and classes are still imported without the markers
        PyObject hashMap = runtime.eval(() -> {
            org.python.core.PyStringMap globals = new org.python.core.PyStringMap();
            org.python.core.Py.exec(org.python.core.Py.compile_flags(
                    "import java.util.concurrent\nfrom java.util import HashMap\nimport java.util.zip as z\n",
                    "<test>", org.python.core.CompileMode.exec, new org.python.core.CompilerFlags()), globals, globals);
            return globals.__getitem__("HashMap");
        });
        assertEquals(java.util.HashMap.class, hashMap.__tojava__(Class.class));
    }

    @Test
    void runtimesAreIndependent() throws Exception {
        Files.writeString(dir.resolve("counter.py"), "count = 0\n");
        PythonPath path = new PythonPath(List.of(dir.toString()), List.of());
        PythonRuntime first = PythonRuntime.create(path);
        PythonRuntime second = PythonRuntime.create(path);
        PyObject a = first.importModule("counter");
        PyObject b = second.importModule("counter");
        assertNotSame(a, b);
        first.eval(() -> {
            a.__setattr__("count", org.python.core.Py.newInteger(5));
            return null;
        });
        assertEquals(5, first.importModule("counter").__getattr__("count").asInt());
        assertEquals(0, b.__getattr__("count").asInt());
    }

    @Test
    void importModuleReturnsTheLeafModule() {
        PyObject passfile = Python.runtime().importModule("harpd.auth.passfile");
        assertEquals("harpd.auth.passfile", passfile.__getattr__("__name__").toString());
    }

    @Test
    void noBytecodeIsWrittenBesideSources() throws Exception {
        Files.writeString(dir.resolve("plain.py"), "x = 1\n");
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(dir.toString()), List.of()));
        runtime.importModule("plain");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("plain.py"), files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
