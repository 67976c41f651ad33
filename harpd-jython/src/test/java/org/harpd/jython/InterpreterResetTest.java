package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code interpreter} isolation level inside one worker: after {@link JythonWorkerRuntime#reset}, the next call
 * sees nothing a previous call changed. Each test changes one thing in {@code change}, then {@code look} (the
 * same in every test) reports what a call sees; the report after a reset must equal the one before the change.
 */
class InterpreterResetTest {
    @TempDir
    Path dir;

    /** Module code of the procedures file: a module-level mutable value and the modules the tests touch. */
    private static final String HEADER = """
            from harpd.proc import procedure
            import os, sys, logging, helper

            counter = [0]
            table = {"a": 1}
            class Config(object):
                level = 1
            class Classic:
                level = 1
            def with_default(x, seen=[]):
                seen.append(x)
                return len(seen)
            def make_closure():
                box = []
                def add():
                    box.append(1)
                    return len(box)
                return add
            closure_add = make_closure()
            """;

    private String procedures(String change, String look) {
        return HEADER + "\n@procedure\ndef change():\n" + change.indent(4) + "    return None\n\n"
                + "@procedure\ndef look():\n" + look.indent(4);
    }

    private JythonWorkerRuntime worker(String change, String look) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("helper.py"), "calls = []\n");
        Files.writeString(lib.resolve("late.py"), "value = 1\n");
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, procedures(change, look));
        JythonWorkerRuntime worker = new JythonWorkerRuntime(file,
                new PythonPath(List.of(lib.toString()), List.of()));
        worker.load();
        worker.checkpoint();
        return worker;
    }

    private static String call(JythonWorkerRuntime worker, String procedure) throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.call(procedure, Json.MAPPER.readTree("[]"), out);
        assertEquals(1, out.lines.size(), out.lines.toString());
        return out.lines.get(0);
    }

    /**
     * {@code look} before any change, after {@code change} (which must show there: the test sees what it
     * checks), and after a reset (which must equal the first).
     */
    private void assertUndone(String change, String look) throws Exception {
        JythonWorkerRuntime worker = worker(change, look);
        String before = call(worker, "look");
        worker.reset();
        assertTrue(call(worker, "change").startsWith("{\"result\""), "change ran");
        String changed = call(worker, "look");
        assertTrue(!changed.equals(before), "the change is visible before the reset: " + changed);
        worker.reset();
        assertEquals(before, call(worker, "look"), "after the reset");
        worker.reset();
        call(worker, "change");
        worker.reset();
        assertEquals(before, call(worker, "look"), "after a second change and reset");
    }

    @Test
    void moduleLevelListMutatedInPlace() throws Exception {
        assertUndone("counter[0] += 1\ncounter.append(5)", "return counter");
    }

    @Test
    void moduleGlobalRebound() throws Exception {
        assertUndone("global table\ntable = {'b': 2}", "return table");
    }

    @Test
    void moduleLevelDictMutated() throws Exception {
        assertUndone("table['c'] = 3\ndel table['a']", "return sorted(table.items())");
    }

    @Test
    void helperModuleState() throws Exception {
        assertUndone("helper.calls.append(1)\nhelper.extra = 2", "return [len(helper.calls), hasattr(helper, 'extra')]");
    }

    @Test
    void stdlibModuleMonkeypatched() throws Exception {
        assertUndone("os.getpid = lambda: -1\nos.path.join = None", "return [os.getpid() > 0, os.path.join('a', 'b')]");
    }

    @Test
    void environment() throws Exception {
        assertUndone("os.environ['HARPD_RESET_TEST'] = 'x'\nos.putenv('HARPD_RESET_TEST2', 'y')",
                "return [os.environ.get('HARPD_RESET_TEST'), os.environ.get('HARPD_RESET_TEST2'), len(os.environ)]");
    }

    @Test
    void environmentSeenByChildProcesses() throws Exception {
        assertUndone("os.environ['HARPD_RESET_TEST'] = 'x'", """
                import subprocess
                return subprocess.check_output(['sh', '-c', 'echo "[$HARPD_RESET_TEST]"'])""");
    }

    @Test
    void timeZone() throws Exception {
        assertUndone("import time\nos.environ['TZ'] = 'Asia/Tokyo'\ntime.tzset()",
                "import time\nreturn [time.timezone, time.tzname, time.localtime(0)[3], time.strftime('%Z', time.localtime(0))]");
    }

    @Test
    void workingDirectory() throws Exception {
        assertUndone("os.chdir('/tmp')", "return [os.getcwd(), os.path.abspath('x')]");
    }

    @Test
    void importedModulesAreForgotten() throws Exception {
        assertUndone("import late\nlate.value = 2", "return ['late' in sys.modules, sorted(k for k in sys.modules if k == 'late')]");
    }

    @Test
    void sysPathAndAttributes() throws Exception {
        assertUndone("sys.path.insert(0, '/nowhere')\nsys.argv = ['x']\nsys.harpd_mark = 1\nsys.setrecursionlimit(77)",
                "return [sys.path[0], sys.argv, hasattr(sys, 'harpd_mark'), sys.getrecursionlimit()]");
    }

    @Test
    void sysStreamsAndHooks() throws Exception {
        assertUndone("import StringIO\nsys.stdout = StringIO.StringIO()\nsys.excepthook = None\nsys.exitfunc = len",
                "return [type(sys.stdout).__name__, sys.excepthook is None, hasattr(sys, 'exitfunc')]");
    }

    @Test
    void classAttributes() throws Exception {
        assertUndone("Config.level = 2\nConfig.added = 3\nClassic.level = 2\nClassic.added = 3",
                "return [Config.level, hasattr(Config, 'added'), Classic.level, hasattr(Classic, 'added'), Config().level]");
    }

    @Test
    void mutableDefaultsAndClosures() throws Exception {
        assertUndone("with_default(1)\nwith_default.__defaults__ = (None,)\nclosure_add()",
                "return [with_default.__defaults__[0], closure_add()]");
    }

    @Test
    void loggingConfiguration() throws Exception {
        assertUndone("""
                logging.getLogger('harpd.test').addHandler(logging.StreamHandler())
                logging.getLogger('harpd.test').setLevel(logging.ERROR)
                logging.getLogger('per.request.name')""",
                "return [len(logging.getLogger('harpd.test').handlers), logging.getLogger('harpd.test').level, "
                        + "'per.request.name' in logging.Logger.manager.loggerDict]");
    }

    @Test
    void filesLeftOpenAreClosed() throws Exception {
        Path data = dir.resolve("data.txt");
        JythonWorkerRuntime worker = worker("helper.f = open(" + Json.MAPPER.writeValueAsString(data.toString())
                + ", 'w', -1)\nhelper.f.write('written')", "return hasattr(helper, 'f')");
        call(worker, "change");
        // explicitly buffered: open(p, 'w') without a buffering argument would have written through at once
        assertEquals("", Files.readString(data), "still buffered in the open file");
        worker.reset();
        assertEquals("written", Files.readString(data), "the reset closed (and so flushed) the file");
        assertEquals("{\"result\": false}", call(worker, "look"));
    }

    @Test
    void moduleCodeRunsOnceNotPerCall() throws Exception {
        Path mark = dir.resolve("mark");
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, """
                from harpd.proc import procedure
                with open(%s, 'a') as f:
                    f.write('x')
                @procedure
                def nothing():
                    return None
                """.formatted(Json.MAPPER.writeValueAsString(mark.toString())));
        JythonWorkerRuntime worker = new JythonWorkerRuntime(file, PythonPath.NONE);
        worker.load();
        worker.checkpoint();
        for (int i = 0; i < 5; i++) {
            call(worker, "nothing");
            worker.reset();
        }
        assertEquals("x", Files.readString(mark), "the module code ran once, at load");
    }
}
