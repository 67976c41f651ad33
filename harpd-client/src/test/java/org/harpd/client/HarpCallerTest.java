package org.harpd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link HarpCaller} against a fake dispatcher on loopback: the exact request lines, and every kind of reply. */
class HarpCallerTest {
    private static final String JOB = "3f22e0d4-c8ed-11e5-8d66-001e8c140268";
    private static final String VALUE_ERROR =
            "{\"exception\": {\"type\": \"ValueError\", \"message\": \"boom\", \"data\": {\"class\": \"ValueError\"}}}";
    private static final String UNKNOWN_HOST = "{\"error\": {\"type\": \"unknown_host\", \"message\": \"host not found\"}}";
    private static final String INVALID_JOBID = "{\"error\": {\"type\": \"invalid_jobid\", \"message\": \"no such job\"}}";

    private static FakeDispatcher dispatcher;
    private static HarpCaller caller;

    @BeforeAll
    static void start() throws IOException {
        dispatcher = new FakeDispatcher();
        caller = HarpCaller.builder().host("127.0.0.1").port(dispatcher.port()).timeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        dispatcher.close();
    }

    private static JsonNode json(String text) throws IOException {
        return Json.MAPPER.readTree(text);
    }

    private static String line(String text) {
        return text + "\n";
    }

    // --- discovery through the dispatcher --------------------------------------------------------------------

    @Test
    void proceduresAndDescribeAreJobsWaitedFor() throws IOException {
        String touch = "{\"name\": \"touch\", \"kind\": \"plain\", \"signature\": \"touch(path)\"}";
        dispatcher.replyBy(request -> request.contains("\"get_result\"") ? "{\"result\": [" + touch + "]}"
                : "{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        assertEquals(List.of(json(touch)), caller.procedures("web01", JobOptions.none()));
        assertEquals(List.of(line("{\"arguments\": [], \"harpcaller\": 1, \"host\": \"web01\", "
                + "\"procedure\": \"harpd.procedures\"}"),
                line("{\"get_result\": \"" + JOB + "\", \"harpcaller\": 1, \"wait\": true}")), dispatcher.requests());

        dispatcher.replyBy(request -> request.contains("\"get_result\"") ? "{\"result\": " + touch + "}"
                : "{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        assertEquals(json(touch), caller.describe("web01", "touch", JobOptions.none()));
        assertTrue(dispatcher.requests().get(0).contains("\"arguments\": [\"touch\"]"), dispatcher.requests().toString());
        assertTrue(dispatcher.requests().get(0).contains("\"procedure\": \"harpd.describe\""));

        dispatcher.replyBy(request -> request.contains("\"get_result\"") ? UNKNOWN_HOST
                : "{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        assertEquals("unknown_host", assertThrows(RemoteError.class,
                () -> caller.procedures("web09", JobOptions.none())).type());
    }

    // --- submit --------------------------------------------------------------------------------------------

    @Test
    void submitSendsCallRequestAndReturnsJobId() {
        dispatcher.reply("{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        assertEquals(JOB, caller.submit("web01", "restart", JobOptions.none(), "nginx", 3));
        assertEquals(List.of(line("{\"arguments\": [\"nginx\", 3], \"harpcaller\": 1, \"host\": \"web01\", "
                + "\"procedure\": \"restart\"}")), dispatcher.requests());
    }

    @Test
    void submitSendsEveryJobOption() {
        dispatcher.reply("{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("ticket", 42);
        JobOptions options = JobOptions.none().queue(Map.of("service", "nginx")).concurrency(2).timeout(30)
                .maxExecTime(15).info(info);
        caller.submitKw("web01", "configure", options, Map.of("name", "zażółć"));
        assertEquals(List.of(line("{\"arguments\": {\"name\": \"za\\u017c\\u00f3\\u0142\\u0107\"}, \"harpcaller\": 1, "
                + "\"host\": \"web01\", \"info\": {\"ticket\": 42}, \"max_exec_time\": 15, \"procedure\": \"configure\", "
                + "\"queue\": {\"concurrency\": 2, \"name\": {\"service\": \"nginx\"}}, \"timeout\": 30}")),
                dispatcher.requests());
    }

    @Test
    void concurrencyWithoutQueueIsNotSentAndNullInfoIs() {
        dispatcher.reply("{\"harpcaller\": 1, \"job_id\": \"" + JOB + "\"}");
        caller.submit("web01", "uptime", JobOptions.none().concurrency(3).info(null));
        assertEquals(List.of(line("{\"arguments\": [], \"harpcaller\": 1, \"host\": \"web01\", \"info\": null, "
                + "\"procedure\": \"uptime\"}")), dispatcher.requests());
    }

    @Test
    void badOptionsAndArgumentsAreRefusedBeforeConnecting() {
        dispatcher.reply();
        assertThrows(IllegalArgumentException.class, () -> JobOptions.none().queue(List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> JobOptions.none().concurrency(0));
        assertThrows(IllegalArgumentException.class, () -> JobOptions.none().maxExecTime(0));
        assertThrows(IllegalArgumentException.class,
                () -> caller.submitRaw("web01", "p", Json.MAPPER.valueToTree("x"), JobOptions.none()));
        assertEquals(List.of(), dispatcher.requests());
    }

    @Test
    void refusedSubmissionThrowsRemoteError() {
        dispatcher.reply("{\"error\": {\"type\": \"invalid_request\", \"message\": \"bad queue\"}}");
        RemoteError e = assertThrows(RemoteError.class, () -> caller.submit("web01", "p", JobOptions.none()));
        assertEquals("invalid_request", e.type());
        assertEquals("bad queue", e.remoteMessage());
    }

    @Test
    void replyWithoutJobIdOrNoReplyIsCommunicationError() {
        dispatcher.reply("{\"harpcaller\": 1}");
        assertThrows(CommunicationError.class, () -> caller.submit("web01", "p", JobOptions.none()));
        dispatcher.reply();
        assertThrows(CommunicationError.class, () -> caller.submit("web01", "p", JobOptions.none()));
        dispatcher.reply("[1]");
        assertThrows(CommunicationError.class, () -> caller.submit("web01", "p", JobOptions.none()));
    }

    @Test
    void unreachableDispatcherIsCommunicationError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HarpCaller nowhere = HarpCaller.builder().host("127.0.0.1").port(port).build();
        assertThrows(CommunicationError.class, () -> nowhere.result(JOB, false));
    }

    // --- result --------------------------------------------------------------------------------------------

    @Test
    void resultSendsWaitFlag() {
        dispatcher.reply("{\"result\": 1}");
        caller.result(JOB, false);
        caller.result(JOB, true);
        assertEquals(List.of(line("{\"get_result\": \"" + JOB + "\", \"harpcaller\": 1, \"wait\": false}"),
                line("{\"get_result\": \"" + JOB + "\", \"harpcaller\": 1, \"wait\": true}")), dispatcher.requests());
    }

    @Test
    void everyKindOfResultReply() throws IOException {
        dispatcher.reply("{\"result\": {\"a\": [1, null]}}");
        JobResult value = caller.result(JOB, true);
        assertEquals(JobResult.Kind.RESULT, value.kind());
        assertEquals(json("{\"a\": [1, null]}"), value.value());

        dispatcher.reply("{\"result\": null}");
        assertTrue(caller.result(JOB, true).value().isNull());

        dispatcher.reply("{\"no_result\": true}");
        JobResult running = caller.result(JOB, false);
        assertEquals(JobResult.Kind.NOT_FINISHED, running.kind());
        assertFalse(running.finished());
        assertThrows(IllegalStateException.class, running::value);

        dispatcher.reply(VALUE_ERROR);
        JobResult raised = caller.result(JOB, true);
        assertEquals(JobResult.Kind.EXCEPTION, raised.kind());
        RemoteException exception = assertThrows(RemoteException.class, raised::value);
        assertEquals("ValueError", exception.type());
        assertEquals("boom", exception.remoteMessage());
        assertEquals(json("{\"class\": \"ValueError\"}"), exception.data());

        dispatcher.reply(UNKNOWN_HOST);
        JobResult error = caller.result(JOB, true);
        assertEquals(JobResult.Kind.ERROR, error.kind());
        assertEquals("unknown_host", error.type());
        assertNull(error.data());
        assertEquals("unknown_host", assertThrows(RemoteError.class, error::value).type());

        dispatcher.reply(INVALID_JOBID);
        assertEquals("invalid_jobid", caller.result(JOB, false).type());

        dispatcher.reply("{\"cancelled\": true}");
        JobResult cancelled = caller.result(JOB, true);
        assertEquals(JobResult.Kind.CANCELLED, cancelled.kind());
        assertTrue(cancelled.finished());
        assertThrows(CancelledException.class, cancelled::value);
    }

    @Test
    void unexpectedOrMalformedResultReplyIsCommunicationError() {
        for (String reply : List.of("{\"what\": 1}", "{\"continue\": true}", "{\"cancelled\": false}", "not json",
                "{\"error\": \"flat\"}")) {
            dispatcher.reply(reply);
            assertThrows(CommunicationError.class, () -> caller.result(JOB, true), reply);
        }
        dispatcher.replyRaw(List.of("{\"result\": 1".getBytes(StandardCharsets.UTF_8)));
        assertThrows(CommunicationError.class, () -> caller.result(JOB, true));
    }

    // --- streams -------------------------------------------------------------------------------------------

    @Test
    void followSendsFollowStreamWithItsStart() {
        dispatcher.reply("{\"result\": null}");
        for (StreamStart start : List.of(StreamStart.DEFAULT, StreamStart.since(0), StreamStart.recent(5))) {
            try (JobStream stream = caller.follow(JOB, start)) {
                stream.end();
            }
        }
        assertEquals(List.of(line("{\"follow_stream\": \"" + JOB + "\", \"harpcaller\": 1}"),
                line("{\"follow_stream\": \"" + JOB + "\", \"harpcaller\": 1, \"since\": 0}"),
                line("{\"follow_stream\": \"" + JOB + "\", \"harpcaller\": 1, \"recent\": 5}")), dispatcher.requests());
        assertThrows(IllegalArgumentException.class, () -> StreamStart.since(-1));
    }

    @Test
    void followGivesNumberedPacketsThenTheEnd() throws IOException {
        dispatcher.reply("{\"packet\": 3, \"data\": \"a\"}", "{\"packet\": 4, \"data\": {\"b\": 2}}",
                "{\"result\": \"done\"}");
        try (JobStream stream = caller.follow(JOB, StreamStart.since(3))) {
            List<JobStream.Packet> packets = new ArrayList<>();
            stream.forEachRemaining(packets::add);
            assertEquals(List.of(new JobStream.Packet(3, json("\"a\"")), new JobStream.Packet(4, json("{\"b\": 2}"))),
                    packets);
            assertEquals("done", stream.end().value().textValue());
        }
    }

    @Test
    void eachEndMessageEndsTheStream() {
        Map<String, JobResult.Kind> ends = Map.of(VALUE_ERROR, JobResult.Kind.EXCEPTION,
                UNKNOWN_HOST, JobResult.Kind.ERROR, INVALID_JOBID, JobResult.Kind.ERROR,
                "{\"cancelled\": true}", JobResult.Kind.CANCELLED, "{\"result\": 7}", JobResult.Kind.RESULT);
        ends.forEach((end, kind) -> {
            dispatcher.reply("{\"packet\": 0, \"data\": 1}", end);
            try (JobStream stream = caller.follow(JOB, StreamStart.DEFAULT)) {
                assertEquals(0, stream.next().number());
                assertFalse(stream.hasNext());
                assertEquals(kind, stream.end().kind(), end);
            }
        });
    }

    @Test
    void streamCutShortOrGarbledIsCommunicationError() {
        dispatcher.reply("{\"packet\": 0, \"data\": \"a\"}");
        try (JobStream stream = caller.follow(JOB, StreamStart.DEFAULT)) {
            assertEquals("a", stream.next().data().textValue());
            assertThrows(CommunicationError.class, stream::hasNext);
        }
        for (String garbage : List.of("{\"what\": 1}", "not json", "{\"no_result\": false}")) {
            dispatcher.reply(garbage);
            try (JobStream stream = caller.follow(JOB, StreamStart.DEFAULT)) {
                assertThrows(CommunicationError.class, stream::end, garbage);
            }
        }
    }

    @Test
    void readStreamSendsReadStreamAndEndsWithContinueOrTheEnd() {
        dispatcher.reply("{\"packet\": 0, \"data\": \"a\"}", "{\"continue\": true}");
        try (JobStream page = caller.readStream(JOB, StreamStart.DEFAULT)) {
            assertEquals("a", page.next().data().textValue());
            JobResult end = page.end();
            assertEquals(JobResult.Kind.NOT_FINISHED, end.kind());
            assertFalse(end.finished());
        }
        try (JobStream page = caller.readStream(JOB, StreamStart.recent(1))) {
            page.end();
        }
        assertEquals(List.of(line("{\"harpcaller\": 1, \"read_stream\": \"" + JOB + "\"}"),
                line("{\"harpcaller\": 1, \"read_stream\": \"" + JOB + "\", \"recent\": 1}")), dispatcher.requests());

        dispatcher.reply("{\"packet\": 0, \"data\": \"a\"}", "{\"result\": [1]}");
        try (JobStream page = caller.readStream(JOB, StreamStart.since(0))) {
            assertEquals(1, page.end().value().get(0).asInt());
        }
    }

    // --- cancel and status ---------------------------------------------------------------------------------

    @Test
    void cancelSendsCancelAndReturnsTheAnswer() {
        dispatcher.reply("{\"cancelled\": true}");
        assertTrue(caller.cancel(JOB));
        assertEquals(List.of(line("{\"cancel\": \"" + JOB + "\", \"harpcaller\": 1}")), dispatcher.requests());
        dispatcher.reply("{\"cancelled\": false}");
        assertFalse(caller.cancel(JOB));
        dispatcher.reply(INVALID_JOBID);
        assertEquals("invalid_jobid", assertThrows(RemoteError.class, () -> caller.cancel(JOB)).type());
        dispatcher.reply("{\"cancelled\": \"yes\"}");
        assertThrows(CommunicationError.class, () -> caller.cancel(JOB));
    }

    @Test
    void statusGivesCallTimesAndInfo() throws IOException {
        dispatcher.reply("{\"call\": {\"host\": \"web01\", \"procedure\": \"restart\", \"arguments\": [\"nginx\"]}, "
                + "\"time\": {\"submit\": 1700000000, \"start\": 1700000001, \"end\": 1700000005}, "
                + "\"info\": {\"ticket\": 42}}");
        JobStatus status = caller.status(JOB);
        assertEquals(new JobStatus("web01", "restart", json("[\"nginx\"]"), 1700000000L, 1700000001L, 1700000005L,
                json("{\"ticket\": 42}")), status);
        assertTrue(status.ended());
        assertEquals(List.of(line("{\"get_status\": \"" + JOB + "\", \"harpcaller\": 1}")), dispatcher.requests());
    }

    @Test
    void statusOfAJobCancelledInItsQueueAndOfARunningJob() {
        dispatcher.reply("{\"call\": {\"host\": \"h\", \"procedure\": \"p\", \"arguments\": {}}, "
                + "\"time\": {\"submit\": 1, \"start\": null, \"end\": 2}, \"info\": null}");
        JobStatus cancelled = caller.status(JOB);
        assertNull(cancelled.startTime());
        assertEquals(2L, cancelled.endTime());
        assertTrue(cancelled.info().isNull());

        dispatcher.reply("{\"call\": {\"host\": \"h\", \"procedure\": \"p\", \"arguments\": []}, "
                + "\"time\": {\"submit\": 1, \"start\": 1, \"end\": null}, \"info\": null}");
        assertFalse(caller.status(JOB).ended());
    }

    @Test
    void statusOfAnUnknownJobOrMalformedStatus() {
        dispatcher.reply(INVALID_JOBID);
        assertEquals("invalid_jobid", assertThrows(RemoteError.class, () -> caller.status(JOB)).type());
        dispatcher.reply("{\"call\": {\"host\": \"h\"}, \"time\": {}}");
        assertThrows(CommunicationError.class, () -> caller.status(JOB));
    }
}
