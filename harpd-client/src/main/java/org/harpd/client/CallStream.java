package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A call in progress, read as it arrives: iterate over the streamed values, then ask for the
 * {@link #result()}. A non-streaming call simply has no streamed values. Closing before the end
 * cancels the call on the server.
 */
public final class CallStream implements Iterator<JsonNode>, AutoCloseable {
    private final LineConnection connection;
    private final boolean streaming;
    private JsonNode next;
    private JsonNode last;

    CallStream(LineConnection connection) {
        this.connection = connection;
        JsonNode ack = readMessage();
        if (!Replies.isAck(ack)) {
            connection.close();
            throw Replies.errorOf(ack);
        }
        this.streaming = ack.path("stream_result").asBoolean();
    }

    /** What the acknowledgement announced. */
    public boolean streaming() {
        return streaming;
    }

    @Override
    public boolean hasNext() {
        if (next == null && last == null) {
            JsonNode message = readMessage();
            if (Replies.isStream(message)) {
                next = message.get("stream");
            } else {
                last = message;
                connection.close();
            }
        }
        return next != null;
    }

    @Override
    public JsonNode next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        JsonNode value = next;
        next = null;
        return value;
    }

    /** The final value, skipping any streamed values not yet read. Throws as {@link CallResult#value()} does. */
    public JsonNode result() {
        while (hasNext()) {
            next();
        }
        return Replies.valueOf(last);
    }

    @Override
    public void close() {
        connection.close();
    }

    private JsonNode readMessage() {
        String line = connection.readLine();
        if (line == null) {
            connection.close();
            throw new CommunicationError("connection closed before the result");
        }
        return HarpClient.parse(line);
    }
}
