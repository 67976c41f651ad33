package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the server sent for one call, in order, both parsed and as the exact lines received
 * (newline stripped) — for tests and tools that check the wire format itself.
 */
public record CallResult(List<JsonNode> messages, List<String> lines) {
    public CallResult {
        messages = List.copyOf(messages);
        lines = List.copyOf(lines);
    }

    /** True if the first message is the acknowledgement. */
    public boolean acknowledged() {
        return !messages.isEmpty() && Replies.isAck(messages.get(0));
    }

    /** {@code stream_result} of the acknowledgement. */
    public boolean streaming() {
        return acknowledged() && messages.get(0).path("stream_result").asBoolean();
    }

    /** The values of the {@code {"stream": ...}} messages. */
    public List<JsonNode> streamValues() {
        List<JsonNode> values = new ArrayList<>();
        for (JsonNode message : messages) {
            if (Replies.isStream(message)) {
                values.add(message.get("stream"));
            }
        }
        return values;
    }

    /** The last message: result, exception or error. */
    public JsonNode last() {
        if (messages.isEmpty()) {
            throw new CommunicationError("server closed the connection without answering");
        }
        return messages.get(messages.size() - 1);
    }

    /**
     * @return the call's result value ({@code null} JSON is a NullNode)
     * @throws RemoteError          when the server reported a protocol error
     * @throws RemoteException      when the procedure raised
     * @throws CommunicationError   when the exchange ended without a final message
     */
    public JsonNode value() {
        JsonNode last = last();
        if (Replies.isAck(last) || Replies.isStream(last)) {
            throw new CommunicationError("connection closed before the result");
        }
        return Replies.valueOf(last);
    }
}
