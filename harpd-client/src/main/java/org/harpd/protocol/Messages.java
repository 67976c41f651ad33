package org.harpd.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The listener's own wire messages, each as one serialised line (keys sorted, newline included). What a procedure
 * sends (stream items, result, exception) comes from the worker, encoded by
 * {@link org.harpd.workerprotocol.WorkerProtocol}, and is passed on verbatim.
 */
public final class Messages {
    private Messages() {
    }

    /** {@code {"harp": 1, "stream_result": streaming}} — sent once the call has been accepted. */
    public static byte[] ack(boolean streaming) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("harp", 1);
        message.put("stream_result", streaming);
        return Json.line(message);
    }

    /** {@code {"error": {...}, "harp": 1}} */
    public static byte[] error(HarpError error) {
        return Json.line(error.toMessage());
    }

    public static byte[] error(ErrorType type, String message) {
        return error(new HarpError(type, message));
    }
}
