package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One dispatcher started from the original's example configuration (paths changed, the stdout handler under its
 * original name, as there is no syslog here), with this implementation's client authentication and small limits
 * added: who may submit, what each limit answers, and that the dispatcher serves afterwards.
 */
class ClientPortIT {
    /** An address of this machine's loopback that no configured client has. */
    private static final String STRANGER = "127.0.0.2";
    private static final String TOKEN = "a-token-of-the-batch-client";
    private static final int MAX_CONNECTIONS = 8;
    private static final int MAX_REQUEST = 64 * 1024;
    private static Caller caller;

    @BeforeAll
    static void start() throws Exception {
        SharedHarpd.get();
        Path dir = Files.createTempDirectory("harpcallerd-clientport");
        caller = new Caller(dir, """
                # the original's example file, paths changed
                default_timeout = 600
                max_exec_time = 600
                host_db_refresh = 900
                log_handlers = ["harpcaller_stdout_h"]

                [erlang]
                node_name = "harpcallerd"
                cookie = "secret"

                # this implementation's additions
                [limits]
                max_connections = %d
                request_timeout = 3
                max_request_bytes = %d
                max_pending_bytes = %d
                max_job_bytes = 4096
                max_store_bytes = 400000

                [[clients]]
                name = "webapp"
                addresses = ["127.0.0.1"]
                hosts = ["local"]
                procedures = ["echo", "stream", "sleep"]

                [[clients]]
                name = "batch"
                token = "%s"
                """.formatted(MAX_CONNECTIONS, MAX_REQUEST, 4 * MAX_REQUEST, TOKEN))
                .hosts(SharedHarpd.hostLine("local"), SharedHarpd.hostLine("other")).separateStderr().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
    }

    private static JsonNode from(String source, ObjectNode request) throws IOException {
        request.put("harpcaller", 1);
        List<String> lines = caller.rawFrom(source, (request + "\n").getBytes(StandardCharsets.UTF_8), false);
        assertEquals(1, lines.size(), lines.toString());
        return Caller.JSON.readTree(lines.get(0));
    }

    private static ObjectNode echo(String host, String procedure) {
        ObjectNode r = obj().put("host", host).put("procedure", procedure);
        r.putArray("arguments").add("x");
        return r;
    }

    private static String errorType(JsonNode reply) {
        return reply.path("error").path("type").asText();
    }

    @Test
    void theOriginalsHandlerNameLogsToStdout() {
        assertTrue(caller.log().stream().anyMatch(l -> l.contains("harpcallerd started")), caller.log().toString());
        assertTrue(caller.stderr().stream().noneMatch(l -> l.contains("harpcallerd started")),
                "the stdout handler writes to stdout: " + caller.stderr());
    }

    @Test
    void aClientOutsideTheListIsRefused() throws Exception {
        JsonNode refused = from(STRANGER, echo("local", "echo"));
        assertEquals("unauthorized", errorType(refused), refused.toString());
        assertEquals("unauthorized", errorType(from(STRANGER, obj().put("get_status", "x"))));
        assertTrue(caller.log().stream().anyMatch(l -> l.contains("client refused") && l.contains(STRANGER)),
                caller.log().toString());
    }

    @Test
    void aListedClientCallsWhatItsAllowListHolds() throws Exception {
        JsonNode submitted = from("127.0.0.1", echo("local", "echo"));
        String job = submitted.path("job_id").asText();
        assertEquals("x", caller.result(job).path("result").path(0).asText());
        String address = "127.0.0.1";
        assertTrue(caller.log().stream().anyMatch(l -> l.contains("job submitted") && l.contains(job)
                && l.contains("\"webapp\"") && l.contains(address)), caller.log().toString());
        assertEquals("unauthorized", errorType(from("127.0.0.1", echo("other", "echo"))), "host not listed");
        assertEquals("unauthorized", errorType(from("127.0.0.1", echo("local", "fail"))), "procedure not listed");
    }

    @Test
    void aTokenIdentifiesAClientFromAnywhereAndItsJobsAreItsOwn() throws Exception {
        ObjectNode call = obj().put("host", "other").put("procedure", "fail").put("token", TOKEN);
        String job = from(STRANGER, call).path("job_id").asText();
        assertTrue(!job.isEmpty(), "the token client has no allow-list");
        ObjectNode result = obj().put("get_result", job);
        result.put("token", TOKEN);
        assertEquals("ValueError", from(STRANGER, result).path("exception").path("type").asText());
        assertEquals("invalid_jobid", errorType(from("127.0.0.1", obj().put("get_result", job))),
                "another client's job is not there");
        ObjectNode wrong = echo("other", "echo");
        wrong.put("token", TOKEN + "x");
        assertEquals("unauthorized", errorType(from("127.0.0.1", wrong)), "a wrong token is not some other client");
    }

    @Test
    void aTrickleDoesNotHoldAConnection() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", caller.port), 5000);
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String reply = null;
            // a byte every 200 ms, 300 times: the old per-silence timeout never fired; the deadline (3 s) must
            for (int i = 0; i < 300 && reply == null; i++) {
                try {
                    out.write(' ');
                    out.flush();
                    reply = in.readLine();
                } catch (java.net.SocketTimeoutException e) {
                    // nothing yet
                } catch (SocketException e) {
                    break;
                }
            }
            assertTrue(reply != null && reply.contains("no complete request within 3 s"), String.valueOf(reply));
        }
        assertEquals("x", caller.result(from("127.0.0.1", echo("local", "echo")).path("job_id").asText())
                .path("result").path(0).asText(), "serving afterwards");
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        ObjectNode sleep = obj().put("host", "local").put("procedure", "sleep");
        sleep.putArray("arguments").add(600);
        String job = from("127.0.0.1", sleep).path("job_id").asText();
        byte[] wait = ("{\"harpcaller\": 1, \"get_result\": \"" + job + "\"}\n").getBytes(StandardCharsets.UTF_8);
        List<Socket> held = new ArrayList<>();
        try {
            String refusal = null;
            // waiters on a long job hold their connections with no deadline, until one more is turned away; a
            // connection is asked for its request only once it was not turned away at once (a refused connection
            // with unread input could be reset and lose its reply)
            for (int i = 0; i < MAX_CONNECTIONS + 20 && refusal == null; i++) {
                Socket s = new Socket();
                held.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", caller.port), 5000);
                s.setSoTimeout(100);
                try {
                    refusal = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                } catch (java.net.SocketTimeoutException e) {
                    try {
                        s.getOutputStream().write(wait); // admitted: it waits for the job
                    } catch (SocketException late) {
                        // turned away after all; the next one will be too
                    }
                }
            }
            assertTrue(refusal != null && refusal.contains("too many connections"), String.valueOf(refusal));
        } finally {
            // a waiter is not known to be gone until its reply is written (a FIN may be a half-close): the job's
            // end answers them all, and their connections close
            assertEquals("0", caller.admin("cancel", job).get(0));
            for (Socket s : held) {
                s.close();
            }
        }
        awaitServing();
        assertEquals("unauthorized", errorType(from(STRANGER, obj().put("cancel", job))), "still checked");
    }

    @Test
    void partialRequestsAreBoundedTogether() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            byte[] partial = new byte[MAX_REQUEST - 1024];
            Arrays.fill(partial, (byte) ' ');
            // each line is below the request limit; five of them are above what all may hold together
            for (int i = 0; i < 6; i++) {
                Socket s = new Socket();
                held.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", caller.port), 5000);
                s.setSoTimeout(60_000);
                s.getOutputStream().write(partial);
                s.getOutputStream().flush();
            }
            // the ones admitted end at their deadline; the one turned away says why
            List<String> replies = new ArrayList<>();
            for (Socket s : held) {
                try {
                    replies.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine());
                } catch (SocketException e) {
                    replies.add(e.toString());
                }
            }
            assertTrue(replies.stream().anyMatch(r -> r != null && r.contains("too many incomplete requests")),
                    replies.toString());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        awaitServing();
    }

    @Test
    void aJobIsBoundedInSize() throws Exception {
        char[] big = new char[5000];
        Arrays.fill(big, 'a');
        ObjectNode call = echo("local", "echo");
        call.putArray("arguments").add(new String(big));
        JsonNode refused = from("127.0.0.1", call);
        assertEquals("too_large", errorType(refused), refused.toString());
        ObjectNode stream = obj().put("host", "local").put("procedure", "stream");
        stream.putArray("arguments").add(3000);
        JsonNode ended = caller.result(from("127.0.0.1", stream).path("job_id").asText());
        assertEquals("too_large", errorType(ended), ended.toString());
        awaitServing();
    }

    @Test
    void aFullStoreRefusesSubmissionsUntilPruned() throws Exception {
        char[] filler = new char[3500];
        Arrays.fill(filler, 'f');
        ObjectNode call = obj().put("host", "nowhere").put("procedure", "echo").put("token", TOKEN);
        call.putArray("arguments").add(new String(filler));
        JsonNode reply = null;
        // the store's size is measured every few seconds: submissions go in until one is refused
        for (int i = 0; i < 5000; i++) {
            reply = from(STRANGER, call.deepCopy());
            if (!reply.has("job_id")) {
                break;
            }
        }
        assertEquals("storage_full", errorType(reply), String.valueOf(reply));
        List<String> pruned = caller.admin("prune-jobs", "--age=0");
        assertEquals("0", pruned.get(0), pruned.toString());
        for (int i = 0; ; i++) {
            reply = from(STRANGER, call.deepCopy());
            if (reply.has("job_id")) {
                break;
            }
            assertEquals("storage_full", errorType(reply), reply.toString());
            assertTrue(i < 600, "still full after pruning");
            Thread.sleep(50); // until the next measurement sees the pages pruning freed
        }
    }

    /** The limits just hit give way once their connections are gone: a call goes through. */
    private static void awaitServing() throws Exception {
        for (int i = 0; ; i++) {
            JsonNode r = from("127.0.0.1", echo("local", "echo"));
            if (r.has("job_id")) {
                assertEquals("x", caller.result(r.get("job_id").asText()).path("result").path(0).asText());
                return;
            }
            assertEquals("overloaded", errorType(r), r.toString());
            assertTrue(i < 200, "still refused after the connections closed: " + r);
            Thread.sleep(50); // the closed connections are being counted out
        }
    }
}
