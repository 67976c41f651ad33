package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code interpreter} isolation level: every load gives the next call fresh module state. */
class WorkerReloadTest {
    @TempDir
    Path dir;

    private static List<String> call(JythonWorkerRuntime worker, String procedure) throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.call(procedure, Json.MAPPER.readTree("[]"), out);
        return out.lines;
    }

    private JythonWorkerRuntime worker() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("shared_state.py"), "calls = []\n");
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, """
                from harpd.proc import procedure
                import os, shared_state

                counter = [0]

                @procedure
                def bump():
                    counter[0] += 1
                    shared_state.calls.append(1)
                    os.bumped = getattr(os, "bumped", 0) + 1
                    return [counter[0], len(shared_state.calls), os.bumped]
                """);
        return new JythonWorkerRuntime(file, new PythonPath(List.of(lib.toString()), List.of()));
    }

    @Test
    void globalsAndImportedModulesAreFreshAfterEveryLoad() throws Exception {
        JythonWorkerRuntime worker = worker();
        worker.load();
        assertEquals(List.of("{\"result\": [1, 1, 1]}"), call(worker, "bump"));
        assertEquals(List.of("{\"result\": [2, 2, 2]}"), call(worker, "bump"), "one state keeps its globals");
        for (int i = 0; i < 3; i++) {
            worker.load();
            assertEquals(List.of("{\"result\": [1, 1, 1]}"), call(worker, "bump"));
        }
    }

    @Test
    void laterLoadsExecuteTheFileAsFirstRead() throws Exception {
        JythonWorkerRuntime worker = worker();
        worker.load();
        // after the first load the worker may have given up the right to read the file: it keeps what it read
        Files.writeString(dir.resolve("harpd.py"), "raise RuntimeError('edited')\n");
        worker.load();
        assertEquals(List.of("{\"result\": [1, 1, 1]}"), call(worker, "bump"));
    }
}
