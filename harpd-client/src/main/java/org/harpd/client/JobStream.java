package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.harpd.protocol.Json;

/**
 * A job's streamed result as the dispatcher sends it ({@code follow_stream} or {@code read_stream}): iterate over
 * the packets, then {@link #end()} tells how the stream ended. Closing it closes the connection (the job goes on).
 */
public final class JobStream implements Iterator<JobStream.Packet>, AutoCloseable {
    /**
     * One packet of a job's stream.
     *
     * @param number its position in the job's stream, from 0 (what {@code since} takes)
     * @param data   the value the procedure streamed
     */
    public record Packet(long number, JsonNode data) {
    }

    private final LineConnection connection;
    private Packet next;
    private JobResult end;

    JobStream(LineConnection connection) {
        this.connection = connection;
    }

    /**
     * @throws CommunicationError when the connection fails or closes before the message that ends the stream, or
     *                            a message is neither a packet nor an end
     */
    @Override
    public boolean hasNext() {
        if (next == null && end == null) {
            JsonNode message = read();
            JsonNode number = message.get("packet");
            if (message.isObject() && number != null && number.canConvertToLong()) {
                next = new Packet(number.asLong(), message.has("data") ? message.get("data") : Json.MAPPER.nullNode());
            } else {
                connection.close();
                JobResult result = JobResult.fromMessage(message);
                if (result == null) {
                    throw new CommunicationError("unexpected message in stream: " + message);
                }
                end = result;
            }
        }
        return next != null;
    }

    @Override
    public Packet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Packet packet = next;
        next = null;
        return packet;
    }

    /**
     * How the stream ended, skipping packets not yet read: the job's end result, or for a page of
     * {@link HarpCaller#readStream} that ended with {@code {"continue": true}}, {@link JobResult.Kind#NOT_FINISHED}.
     */
    public JobResult end() {
        while (hasNext()) {
            next();
        }
        return end;
    }

    @Override
    public void close() {
        connection.close();
    }

    private JsonNode read() {
        String line;
        try {
            line = connection.readLine();
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
        if (line == null) {
            connection.close();
            throw new CommunicationError("connection closed before the end of the stream");
        }
        try {
            return HarpClient.parse(line);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }
}
