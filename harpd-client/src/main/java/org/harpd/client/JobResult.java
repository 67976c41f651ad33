package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * How a job ended (or that it has not): the answer to {@code get_result}, and the message that ends a stream.
 * {@link #value()} gives the procedure's value or throws what the end stands for, as {@code RemoteCall.get()} of
 * the Python client does.
 */
public final class JobResult {
    /** The kinds of answer. */
    public enum Kind {
        /** {@code {"result": V}}: the procedure returned V. */
        RESULT,
        /** {@code {"exception": ...}}: the procedure raised. */
        EXCEPTION,
        /** {@code {"error": ...}}: the dispatcher could not get a result (or harpd refused the call). */
        ERROR,
        /** {@code {"cancelled": true}}. */
        CANCELLED,
        /** {@code {"no_result": true}} or, ending a page of a stream, {@code {"continue": true}}. */
        NOT_FINISHED
    }

    private final Kind kind;
    private final JsonNode value;
    private final String type;
    private final String message;
    private final JsonNode data;

    private JobResult(Kind kind, JsonNode value, String type, String message, JsonNode data) {
        this.kind = kind;
        this.value = value;
        this.type = type;
        this.message = message;
        this.data = data;
    }

    /**
     * Reads a dispatcher reply that ends a job (or says it has not ended).
     *
     * @return null when the message is none of these
     */
    static JobResult fromMessage(JsonNode message) {
        if (!message.isObject()) {
            return null;
        }
        if (message.has("result")) {
            return new JobResult(Kind.RESULT, message.get("result"), null, null, null);
        }
        if (message.has("exception")) {
            return problem(Kind.EXCEPTION, message.get("exception"));
        }
        if (message.has("error")) {
            return problem(Kind.ERROR, message.get("error"));
        }
        if (isTrue(message, "cancelled")) {
            return new JobResult(Kind.CANCELLED, null, null, null, null);
        }
        if (isTrue(message, "no_result") || isTrue(message, "continue")) {
            return new JobResult(Kind.NOT_FINISHED, null, null, null, null);
        }
        return null;
    }

    private static boolean isTrue(JsonNode message, String field) {
        JsonNode node = message.get(field);
        return node != null && node.isBoolean() && node.booleanValue();
    }

    private static JobResult problem(Kind kind, JsonNode body) {
        if (!body.isObject()) {
            throw new CommunicationError("malformed error report from dispatcher: " + body);
        }
        return new JobResult(kind, null, body.path("type").asText(), body.path("message").asText(), body.get("data"));
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the job has ended (any kind but {@link Kind#NOT_FINISHED}). */
    public boolean finished() {
        return kind != Kind.NOT_FINISHED;
    }

    /**
     * The value the procedure returned ({@code null} JSON is a NullNode).
     *
     * @throws RemoteException     the procedure raised
     * @throws RemoteError         the dispatcher or harpd reported an error (e.g. {@code unknown_host},
     *                             {@code timeout}, {@code invalid_jobid})
     * @throws CancelledException  the job was cancelled
     * @throws IllegalStateException the job has not finished
     */
    public JsonNode value() {
        return switch (kind) {
            case RESULT -> value;
            case EXCEPTION -> throw new RemoteException(type, message, data);
            case ERROR -> throw new RemoteError(type, message, data);
            case CANCELLED -> throw new CancelledException("the job was cancelled");
            case NOT_FINISHED -> throw new IllegalStateException("the job has not finished");
        };
    }

    /** For {@link Kind#EXCEPTION} and {@link Kind#ERROR}: the error type; otherwise null. */
    public String type() {
        return type;
    }

    /** For {@link Kind#EXCEPTION} and {@link Kind#ERROR}: the message; otherwise null. */
    public String message() {
        return message;
    }

    /** For {@link Kind#EXCEPTION} and {@link Kind#ERROR}: the optional data, or null. */
    public JsonNode data() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobResult r && kind == r.kind && Objects.equals(value, r.value)
                && Objects.equals(type, r.type) && Objects.equals(message, r.message) && Objects.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, value, type, message, data);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case RESULT -> "JobResult[result " + value + "]";
            case EXCEPTION, ERROR -> "JobResult[" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + type + ": "
                    + message + (data == null ? "" : " " + data) + "]";
            default -> "JobResult[" + kind.name().toLowerCase(java.util.Locale.ROOT) + "]";
        };
    }
}
