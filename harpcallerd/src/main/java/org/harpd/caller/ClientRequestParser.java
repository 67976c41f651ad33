package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The client protocol's request line to a {@link ClientRequest}, checked once: every key an operation reads has
 * the type and range it needs, so handling never looks at raw JSON. No state: any thread.
 */
final class ClientRequestParser {
    private ClientRequestParser() {
    }

    /**
     * @param line one request line, without its newline
     * @throws RequestException for what is not a HarpCaller request at all (not JSON, not an object, no
     *     {@code "harpcaller": 1}); a request naming an operation with bad values parses to
     *     {@link ClientRequest.Invalid}
     */
    static ClientRequest parse(byte[] line) throws RequestException {
        JsonNode request;
        try {
            // through a String, as the request was always read: malformed UTF-8 becomes U+FFFD, not an error
            request = Json.MAPPER.readTree(new String(line, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RequestException("invalid_json", "request is not valid JSON");
        }
        if (request == null || !request.isObject()) {
            throw new RequestException("request is not a JSON object");
        }
        JsonNode version = request.get("harpcaller");
        // canConvertToInt: a big integer must not wrap round to 1 (or to a small concurrency, below)
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != 1) {
            throw new RequestException("unsupported or missing protocol version (\"harpcaller\": 1)");
        }
        JsonNode token = request.get("token");
        ClientRequest.Operation operation;
        try {
            operation = operation(request);
        } catch (RequestException e) {
            operation = new ClientRequest.Invalid(e.getMessage());
        }
        return new ClientRequest(token != null && token.isTextual() ? token.asText() : null, token != null,
                operation);
    }

    private static ClientRequest.Operation operation(JsonNode request) throws RequestException {
        if (request.has("cancel")) {
            return new ClientRequest.Cancel(jobId(request, "cancel"));
        } else if (request.has("get_result")) {
            String id = jobId(request, "get_result");
            JsonNode wait = request.get("wait");
            if (wait != null && !wait.isBoolean()) {
                throw new RequestException("\"wait\" must be true or false");
            }
            return new ClientRequest.GetResult(id, wait == null || wait.asBoolean());
        } else if (request.has("get_status")) {
            return new ClientRequest.Status(jobId(request, "get_status"));
        } else if (request.has("follow_stream") || request.has("read_stream")) {
            boolean follow = request.has("follow_stream");
            String id = jobId(request, follow ? "follow_stream" : "read_stream");
            JsonNode since = request.get("since");
            JsonNode recent = request.get("recent");
            if (since != null && recent != null) {
                throw new RequestException("\"since\" and \"recent\" are mutually exclusive");
            }
            long sinceN = -1;
            long recentN = -1;
            if (since != null) {
                sinceN = nonNegative(since, "since");
            } else if (recent != null) {
                recentN = nonNegative(recent, "recent");
            } else if (follow) {
                recentN = 0;
            } else {
                sinceN = 0;
            }
            return new ClientRequest.ReadStream(id, follow, sinceN, recentN);
        } else if (request.has("host") || request.has("procedure")) {
            return submit(request);
        }
        throw new RequestException("unrecognized request");
    }

    private static ClientRequest.Submit submit(JsonNode r) throws RequestException {
        JsonNode host = r.get("host");
        JsonNode procedure = r.get("procedure");
        JsonNode arguments = r.get("arguments");
        if (host == null || !host.isTextual() || procedure == null || !procedure.isTextual()) {
            throw new RequestException("a call needs \"host\" and \"procedure\" strings");
        }
        if (arguments == null) {
            arguments = Json.MAPPER.createArrayNode();
        } else if (!arguments.isArray() && !arguments.isObject()) {
            throw new RequestException("\"arguments\" must be a list or an object");
        }
        Integer timeout = positiveSeconds(r, "timeout");
        Integer maxExec = positiveSeconds(r, "max_exec_time");
        String queueKey = null;
        int concurrency = 1;
        JsonNode queue = r.get("queue");
        if (queue != null && !queue.isNull()) {
            if (!queue.isObject() || !queue.has("name")) {
                throw new RequestException("\"queue\" must be an object with \"name\"");
            }
            JsonNode c = queue.get("concurrency");
            if (c != null) {
                if (!c.isIntegralNumber() || !c.canConvertToInt() || c.intValue() < 1 || c.intValue() > 1_000_000) {
                    throw new RequestException("queue \"concurrency\" must be a positive integer");
                }
                concurrency = c.intValue();
            }
            queueKey = Canonical.of(queue.get("name"));
        }
        JsonNode info = r.get("info");
        return new ClientRequest.Submit(host.asText(), procedure.asText(), arguments, arguments.toString(), timeout,
                maxExec, queueKey, concurrency, info == null ? null : info.toString());
    }

    private static long nonNegative(JsonNode n, String key) throws RequestException {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new RequestException("\"" + key + "\" must be a non-negative integer");
        }
        return n.longValue();
    }

    private static String jobId(JsonNode request, String key) throws RequestException {
        JsonNode id = request.get(key);
        if (id == null || !id.isTextual()) {
            throw new RequestException("\"" + key + "\" must be a job id string");
        }
        return id.asText();
    }

    private static Integer positiveSeconds(JsonNode r, String key) throws RequestException {
        JsonNode n = r.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || n.asDouble() <= 0 || n.asDouble() > Integer.MAX_VALUE) {
            throw new RequestException("\"" + key + "\" must be a positive number of seconds");
        }
        return (int) Math.ceil(n.asDouble());
    }
}
