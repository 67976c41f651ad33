package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.harpd.client.HarpClient;
import org.junit.jupiter.api.Test;

/**
 * The isolation levels with real Jython: what a procedures module's globals keep between calls, and which
 * worker process serves them. One worker at most ({@code spare: 0, max: 1}) where consecutive calls must meet
 * the same worker: a call arriving while that worker prepares waits for it instead of taking a spare.
 */
class IsolationIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure
            import os

            calls = [0]

            @procedure
            def count():
                calls[0] += 1
                return {"count": calls[0], "pid": os.getpid()}

            @procedure
            def fresh_count():
                return count()
            """;

    private static List<JsonNode> threeCalls(String workersConfig) throws Exception {
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).config(workersConfig).start()) {
            HarpClient client = daemon.client().build();
            List<JsonNode> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(client.call("count"));
            }
            return answers;
        }
    }

    private static List<Integer> counts(List<JsonNode> answers) {
        return answers.stream().map(a -> a.path("count").asInt()).toList();
    }

    private static List<Long> pids(List<JsonNode> answers) {
        return answers.stream().map(a -> a.path("pid").asLong()).toList();
    }

    @Test
    void sharedKeepsModuleGlobalsBetweenCallsOfOneWorker() throws Exception {
        List<JsonNode> answers = threeCalls("workers:\n  isolation: shared\n  spare: 0\n  max: 1\n");
        assertEquals(List.of(1, 2, 3), counts(answers));
        assertEquals(1, pids(answers).stream().distinct().count(), "one worker served all: " + pids(answers));
    }

    @Test
    void interpreterExecutesTheModuleAfreshForEveryCallOfOneWorker() throws Exception {
        List<JsonNode> answers = threeCalls("workers:\n  isolation: interpreter\n  spare: 0\n  max: 1\n");
        assertEquals(List.of(1, 1, 1), counts(answers));
        assertEquals(1, pids(answers).stream().distinct().count(), "one worker served all: " + pids(answers));
    }

    @Test
    void processRunsEveryCallInANewWorker() throws Exception {
        List<JsonNode> answers = threeCalls("workers:\n  isolation: process\n");
        assertEquals(List.of(1, 1, 1), counts(answers));
        assertEquals(3, pids(answers).stream().distinct().count(), "a worker per call: " + pids(answers));
    }

    @Test
    void aProcedureCanHaveAnIsolationOfItsOwn() throws Exception {
        String config = "workers:\n  isolation: process\n  procedure_isolation:\n    count: shared\n";
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).config(config).start()) {
            HarpClient client = daemon.client().build();
            List<JsonNode> shared = new ArrayList<>();
            List<JsonNode> fresh = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                shared.add(client.call("count"));
                fresh.add(client.call("fresh_count"));
            }
            assertEquals(List.of(1, 2, 3), counts(shared));
            assertEquals(List.of(1, 1, 1), counts(fresh), "process level: the module is new for every call");
            assertEquals(3, pids(fresh).stream().distinct().count(), "a worker per call: " + pids(fresh));
            pids(fresh).forEach(pid -> assertFalse(pids(shared).contains(pid),
                    "a process-level call ran in the shared worker " + pid));
        }
    }
}
