package org.harpd.jython;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.harpd.protocol.HarpError;
import org.harpd.worker.MessageEmitter;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Keeps every message as the worker would write it to the listener (encoded by {@link WorkerProtocol}), without
 * the newline. Unlike the worker's emitter it also keeps what comes after a final message.
 */
final class RecordingEmitter implements MessageEmitter {
    final List<String> lines = new ArrayList<>();

    private void add(byte[] line) {
        lines.add(new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
    }

    @Override
    public void stream(JsonNode value) {
        add(WorkerProtocol.stream(value));
    }

    @Override
    public void result(JsonNode value) {
        add(WorkerProtocol.result(value));
    }

    @Override
    public void exception(String type, String message, JsonNode data) {
        add(WorkerProtocol.exception(type, message, data));
    }

    @Override
    public void error(HarpError error) {
        add(WorkerProtocol.error(error));
    }
}
