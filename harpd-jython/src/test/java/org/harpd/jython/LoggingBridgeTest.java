package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.logging.LoggingSetup;
import org.harpd.logging.PythonLogBridge;
import org.junit.jupiter.api.AfterEach;
import org.python.core.Py;
import org.python.core.PyObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Python's logging in an embedded interpreter hands every record to {@link PythonLogBridge}. */
class LoggingBridgeTest {
    record Entry(String name, int levelno, String message, double created, long process) {
    }

    private final List<Entry> received = new ArrayList<>();

    @BeforeEach
    void captureRecords() {
        PythonLogBridge.routeTo((name, levelno, message, created, process) -> {
            synchronized (received) {
                received.add(new Entry(name, levelno, message, created, process));
            }
        });
    }

    @AfterEach
    void backToTheHandlers() {
        PythonLogBridge.routeTo(LoggingSetup::forward);
    }

    private List<Entry> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Test
    void recordKeepsLoggerNameLevelFormattedMessageTimeAndPid() {
        double before = System.currentTimeMillis() / 1e3;
        Python.exec("import logging\nlogging.getLogger('procs').warning('x %s', 1)\n");
        List<Entry> entries = received();
        assertEquals(1, entries.size(), entries.toString());
        Entry entry = entries.get(0);
        assertEquals("procs", entry.name());
        assertEquals(30, entry.levelno());
        assertEquals("x 1", entry.message());
        assertEquals(ProcessHandle.current().pid(), entry.process());
        assertTrue(entry.created() >= before - 1 && entry.created() <= System.currentTimeMillis() / 1e3 + 1,
                "created is the record's time in seconds: " + entry.created());
    }

    /** Without -l the original's root logger was at INFO in the process that ran the procedures; so is ours. */
    @Test
    void rootLoggerIsAtInfoWithoutConfiguration() {
        PyObject ns = Python.exec("import logging\nlevel = logging.getLogger('a.b').getEffectiveLevel()\n"
                + "logging.getLogger('a.b').debug('fine detail')\nlogging.getLogger('a.b').info('news')\n");
        assertEquals(20, ns.__finditem__("level").asInt());
        assertEquals(List.of("a.b:20:news"), names(received()));
    }

    /** A worker JVM's loggers get the levels the listener's configuration gives them, passed as a property. */
    @Test
    void loggersGetTheConfiguredLevelsInAWorker() {
        System.setProperty(PythonLogBridge.LEVELS_PROPERTY,
                "30:,10:procs.detail,40:" + URLEncoder.encode("odd,name:x", StandardCharsets.UTF_8));
        PythonRuntime fresh = PythonRuntime.create(PythonPath.NONE);
        try {
            PyObject ns = Python.exec(fresh, """
                    import logging
                    levels = [logging.getLogger().getEffectiveLevel(), logging.getLogger('procs').getEffectiveLevel(),
                              logging.getLogger('procs.detail.x').getEffectiveLevel(),
                              logging.getLogger('odd,name:x').level, logging.getLogger().isEnabledFor(logging.INFO)]
                    logging.getLogger('procs').info('dropped')
                    logging.getLogger('procs.detail').debug('kept')
                    """);
            assertEquals("[30, 30, 10, 40, False]", ns.__finditem__("levels").toString());
            assertEquals(List.of("procs.detail:10:kept"), names(received()));
        } finally {
            System.clearProperty(PythonLogBridge.LEVELS_PROPERTY);
            fresh.close();
        }
    }

    private static List<String> names(List<Entry> entries) {
        return entries.stream().map(e -> e.name() + ":" + e.levelno() + ":" + e.message()).toList();
    }

    @Test
    void exceptionRecordCarriesTheTraceback() {
        Python.exec("import logging\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
                + "    logging.getLogger('procs').exception('failed')\n");
        String message = received().get(0).message();
        assertTrue(message.startsWith("failed\nTraceback (most recent call last):"), message);
        assertTrue(message.endsWith("ZeroDivisionError: integer division or modulo by zero"), message);
        assertEquals(40, received().get(0).levelno());
    }

    @Test
    void utf8ByteStringsAreDecoded() {
        Python.exec("import logging\nlogging.getLogger('procs').info('caf\\xc3\\xa9')\n");
        assertEquals("café", received().get(0).message());
    }

    @Test
    void aNewInterpreterDoesNotImportLoggingUntilItsCodeDoes() {
        PythonRuntime fresh = PythonRuntime.create(PythonPath.NONE);
        try {
            assertFalse(fresh.eval(() -> Py.getSystemState().modules.__finditem__("logging") != null),
                    "creating an interpreter imports logging");
            Python.exec(fresh, "import logging.handlers\nlogging.getLogger('procs').warning('first')\n");
            Python.exec(fresh, "from logging import getLogger\ngetLogger('procs').warning('second')\n");
            assertEquals(List.of("procs:first", "procs:second"),
                    received().stream().map(e -> e.name() + ":" + e.message()).toList());
        } finally {
            fresh.close();
        }
    }

    @Test
    void eachNewInterpreterGetsItsOwnBridgeOnItsFirstImport() {
        for (int i = 0; i < 2; i++) {
            PythonRuntime fresh = PythonRuntime.create(PythonPath.NONE);
            try {
                Python.exec(fresh, "import logging\nlogging.getLogger('procs').error('from %d', " + i + ")\n");
            } finally {
                fresh.close();
            }
        }
        assertEquals(List.of("from 0", "from 1"), received().stream().map(Entry::message).toList());
    }

    @Test
    void basicConfigByAProcedureAddsNoSecondHandler() {
        Python.exec("import logging\nlogging.basicConfig()\nlogging.getLogger('procs').error('once')\n");
        assertEquals(1, received().size(), received().toString());
    }
}
