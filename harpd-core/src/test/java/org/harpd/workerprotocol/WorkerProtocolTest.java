package org.harpd.workerprotocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {
    @Test
    void callLineRoundTripsNamesAndNumbers() throws Exception {
        Identity identity = new Identity(IdRef.ofName("nobody"), List.of(IdRef.ofId(100), IdRef.ofName("adm")));
        byte[] line = WorkerProtocol.call("00000000000000ff", "add", Json.MAPPER.readTree("{\"a\": 1}"), identity,
                WorkerProtocol.After.EXIT, null);
        assertEquals("{\"after\": \"exit\", \"call\": {\"arguments\": {\"a\": 1}, \"groups\": [100, \"adm\"], \"procedure\": \"add\", "
                + "\"user\": \"nobody\"}, \"id\": \"00000000000000ff\"}\n", new String(line, StandardCharsets.UTF_8));

        WorkerProtocol.CallCommand call = WorkerProtocol.parseCall(Json.MAPPER.readTree(line));
        assertEquals("00000000000000ff", call.id());
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
    void theCallerRoundTripsWithAnIdOfItsOwn() throws Exception {
        Caller caller = Caller.of("alice", "2001:db8::1:40000", "0123456789abcdef");
        assertEquals(new Caller("alice", "2001:db8::1", 40000, "0123456789abcdef"), caller);
        byte[] line = WorkerProtocol.call("00000000000000ff", "f", Json.MAPPER.createArrayNode(), Identity.UNCHANGED,
                WorkerProtocol.After.KEEP, null, caller);
        WorkerProtocol.CallCommand call = WorkerProtocol.parseCall(Json.MAPPER.readTree(line));
        assertEquals(caller, call.caller());
        assertEquals("00000000000000ff", call.id());
        assertNull(WorkerProtocol.parseCall(Json.MAPPER.readTree(
                WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), Identity.UNCHANGED))).caller());
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"call\": {\"procedure\": \"f\", \"arguments\": [], \"caller\": {\"user\": 1}}, "
                        + "\"id\": \"00000000000000ff\"}")));
    }

    @Test
    void aJobsCallerIdIsNotItsFramingId() {
        org.harpd.pool.CallJob job = new org.harpd.pool.CallJob(null, Json.MAPPER.createArrayNode(), Identity.UNCHANGED,
                "alice", "127.0.0.1:5000");
        assertTrue(WorkerProtocol.isCallId(job.caller().id()));
        assertEquals(new Caller("alice", "127.0.0.1", 5000, job.callerId()), job.caller());
    }

    @Test
    void everyCallHasAnIdOfItsOwnAndACommandWithoutOneIsRefused() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = WorkerProtocol.parseCall(Json.MAPPER.readTree(
                    WorkerProtocol.call("f", Json.MAPPER.createArrayNode(), Identity.UNCHANGED))).id();
            assertTrue(WorkerProtocol.isCallId(id), id);
            ids.add(id);
        }
        assertEquals(1000, ids.size());
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"call\": {\"procedure\": \"f\", \"arguments\": []}}")));
        assertThrows(IllegalArgumentException.class, () -> WorkerProtocol.parseCall(Json.MAPPER.readTree(
                "{\"call\": {\"procedure\": \"f\", \"arguments\": []}, \"id\": \"1\"}")));
    }

    @Test
    void linesAboutACallAreFramedWithItsIdAndOthersAreNot() {
        byte[] result = WorkerProtocol.result(Json.MAPPER.valueToTree(5));
        WorkerProtocol.Frame framed = WorkerProtocol.frame(WorkerProtocol.tagged("0123456789abcdef", result));
        assertEquals("0123456789abcdef", framed.callId());
        assertArrayEquals(result, framed.message());
        assertEquals(WorkerProtocol.RESULT, framed.kind());

        WorkerProtocol.Frame plain = WorkerProtocol.frame(result);
        assertNull(plain.callId());
        assertEquals(WorkerProtocol.RESULT, plain.kind());
        // not an id: upper case, too short, no space
        for (String line : List.of("0123456789ABCDEF {\"result\": 1}\n", "0123 {\"result\": 1}\n",
                "0123456789abcdef{\"result\": 1}\n")) {
            WorkerProtocol.Frame frame = WorkerProtocol.frame(line.getBytes(StandardCharsets.UTF_8));
            assertNull(frame.callId(), line);
            assertNull(frame.kind(), line);
        }
        assertEquals("0123456789abcdef", WorkerProtocol.parseTimeout(
                Json.MAPPER.valueToTree(java.util.Map.of("timeout", java.util.Map.of("id", "0123456789abcdef")))));
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
        assertFalse(args.toArgs().contains("--tracebacks"), "absent unless switched on");
        WorkerArguments tracebacks = new WorkerArguments(Path.of("/p.py"), PythonPath.NONE, true);
        assertEquals(tracebacks, WorkerArguments.parse(tracebacks.toArgs().toArray(String[]::new)));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--python-append", "/x"}));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--procedures"}));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(new String[] {"--bogus", "1"}));
    }

    private static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void procedureMessagesAreOneSortedLineEach() {
        assertEquals("{\"stream\": 3}\n", text(WorkerProtocol.stream(IntNode.valueOf(3))));
        assertEquals("{\"result\": null}\n", text(WorkerProtocol.result(Json.MAPPER.nullNode())));
        assertEquals("{\"result\": null}\n", text(WorkerProtocol.result(null)), "Java null is JSON null");
        assertEquals("{\"exception\": {\"data\": {\"class\": \"E\"}, \"message\": \"m\", \"type\": \"E\"}}\n",
                text(WorkerProtocol.exception("E", "m", Json.MAPPER.createObjectNode().put("class", "E"))));
        assertEquals("{\"exception\": {\"message\": \"m\", \"type\": \"E\"}}\n",
                text(WorkerProtocol.exception("E", "m", null)), "no data, no key");
        assertEquals("{\"error\": {\"message\": \"no such procedure\", \"type\": \"no_such_procedure\"}, \"harp\": 1}\n",
                text(WorkerProtocol.error(new HarpError(ErrorType.NO_SUCH_PROCEDURE, "no such procedure"))));
    }

    @Test
    void logRecordsRoundTripWithoutTheWorkersPidOrTime() {
        byte[] line = WorkerProtocol.log("harpd.proc", 30, "careful", 0.5, 1);
        assertEquals("{\"log\": {\"created\": 0.5, \"levelno\": 30, \"msg\": \"careful\", \"name\": \"harpd.proc\", "
                + "\"process\": 1}}\n", text(line));
        assertEquals(new WorkerProtocol.LogRecord("harpd.proc", 30, "careful"), WorkerProtocol.parseLog(line));
    }

    @Test
    void logRecordFieldsTakePythonsDefaults() {
        assertEquals(new WorkerProtocol.LogRecord("root", 20, "bare"),
                WorkerProtocol.parseLog(bytes("{\"log\": {\"msg\": \"bare\"}}")));
        assertEquals(new WorkerProtocol.LogRecord("root", 20, ""), WorkerProtocol.parseLog(bytes("{\"log\": {}}")));
        assertEquals(new WorkerProtocol.LogRecord("root", 20, "[1,2]"),
                WorkerProtocol.parseLog(bytes("{\"log\": {\"msg\": [1, 2], \"name\": 7, \"levelno\": \"x\"}}")));
        assertNull(WorkerProtocol.parseLog(bytes("{\"log\": [1]}")), "a body that is not an object");
        assertNull(WorkerProtocol.parseLog(bytes("{\"log\": ")), "not JSON");
        assertNull(WorkerProtocol.parseLog(bytes("[1]")));
    }

    @Test
    void exitingAndFatalCarryTheirText() {
        assertEquals("threads left", WorkerProtocol.parseExiting(WorkerProtocol.exiting("threads left")));
        assertEquals("unknown", WorkerProtocol.parseExiting(bytes("{\"exiting\": {}}")));
        assertEquals("unknown", WorkerProtocol.parseExiting(bytes("garbage")));
        assertEquals("no such file", WorkerProtocol.parseFatal(WorkerProtocol.fatal("no such file")));
        assertNull(WorkerProtocol.parseFatal(bytes("{\"fatal\": {\"message\": 3}}")));
        assertNull(WorkerProtocol.parseFatal(bytes("garbage")));
    }
}
