package org.harpd.pool;

import static org.harpd.pool.TestWorkers.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.logging.LoggingSetup;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python log records made in a worker reach the listener's configured handlers, not the call's output. */
class WorkerLogForwardingTest {
    @TempDir
    Path dir;

    private WorkerPool pool;

    @AfterEach
    void cleanUp() throws Exception {
        if (pool != null) {
            pool.close();
        }
        LoggingSetup.defaults(false);
    }

    @Test
    void logLineIsJsonWithTheRecordFields() throws Exception {
        byte[] line = WorkerProtocol.log("procs", 30, "x 1", 1700000000.25, 4242);
        assertEquals(WorkerProtocol.LOG, WorkerProtocol.kind(line));
        JsonNode log = Json.MAPPER.readTree(line).get(WorkerProtocol.LOG);
        assertEquals("procs", log.get("name").asText());
        assertEquals(30, log.get("levelno").asInt());
        assertEquals("x 1", log.get("msg").asText());
        assertEquals(1700000000.25, log.get("created").asDouble());
        assertEquals(4242, log.get("process").asLong());
    }

    @Test
    void recordFromWorkerReachesTheConfiguredFileUnderItsNameAndPid() throws Exception {
        Path logFile = dir.resolve("harpd.log");
        Path yaml = Files.writeString(dir.resolve("logging.yaml"), String.join("\n",
                "version: 1",
                "formatters:",
                "  f:",
                "    format: '%(name)s|%(process)d|%(levelname)s|%(message)s'",
                "handlers:",
                "  file:",
                "    class: logging.FileHandler",
                "    filename: " + logFile,
                "    formatter: f",
                "root:",
                "  level: INFO",
                "  handlers: [file]",
                "loggers:",
                "  quiet:",
                "    level: ERROR",
                ""));
        LoggingSetup.fromDictConfig(yaml);
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), 1, 1, 0));
        TestWorkers.await("a spare worker", () -> !pool.workerPids().isEmpty());
        long worker = pool.workerPids().get(0); // with max 1, the one that will take the first call

        RecordingSink logged = new RecordingSink();
        pool.submit(job("log", "procs", "x 1"), logged);
        assertEquals("{\"result\": \"logged\"}\n", logged.await().completed());
        assertTrue(logged.streamed().isEmpty(), "a log record is no call output");

        RecordingSink filtered = new RecordingSink();
        pool.submit(job("log", "quiet", "not shown"), filtered);
        assertEquals("{\"result\": \"logged\"}\n", filtered.await().completed());

        // The worker's line was handled before the result it preceded; the file is written synchronously.
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        assertTrue(lines.contains("procs|" + worker + "|WARNING|x 1"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("not shown")),
                "the listener applies the logger levels: " + lines);
    }
}
