package org.harpd.workerprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {
    @Test
    void callLineRoundTripsNamesAndNumbers() throws Exception {
        Identity identity = new Identity(IdRef.ofName("nobody"), List.of(IdRef.ofId(100), IdRef.ofName("adm")));
        byte[] line = WorkerProtocol.call("add", Json.MAPPER.readTree("{\"a\": 1}"), identity);
        assertEquals("{\"after\": \"exit\", \"call\": {\"arguments\": {\"a\": 1}, \"groups\": [100, \"adm\"], \"procedure\": \"add\", "
                + "\"user\": \"nobody\"}}\n", new String(line, StandardCharsets.UTF_8));

        WorkerProtocol.CallCommand call = WorkerProtocol.parseCall(Json.MAPPER.readTree(line));
        assertEquals("add", call.procedure());
        assertEquals(identity, call.identity());
        assertEquals(WorkerProtocol.After.EXIT, call.after());
        for (WorkerProtocol.After after : WorkerProtocol.After.values()) {
            assertEquals(after, WorkerProtocol.parseCall(Json.MAPPER.readTree(
                    WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), identity, after))).after());
        }
        assertEquals(Identity.UNCHANGED, WorkerProtocol.parseCall(Json.MAPPER.readTree(
                WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), Identity.UNCHANGED))).identity());
    }

    @Test
    void theListenersViewOfTheProcedureRoundTrips() throws Exception {
        Identity identity = new Identity(IdRef.ofName("nobody"), List.of());
        for (ProcedureOptions expected : List.of(
                new ProcedureOptions(true, Duration.ofMillis(2500), IdRef.ofName("nobody"), List.of(IdRef.ofId(0), IdRef.ofName("adm"))),
                new ProcedureOptions(false, null, null, List.of()))) {
            byte[] line = WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), identity, WorkerProtocol.After.KEEP,
                    expected);
            assertEquals(expected, WorkerProtocol.parseCall(Json.MAPPER.readTree(line)).expected());
        }
        assertNull(WorkerProtocol.parseCall(Json.MAPPER.readTree(
                WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), identity))).expected());
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"call\": {\"procedure\": \"f\", \"arguments\": [], \"expect\": {\"gid\": []}}}")));
    }

    @Test
    void malformedCallsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> WorkerProtocol.parseCall(Json.MAPPER.readTree("{\"call\": {\"procedure\": \"f\", \"arguments\": 1}}")));
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"call\": {\"procedure\": \"f\", \"arguments\": [], \"user\": 1.5}}")));
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"after\": \"later\", \"call\": {\"procedure\": \"f\", \"arguments\": []}}")));
    }

    @Test
    void kindIsTheFirstKey() {
        assertEquals("stream", WorkerProtocol.kind("{\"stream\": [1, 2]}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("error", WorkerProtocol.kind("{\"error\": {}, \"harp\": 1}\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(WorkerProtocol.kind("noise\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(WorkerProtocol.kind("[1]\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void workerArgumentsRoundTrip() {
        WorkerArguments args = new WorkerArguments(Path.of("/etc/harpd/procs.py"),
                new PythonPath(List.of("/a", "/b"), List.of("/c")));
        assertEquals(args, WorkerArguments.parse(args.toArgs().toArray(String[]::new)));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--python-append", "/x"}));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--procedures"}));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--bogus", "1"}));
    }
}
