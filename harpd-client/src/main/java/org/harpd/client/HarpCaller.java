package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.harpd.protocol.Json;

/**
 * A client of the harpcallerd dispatcher, the Java counterpart of the Python {@code harp.HarpCaller}: submit a
 * call and get a job id at once, then read its result, status and stream later (from any process), or cancel it.
 * Each request is one plain TCP connection carrying one JSON line, as the dispatcher's protocol has it.
 *
 * <pre>
 * HarpCaller caller = HarpCaller.builder().host("dispatcher.example.net").build();
 * String job = caller.submit("web01", "restart", JobOptions.none().queue(Map.of("service", "nginx")), "nginx");
 * try (JobStream stream = caller.follow(job, StreamStart.since(0))) {
 *     stream.forEachRemaining(packet -&gt; System.out.println(packet.data()));
 *     System.out.println(stream.end().value());
 * }
 * </pre>
 *
 * Instances are immutable and may be shared between threads.
 */
public final class HarpCaller {
    /** The dispatcher's default port. */
    public static final int DEFAULT_PORT = 3502;

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    private HarpCaller(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Submits a call with positional arguments, converted as Jackson converts Java values.
     *
     * @return the job id
     * @throws RemoteError        the dispatcher refused the request
     * @throws CommunicationError the dispatcher could not be reached or sent no job id
     */
    public String submit(String target, String procedure, JobOptions options, Object... positionalArgs) {
        return submitRaw(target, procedure, Json.MAPPER.valueToTree(Arrays.asList(positionalArgs)), options);
    }

    /** Submits a call with keyword arguments. */
    public String submitKw(String target, String procedure, JobOptions options, Map<String, ?> kwargs) {
        return submitRaw(target, procedure, Json.MAPPER.valueToTree(kwargs), options);
    }

    /**
     * Submits a call.
     *
     * @param arguments a JSON array (positional) or object (keyword)
     */
    public String submitRaw(String target, String procedure, JsonNode arguments, JobOptions options) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(procedure, "procedure");
        if (arguments == null || !(arguments.isArray() || arguments.isObject())) {
            throw new IllegalArgumentException("arguments are a JSON array or object, not " + arguments);
        }
        ObjectNode request = request();
        request.put("host", target);
        request.put("procedure", procedure);
        request.set("arguments", arguments);
        options.addTo(request);
        JsonNode reply = exchange(request);
        throwIfError(reply);
        JsonNode jobId = reply.get("job_id");
        if (jobId == null || !jobId.isTextual()) {
            throw new CommunicationError("dispatcher sent no job id: " + reply);
        }
        return jobId.textValue();
    }

    /**
     * The procedures the target's harpd lets the dispatcher's user for it call (as its hosts registry names the
     * user), each described as {@link HarpClient#describe} does: harpd's built-in {@code harpd.procedures}, submitted
     * as an ordinary job and waited for.
     *
     * @throws RemoteError         the dispatcher's or harpd's error ({@code unknown_host}, {@code no_such_procedure}
     *                             from a harpd without discovery...)
     * @throws CancelledException  the job was cancelled meanwhile
     * @throws CommunicationError  the dispatcher could not be asked
     */
    public List<JsonNode> procedures(String target, JobOptions options) {
        List<JsonNode> descriptions = new ArrayList<>();
        JsonNode answer = result(submit(target, "harpd.procedures", options), true).value();
        if (!answer.isArray()) {
            throw new CommunicationError("harpd.procedures answered something else than a list: " + answer);
        }
        answer.forEach(descriptions::add);
        return descriptions;
    }

    /**
     * One procedure of the target's harpd, as {@link HarpClient#describe} describes it: harpd's built-in
     * {@code harpd.describe}, submitted as an ordinary job and waited for.
     *
     * @throws RemoteError {@code no_such_procedure} when there is none, or the user may not call it; the
     *                     dispatcher's errors as for {@link #procedures}
     */
    public JsonNode describe(String target, String procedure, JobOptions options) {
        return result(submit(target, "harpd.describe", options, procedure), true).value();
    }

    /**
     * The job's end result, or {@link JobResult.Kind#NOT_FINISHED} when not waiting for a job still queued or
     * running. An unknown job id gives an {@code invalid_jobid} error result.
     *
     * @param wait wait for the job to end
     * @throws CommunicationError the dispatcher could not be asked, or answered something else
     */
    public JobResult result(String jobId, boolean wait) {
        ObjectNode request = request();
        request.put("get_result", jobId);
        request.put("wait", wait);
        JsonNode reply = exchange(request);
        JobResult result = JobResult.fromMessage(reply);
        if (result == null || reply.has("continue")) {
            throw new CommunicationError("unexpected reply from dispatcher: " + reply);
        }
        return result;
    }

    /**
     * The job's call, times and info.
     *
     * @throws RemoteError        e.g. {@code invalid_jobid} for an unknown job
     * @throws CommunicationError the dispatcher could not be asked, or the reply lacks the call or its times
     */
    public JobStatus status(String jobId) {
        ObjectNode request = request();
        request.put("get_status", jobId);
        JsonNode reply = exchange(request);
        throwIfError(reply);
        JsonNode call = reply.path("call");
        JsonNode time = reply.path("time");
        if (!call.path("host").isTextual() || !call.path("procedure").isTextual() || !call.has("arguments")
                || !time.path("submit").isNumber() || !time.has("start") || !time.has("end")) {
            throw new CommunicationError("unexpected status reply from dispatcher: " + reply);
        }
        return new JobStatus(call.get("host").textValue(), call.get("procedure").textValue(), call.get("arguments"),
                time.get("submit").asLong(), unixTime(time.get("start")), unixTime(time.get("end")),
                reply.has("info") ? reply.get("info") : Json.MAPPER.nullNode());
    }

    /**
     * Stops a job.
     *
     * @return true if it was queued or running and is now stopped, false if it had ended or does not exist
     */
    public boolean cancel(String jobId) {
        ObjectNode request = request();
        request.put("cancel", jobId);
        JsonNode reply = exchange(request);
        throwIfError(reply);
        JsonNode cancelled = reply.get("cancelled");
        if (cancelled == null || !cancelled.isBoolean()) {
            throw new CommunicationError("unexpected reply from dispatcher: " + reply);
        }
        return cancelled.booleanValue();
    }

    /**
     * Follows the job's stream until the job ends: the packets from {@code start} (the protocol's default,
     * {@link StreamStart#DEFAULT}, is {@code recent: 0}: only new ones), then each as it arrives, then the end.
     */
    public JobStream follow(String jobId, StreamStart start) {
        return stream("follow_stream", jobId, start);
    }

    /**
     * Reads the packets collected so far from {@code start} ({@link StreamStart#DEFAULT} is {@code since: 0}: all
     * of them), without waiting; {@link JobStream#end()} is the job's end, or NOT_FINISHED for a job still going.
     */
    public JobStream readStream(String jobId, StreamStart start) {
        return stream("read_stream", jobId, start);
    }

    @Override
    public String toString() {
        return "HarpCaller[" + host + ":" + port + "]";
    }

    private JobStream stream(String kind, String jobId, StreamStart start) {
        ObjectNode request = request();
        request.put(kind, jobId);
        start.addTo(request);
        LineConnection connection = connect();
        try {
            connection.write(Json.line(request));
            return new JobStream(connection);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static ObjectNode request() {
        return Json.MAPPER.createObjectNode().put("harpcaller", 1);
    }

    private JsonNode exchange(ObjectNode request) {
        try (LineConnection connection = connect()) {
            connection.write(Json.line(request));
            String line = connection.readLine();
            if (line == null) {
                throw new CommunicationError("dispatcher " + host + ":" + port + " closed the connection without a reply");
            }
            JsonNode reply = HarpClient.parse(line);
            if (!reply.isObject()) {
                throw new CommunicationError("unexpected reply from dispatcher: " + reply);
            }
            return reply;
        }
    }

    private LineConnection connect() {
        return LineConnection.openPlain(host, port, connectTimeout, readTimeout);
    }

    private static void throwIfError(JsonNode reply) {
        if (reply.has("error")) {
            throw Replies.errorOf(reply);
        }
    }

    private static Long unixTime(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw new CommunicationError("unexpected time in status reply: " + node);
        }
        return node.asLong();
    }

    /** Settings for {@link HarpCaller}. The host is required. */
    public static final class Builder {
        private String host;
        private int port = DEFAULT_PORT;
        private Duration connectTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ZERO;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Default 3502, the dispatcher's. */
        public Builder port(int port) {
            this.port = BuilderChecks.port(port);
            return this;
        }

        /**
         * For connecting and for every read. By default connecting gives up after 60 s and reads wait for ever,
         * as waiting for a result or following a stream may take as long as the job does.
         */
        public Builder timeout(Duration timeout) {
            this.connectTimeout = BuilderChecks.positiveTimeout(timeout);
            this.readTimeout = timeout;
            return this;
        }

        public HarpCaller build() {
            Objects.requireNonNull(host, "host");
            return new HarpCaller(this);
        }
    }
}
