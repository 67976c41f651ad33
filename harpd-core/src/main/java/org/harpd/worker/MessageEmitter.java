package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import org.harpd.protocol.HarpError;

/** What a running procedure produces, in the worker process. Each method writes one wire message. */
public interface MessageEmitter {
    /** {@code {"stream": value}} */
    void stream(JsonNode value);

    /** {@code {"result": value}} — ends the call */
    void result(JsonNode value);

    /** {@code {"exception": {"type", "message", "data"}}} — ends the call */
    void exception(String type, String message, JsonNode data);

    /** {@code {"error": {...}, "harp": 1}} — ends the call (e.g. {@code invalid_message}) */
    void error(HarpError error);
}
