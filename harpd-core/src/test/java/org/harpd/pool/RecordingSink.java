package org.harpd.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;

/** Records what a call delivered, and any breach of the sink contract (output after the end). */
final class RecordingSink implements CallSink {
    private final List<String> streamed = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private String completed;
    private HarpError failed;
    private int endings;
    private boolean outputAfterEnd;

    @Override
    public synchronized void stream(byte[] line) {
        if (endings > 0) {
            outputAfterEnd = true;
        }
        streamed.add(new String(line, StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void completed(byte[] line) {
        completed = new String(line, StandardCharsets.UTF_8);
        end();
    }

    @Override
    public synchronized void failed(HarpError error) {
        failed = error;
        end();
    }

    private void end() {
        endings++;
        ended.countDown();
    }

    RecordingSink await() throws InterruptedException {
        if (!ended.await(TestWorkers.LONG_ENOUGH.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("call did not end");
        }
        return this;
    }

    synchronized List<String> streamed() {
        return List.copyOf(streamed);
    }

    /** The completed line; a failure instead is reported as the assertion error it is. */
    synchronized String completed() {
        if (failed != null && completed == null) {
            throw new AssertionError("call failed: " + failed.type() + " " + failed.getMessage() + " " + failed.data());
        }
        return completed;
    }

    synchronized JsonNode completedJson() {
        try {
            return completed == null ? null : Json.MAPPER.readTree(completed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized HarpError failed() {
        return failed;
    }

    synchronized boolean ended() {
        return endings > 0;
    }

    /** Exactly one end and nothing after it. */
    synchronized boolean contractKept() {
        return endings == 1 && !outputAfterEnd;
    }
}
