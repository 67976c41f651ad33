package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.python.core.Py;
import org.python.core.PyObject;

/**
 * Modules loaded with shared compiled code must be indistinguishable from Jython's own imports, and as fresh in
 * every interpreter state.
 */
class CachingImporterTest {
    @TempDir
    Path dir;

    private PythonPath userPath() {
        return new PythonPath(List.of(dir.toString()), List.of());
    }

    /** What a module looks like from Python: where it came from and what it defines. */
    private static String describe(PythonRuntime runtime, String module) {
        PyObject globals = Python.exec(runtime, """
                import sys, %s
                m = sys.modules['%s']
                description = repr((m.__name__, getattr(m, '__file__', None), getattr(m, '__path__', None),
                                    type(getattr(m, '__loader__', None)).__name__, sorted(vars(m).keys())))
                """.formatted(module, module));
        return globals.__finditem__("description").toString();
    }

    /** A runtime that imports as plain Jython does: harpd's importer taken off the meta path. */
    private PythonRuntime withoutCache() {
        PythonRuntime runtime = PythonRuntime.create(userPath());
        runtime.eval(() -> {
            PyObject metaPath = Py.getSystemState().meta_path;
            for (int i = metaPath.__len__() - 1; i >= 0; i--) {
                if (metaPath.__getitem__(i).__tojava__(Object.class) instanceof CachingImporter) {
                    metaPath.__delitem__(Py.newInteger(i));
                }
            }
            return null;
        });
        return runtime;
    }

    @Test
    void modulesLookAsJythonsOwnImportsMakeThem() throws Exception {
        Files.writeString(dir.resolve("usermod.py"), "import os\nvalue = 1\n");
        Files.createDirectories(dir.resolve("userpkg"));
        Files.writeString(dir.resolve("userpkg/__init__.py"), "from userpkg import sub\n");
        Files.writeString(dir.resolve("userpkg/sub.py"), "x = 2\n");
        for (String module : List.of("os", "posixpath", "json", "json.decoder", "harpd", "harpd.proc",
                "harpd.auth.passfile", "usermod", "userpkg", "userpkg.sub")) {
            assertEquals(describe(withoutCache(), module), describe(PythonRuntime.create(userPath()), module), module);
        }
    }

    @Test
    void everyStateGetsItsOwnModulesFromSharedCode() throws Exception {
        Files.writeString(dir.resolve("counter.py"), "hits = []\n");
        PythonRuntime first = PythonRuntime.create(userPath());
        Python.exec(first, "import counter, os\ncounter.hits.append(1)\nos.changed = True\n");
        int compiled = CompiledModules.size();
        PythonRuntime second = PythonRuntime.create(userPath());
        PyObject seen = Python.exec(second, "import counter, os\nhits = counter.hits\nchanged = hasattr(os, 'changed')\n");
        assertEquals("[]", seen.__finditem__("hits").toString());
        assertEquals(Py.False, seen.__finditem__("changed"));
        assertNotSame(first.importModule("counter"), second.importModule("counter"));
        assertEquals(compiled, CompiledModules.size(), "the second state compiled nothing new");
    }

    @Test
    void aSourceEditedOnDiskIsCompiledAgainEvenWithTheSameTimeAndSize() throws Exception {
        Path module = dir.resolve("edited.py");
        Files.writeString(module, "value = 1\n");
        FileTime time = Files.getLastModifiedTime(module);
        assertEquals(1, PythonRuntime.create(userPath()).importModule("edited").__getattr__("value").asInt());
        Files.writeString(module, "value = 2\n");
        Files.setLastModifiedTime(module, time);
        assertEquals(2, PythonRuntime.create(userPath()).importModule("edited").__getattr__("value").asInt());
    }

    @Test
    void theFirstPlaceOnThePathStillWins() throws Exception {
        Files.writeString(dir.resolve("stat.py"), "mine = True\n");
        PyObject stat = PythonRuntime.create(userPath()).importModule("stat");
        assertEquals(Py.True, stat.__getattr__("mine"));
        assertEquals(dir.resolve("stat.py").toString(), stat.__getattr__("__file__").toString());
    }

    @Test
    void aDirectoryWithoutInitIsLeftToJython() throws Exception {
        Files.createDirectories(dir.resolve("notapackage"));
        Files.writeString(dir.resolve("notapackage.py"), "value = 3\n");
        assertEquals(describe(withoutCache(), "notapackage"),
                describe(PythonRuntime.create(userPath()), "notapackage"));
    }
}
