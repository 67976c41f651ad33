package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProceduresFileTest {
    @TempDir
    Path dir;

    private Path write(String source) throws Exception {
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        return file;
    }

    private JythonCatalog load(String source) throws Exception {
        return ProceduresFile.load(Python.runtime(), write(source));
    }

    private ProcedureLoadException failure(String source) throws Exception {
        Path file = write(source);
        return assertThrows(ProcedureLoadException.class, () -> ProceduresFile.load(Python.runtime(), file));
    }

    @Test
    void onlyProcedureGlobalsAreExposedWithTheirOptions() throws Exception {
        JythonCatalog catalog = load("""
                from harpd.proc import procedure, streaming_procedure, Procedure, Result
                import os

                def helper():
                    pass

                @procedure
                def add(a, b=1):
                    return a + b

                @procedure(timeout=1.5, uid="nobody", gid=["nogroup", 100])
                def limited(*args, **kwargs):
                    return args

                @streaming_procedure(timeout=7, uid=65534, gid="users")
                def counting(n):
                    yield Result(n)

                alias = add
                NUMBER = 5
                """);
        assertEquals(List.of("add", "alias", "counting", "limited"),
                catalog.all().stream().map(ProcedureInfo::name).toList());
        ProcedureInfo add = catalog.find("add").orElseThrow();
        assertFalse(add.streaming());
        assertEquals(new Signature(List.of("a", "b"), 1, null, null), add.signature());
        assertNull(add.timeout());
        assertNull(add.user());
        assertTrue(add.groups().isEmpty());

        ProcedureInfo limited = catalog.find("limited").orElseThrow();
        assertEquals(new Signature(List.of(), 0, "args", "kwargs"), limited.signature());
        assertEquals(Duration.ofMillis(1500), limited.timeout());
        assertEquals(IdRef.ofName("nobody"), limited.user());
        assertEquals(List.of(IdRef.ofName("nogroup"), IdRef.ofId(100)), limited.groups());

        ProcedureInfo counting = catalog.find("counting").orElseThrow();
        assertTrue(counting.streaming());
        assertEquals(Duration.ofSeconds(7), counting.timeout());
        assertEquals(IdRef.ofId(65534), counting.user());
        assertEquals(List.of(IdRef.ofName("users")), counting.groups());
        assertTrue(catalog.find("helper").isEmpty());
        assertTrue(catalog.find("NUMBER").isEmpty());
    }

    @Test
    void subclassSignatureComesFromCallWithoutSelf() throws Exception {
        JythonCatalog catalog = load("""
                from harpd.proc import Procedure, StreamingProcedure
                class Greeter(Procedure):
                    def __init__(self):
                        pass
                    def __call__(self, name, greeting="hello"):
                        return greeting + " " + name
                class Lines(StreamingProcedure):
                    def __init__(self, path):
                        self.path = path
                    def __call__(self):
                        yield 1
                class Bound(object):
                    def run(self, x):
                        return x
                greet = Greeter()
                lines = Lines("/etc/passwd")
                bound = Procedure(Bound().run)
                java_callable = Procedure(len)
                tupled = Procedure(lambda a, (b, c): a)
                class Functor(object):
                    def __call__(self, x, y=0, *rest):
                        return x
                functor = Procedure(Functor())
                """);
        assertEquals(new Signature(List.of("name", "greeting"), 1, null, null),
                catalog.find("greet").orElseThrow().signature());
        ProcedureInfo lines = catalog.find("lines").orElseThrow();
        assertTrue(lines.streaming());
        assertEquals(new Signature(List.of(), 0, null, null), lines.signature());
        assertEquals(new Signature(List.of("x"), 0, null, null), catalog.find("bound").orElseThrow().signature());
        assertEquals(Signature.permissive(), catalog.find("java_callable").orElseThrow().signature());
        assertEquals(Signature.permissive(), catalog.find("tupled").orElseThrow().signature());
        assertEquals(new Signature(List.of("x", "y"), 1, "rest", null),
                catalog.find("functor").orElseThrow().signature());
    }

    @Test
    void syntaxErrorNamesFileAndLine() throws Exception {
        ProcedureLoadException e = failure("from harpd.proc import procedure\n\n@procedure\ndef f(:\n    pass\n");
        String file = dir.resolve("harpd.py").toString();
        assertEquals(file + ", line 4: SyntaxError: invalid syntax", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** What python2.7 says for each mistake (checked with CPython 2.7.18), with Jython's file and line. */
    @Test
    void parseErrorsAreWordedAsCPythonWordsThem() throws Exception {
        String file = dir.resolve("harpd.py").toString();
        assertEquals(file + ", line 1: SyntaxError: invalid syntax", failure("def f()\n    pass\n").getMessage());
        assertEquals(file + ", line 3: IndentationError: unexpected indent",
                failure("def f():\n    x = 1\n      y = 2\n").getMessage());
        assertEquals(file + ", line 1: IndentationError: unexpected indent", failure("  x = 1\n").getMessage());
        assertEquals(file + ", line 2: IndentationError: expected an indented block",
                failure("def f():\nreturn 1\n").getMessage());
        assertEquals(file + ", line 3: IndentationError: unindent does not match any outer indentation level",
                failure("def f():\n        x = 1\n    y = 2\n").getMessage());
    }

    @Test
    void importErrorNamesFileAndLineOfTheImport() throws Exception {
        ProcedureLoadException e = failure("import os\n\nimport no_such_module_here\n");
        assertEquals(dir.resolve("harpd.py") + ", line 3: ImportError: No module named no_such_module_here",
                e.getMessage());
    }

    @Test
    void errorRaisedDeeperIsReportedAtTheInnermostLineOfTheFile() throws Exception {
        ProcedureLoadException e = failure("def boom():\n    raise ValueError(u'bad \\u2603')\n\nboom()\n");
        assertEquals(dir.resolve("harpd.py") + ", line 2: ValueError: bad \u2603", e.getMessage());
    }

    @Test
    void invalidOptionsAreRefusedAtLoad() throws Exception {
        ProcedureLoadException e = failure("from harpd.proc import procedure\n"
                + "@procedure(timeout='soon')\ndef f():\n    pass\n");
        assertTrue(e.getMessage().contains("procedure f: timeout must be a number of seconds"), e.getMessage());
        ProcedureLoadException uid = failure("from harpd.proc import procedure\n"
                + "@procedure(uid=-1)\ndef f():\n    pass\n");
        assertTrue(uid.getMessage().contains("procedure f: uid must be a name or a number"), uid.getMessage());
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("absent.py");
        ProcedureLoadException e = assertThrows(ProcedureLoadException.class,
                () -> ProceduresFile.load(Python.runtime(), missing));
        assertEquals(missing + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void moduleIsNotLoadedThroughTheImportPathAndHasItsOwnName() throws Exception {
        JythonCatalog catalog = load("""
                # -*- coding: utf-8 -*-
                from harpd.proc import procedure
                NAME = __name__
                SNOWMAN = "☃"
                @procedure
                def f():
                    return NAME
                """);
        assertEquals(ProceduresFile.MODULE_NAME,
                catalog.module().__getattr__("NAME").toString());
        assertEquals(3, catalog.module().__getattr__("SNOWMAN").__len__());
    }
}
