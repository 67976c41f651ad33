package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.harpd.auth.AuthThrottle;
import org.harpd.auth.Authenticator;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The listener under authentication load: the queue deadline and the per-address back-off, on loopback. */
class AuthenticationLoadTest {
    @RegisterExtension
    static final LoopbackServers SERVERS = new LoopbackServers();

    private final FakeCalls.Executor executor = new FakeCalls.Executor(Map.of(
            "echo", (job, sink) -> CompletableFuture.runAsync(
                    () -> sink.completed(WorkerProtocol.result(job.arguments())))));

    private int start(ServerSettings settings, Authenticator authenticator) throws Exception {
        return SERVERS.start(settings, authenticator,
                FakeCalls.catalog(new ProcedureInfo("echo", false, Signature.permissive(), null, null, List.of())),
                executor);
    }

    /** One call over TLS from {@code from}, the server's last line as JSON. */
    private static JsonNode call(int port, String from, String user, String password) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(
                InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(60_000);
            String request = "{\"harp\": 1, \"procedure\": \"echo\", \"arguments\": [1], \"auth\": {\"user\": \""
                    + user + "\", \"password\": \"" + password + "\"}}\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String last = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                last = line;
            }
            return Json.MAPPER.readTree(last);
        }
    }

    private static String outcome(JsonNode last) {
        return last.has("result") ? "ok" : last.at("/error/type").asText();
    }

    @Test
    void anAddressThatKeepsFailingIsBackedOffWithoutReachingTheModuleAndOthersAreServed() throws Exception {
        AtomicInteger moduleCalls = new AtomicInteger();
        int port = start(ServerSettings.defaults("127.0.0.1", 0).toBuilder()
                        .authThrottle(new AuthThrottle.Policy(3, Duration.ofMinutes(10), Duration.ofMinutes(10), 100))
                        .build(),
                (user, password) -> {
                    moduleCalls.incrementAndGet();
                    return "alice".equals(user) && "secret".equals(password);
                });
        for (int i = 0; i < 3; i++) {
            JsonNode answer = call(port, "127.0.0.1", "alice", "wrong" + i);
            assertEquals("auth_error", outcome(answer));
            assertEquals(AuthenticationHandler.AUTH_FAILED, answer.at("/error/message").asText());
        }
        assertEquals(3, moduleCalls.get());
        JsonNode refused = call(port, "127.0.0.1", "alice", "secret");
        assertEquals("auth_error", outcome(refused), "even the right password waits for the back-off");
        assertTrue(refused.at("/error/message").asText().startsWith(AuthenticationHandler.BACKED_OFF + ": try again in "),
                refused.toString());
        assertEquals(3, moduleCalls.get(), "a backed-off attempt costs no authentication");
        assertEquals("ok", outcome(call(port, "127.0.0.2", "alice", "secret")), "another address is unaffected");
    }

    @Test
    void aRequestThatWaitsPastTheDeadlineIsToldOverloaded() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int port = start(ServerSettings.defaults("127.0.0.1", 0).toBuilder().authThreads(1)
                        .authQueueDeadline(Duration.ofSeconds(1)).build(),
                (user, password) -> {
                    if ("stall".equals(user)) {
                        stalled.countDown();
                        release.await();
                    }
                    return "alice".equals(user) && "secret".equals(password);
                });
        try {
            CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return call(port, "127.0.0.1", "stall", "x");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(stalled.await(60, TimeUnit.SECONDS), "the only authentication thread is taken");
            JsonNode queued = call(port, "127.0.0.2", "alice", "secret");
            assertEquals("overloaded", outcome(queued));
            assertEquals(AuthenticationHandler.AUTH_QUEUE_FULL + ": authentication did not start within 1000 ms",
                    queued.at("/error/message").asText());
            release.countDown();
            assertEquals("auth_error", outcome(first.get(60, TimeUnit.SECONDS)));
            assertEquals("ok", outcome(call(port, "127.0.0.2", "alice", "secret")),
                    "the expired request did not take the thread once it was free");
        } finally {
            release.countDown();
        }
    }
}
