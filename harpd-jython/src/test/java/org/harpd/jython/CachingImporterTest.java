package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
        // Jython warns and moves on; with no Java package by that name either, the import fails in both
        assertEquals(importOutcomes(withoutCache(), "import notapackage"),
                importOutcomes(PythonRuntime.create(userPath()), "import notapackage"));
    }

    /** What a piece of Python sees of its imports: each outcome, then sys.modules and the types on sys.path. */
    private static String importOutcomes(PythonRuntime runtime, String... statements) {
        StringBuilder code = new StringBuilder("import sys\noutcomes = []\n");
        for (String statement : statements) {
            code.append("try:\n    ").append(statement).append("\n    outcomes.append('ok')\n")
                    .append("except BaseException as e:\n    outcomes.append((type(e).__name__, str(e)))\n");
        }
        code.append("outcomes.append(sorted(k for k, v in sys.modules.items() if v is not None))\n")
                .append("outcomes.append(sorted(k for k, v in sys.modules.items() if v is None))\n")
                .append("outcomes.append([type(p).__name__ for p in sys.path])\n");
        return Python.exec(runtime, code.toString()).__finditem__("outcomes").toString();
    }

    @Test
    void missesEndAsJythonsOwnDo() {
        String[] statements = {"from _warnings import filters, warn", "import _harpd_nosuch", "import _harpd_nosuch.sub",
            "from _harpd_nosuch import x", "import os.nosuch", "from os import nosuch", "import json.nosuch",
            "import java.util", "from java.util import ArrayList", "from java import util", "import javax.net",
            "from org.harpd.jython import CachingImporter", "import org.python.core.Py",
            "__import__('_harpd_nosuch', globals(), {}, ['a', 'b'])", "__import__('_harpd_nosuch', level=0)"};
        String jythons = importOutcomes(withoutCache(), statements);
        PythonRuntime cached = PythonRuntime.create(userPath());
        long answered = CachingImporter.missesAnswered();
        assertEquals(jythons, importOutcomes(cached, statements));
        assertEquals(6, CachingImporter.missesAnswered() - answered, "top-level misses answered without Java search");
    }

    @Test
    void aModuleThatAppearsAfterAMissIsFound() throws Exception {
        PythonRuntime first = PythonRuntime.create(userPath());
        assertEquals("[('ImportError', 'No module named latecomer')]",
                Python.exec(first, "r = []\ntry:\n    import latecomer\nexcept ImportError as e:\n    r.append(("
                        + "type(e).__name__, str(e)))\n").__finditem__("r").toString());
        Files.writeString(dir.resolve("latecomer.py"), "value = 4\n");
        assertEquals(4, first.importModule("latecomer").__getattr__("value").asInt(), "the same state");
        assertEquals(4, PythonRuntime.create(userPath()).importModule("latecomer").__getattr__("value").asInt());
        Files.createDirectories(dir.resolve("latepkg"));
        Files.writeString(dir.resolve("latepkg/__init__.py"), "value = 5\n");
        assertEquals(5, first.importModule("latepkg").__getattr__("value").asInt());
    }

    @Test
    void pythonCodeAskingTheMetaPathStillSeesNoLoaderForAMissingModule() {
        PyObject seen = Python.exec(PythonRuntime.create(userPath()),
                "import pkgutil, sys\nloader = pkgutil.find_loader('_harpd_nosuch')\n"
                        + "finders = [f.find_module('_harpd_nosuch') for f in sys.meta_path]\n");
        assertEquals(Py.None, seen.__finditem__("loader"));
        // harpd's caching importer and its hook for the Linux modules (fcntl, resource, ...) answer None too
        String finders = seen.__finditem__("finders").toString();
        assertTrue(finders.matches("\\[None(, None)+]"), finders);
    }

    @Test
    void aJavaClassInASysPathDirectoryIsStillImported() throws Exception {
        Path source = dir.resolve("src/javapkg/Hello.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package javapkg; public class Hello { public static int answer() { return 42; } }");
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "-d", dir.toString(), source.toString()));
        String[] statements = {"from javapkg import Hello; assert Hello.answer() == 42", "import javapkg.Hello"};
        assertEquals(importOutcomes(withoutCache(), statements),
                importOutcomes(PythonRuntime.create(userPath()), statements));
        assertEquals("['ok', 'ok',", importOutcomes(PythonRuntime.create(userPath()), statements).substring(0, 12));
    }

    @Test
    void topLevelNamesOfTheClassPathAndModules() {
        JavaNames names = JavaNames.get();
        for (String present : List.of("java", "javax", "jdk", "org", "com")) {
            assertEquals(true, names.mayHave(present), present);
        }
        for (String absent : List.of("_warnings", "_harpd_nosuch", "os")) {
            assertEquals(false, names.mayHave(absent), absent);
        }
    }
}
