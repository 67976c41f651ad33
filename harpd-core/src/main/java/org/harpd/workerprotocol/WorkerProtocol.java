package org.harpd.workerprotocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.harpd.logging.PythonLevels;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;

/**
 * The pipe protocol between the listener and a worker process. Line-JSON both ways, one object per line,
 * keys sorted ({@link Json#line}).
 *
 * <h2>Start</h2>
 * The listener runs {@code java <jvm options> -cp <classpath> <worker main> --procedures FILE
 * [--python-prepend P]... [--python-append P]...} (see {@link WorkerArguments}), the worker's stdin and
 * stdout being pipes to the listener and its stderr the listener's. The worker
 * <ol>
 *   <li>calls {@code setsid()}: it leads its own process group, so the listener can kill it and
 *       everything it spawned with {@code kill(-pid, SIGKILL)};</li>
 *   <li>asks for {@code SIGKILL} when its parent dies ({@code PR_SET_PDEATHSIG});</li>
 *   <li>moves the pipes off fds 0 and 1 to close-on-exec descriptors, puts {@code /dev/null} on fd 0 and
 *       stderr on fd 1, so output of procedures and of their subprocesses cannot corrupt the protocol;</li>
 *   <li>loads the procedures file ({@link org.harpd.worker.WorkerRuntime#load}), then writes
 *       {@code {"ready": {"pid": N}}} — or {@code {"fatal": {"message": "..."}}} and exits with status 1.</li>
 * </ol>
 *
 * <h2>A call</h2>
 * Listener: {@code {"after": "exit"|"reload"|"keep", "call": {"arguments": [...]|{...}, "expect": {...},
 * "groups": [...], "procedure": name, "user": u|null, "caller": {...}}}}, users and groups as numbers or names; a
 * missing {@code after} means {@code exit}. {@code caller} ({@link Caller}: {@code {"address": ip, "id": hex,
 * "port": n, "user": name}}, optional) is who called, for the procedure to learn. {@code expect} is the procedure as the listener read it at start-up
 * ({@link ProcedureOptions}: {@code {"gid": [...], "streaming": b, "timeout_nanos": n|null, "uid": u|null}}):
 * a worker whose procedures file says otherwise — edited since — refuses the call with
 * {@code procedure_loading_error} before running anything, as it refuses a call without {@code expect}.
 * The listener sends a call only to a worker that said {@code ready}, and only one at a time.
 * On its first call the worker switches to the call's identity (failure: it writes
 * {@code {"error": {"type": "system_error", ...}, "harp": 1}} and exits) and serves that identity only from
 * then on: it has given up the privilege to switch again, so a later call for another identity is refused the
 * same way. It runs the procedure and writes its wire messages as the client will get them: any number of
 * {@code {"stream": v}}, then exactly one final {@code {"result": v}}, {@code {"exception": {...}}} or
 * {@code {"error": {...}, "harp": 1}}. The listener forwards those lines verbatim.
 *
 * <h2>Call ids</h2>
 * Every call command carries {@code "id"}: 16 hex digits the listener draws at random for that call. Every line
 * the worker writes about a call (stream, final message, and the {@code ready} or {@code exiting} after it) is
 * framed as {@code <id> <message>}; boot messages ({@code ready}, {@code fatal}) and log records are not. The
 * listener does not trust the worker, whose process runs the procedure's code: a framed line must name the call
 * in flight and fit its state (streams, then one final message, then {@code ready} or {@code exiting}), an
 * untagged line may only be a log record or, while booting, {@code ready}/{@code fatal}. Anything else — a line
 * for another call, a second final message, a {@code ready} before the final message, a message between calls
 * — makes the listener kill the worker and fail the call in flight with {@code system_error}. The worker keeps
 * the id out of reach of the procedure's code: it reads and parses commands on a thread of its own and holds
 * the id only in locals of the loop that runs calls, so code that finds the reply pipe still cannot write a line
 * the listener takes for a call's.
 *
 * <h2>After a call</h2>
 * {@code after} is the listener's decision (isolation level, calls served so far):
 * <ul>
 *   <li>{@code exit} — the worker exits after the final line ({@code process} isolation, or its last call);</li>
 *   <li>{@code reload} — the worker puts its interpreter and process state back as they were when it booted
 *       ({@link org.harpd.worker.WorkerRuntime#reset}, {@link org.harpd.worker.ProcessBaseline}), then writes
 *       {@code {"ready": {"pid": N}}} again
 *       ({@code interpreter} isolation); what it cannot put back makes it write {@code {"exiting": ...}} and
 *       exit instead;</li>
 *   <li>{@code keep} — the worker writes {@code {"ready": {"pid": N}}} again at once, module state kept
 *       ({@code shared} isolation).</li>
 * </ul>
 * Whatever {@code after} says, a worker whose call left threads of its own running (or, at {@code reload}, any
 * thread or file descriptor) writes
 * {@code {"exiting": {"reason": "..."}}} and exits instead of becoming ready: nothing of one call may run on
 * into the next.
 *
 * <h2>Log records</h2>
 * Once ready, and also after the final message, the worker may write
 * {@code {"log": {"created": seconds, "levelno": n, "msg": "...", "name": "logger", "process": pid}}}: a record
 * of Python's {@code logging} made in the worker ({@link org.harpd.logging.PythonLogBridge}). The listener
 * logs it through its own configured handlers ({@link org.harpd.logging.LoggingSetup#forwardFromWorker}); it is
 * never part of a call's output. {@code created} and {@code process} are informative only: the listener stamps
 * the record with the worker's pid as it knows it and with the time it received the line, and escapes control
 * characters in name and message, so a worker cannot pass a record off as another process's or as several. Records made while the worker loads the procedures file are dropped: the
 * listener has loaded the same file and logged them once already. The listener accepts log lines in any state.
 *
 * <h2>Line length</h2>
 * No line from the worker may be longer than the pool's
 * {@link org.harpd.config.WorkersConfig#maxResultSize()} (harpd.conf's {@code workers.max_result_size}), newline
 * included. The listener does not buffer beyond it: the worker is
 * killed and its call, if any, fails with {@code system_error}.
 *
 * <h2>Timeout</h2>
 * When a call's procedure timeout expires the listener writes {@code {"timeout": {"id": "<call id>"}}}, at
 * any moment of the call: the worker does not queue it behind calls but delivers it at once as the original's SIGXCPU, to the
 * thread running the procedure (its {@code signal.SIGXCPU} handler, by default one raising
 * {@code Timeout}). A procedure that lets {@code Timeout} out ends with
 * {@code {"error": {"message": "maximum execution time exceeded", "type": "timeout"}, "harp": 1}}; one that
 * handles it ends as it ends. A worker still in the call {@link org.harpd.config.WorkersConfig#timeoutGrace()}
 * later is killed and the call fails with that timeout error; so is one that answered but has not said
 * {@code ready} by then. A timeout for a call the worker has read but not started is kept: that call is
 * answered {@code timeout} without running. The listener also sends it when the call's client is gone (a
 * cancel), after killing every process below the worker.
 *
 * <h2>End</h2>
 * End of file on the worker's command pipe means the listener is gone: the worker halts at once.
 * The listener ends a call early by killing the worker's process tree when the timeout grace is over (after a
 * timeout or a cancel) and at shutdown.
 */
public final class WorkerProtocol {
    public static final String READY = "ready";
    public static final String FATAL = "fatal";
    public static final String CALL = "call";
    public static final String STREAM = "stream";
    public static final String RESULT = "result";
    public static final String EXCEPTION = "exception";
    public static final String ERROR = "error";
    public static final String EXITING = "exiting";
    public static final String AFTER = "after";
    public static final String TIMEOUT = "timeout";
    public static final String ID = "id";
    /** Hex digits of a call id. */
    public static final int CALL_ID_CHARS = 16;
    private static final java.security.SecureRandom IDS = new java.security.SecureRandom();

    /** What the worker does once a call has ended. */
    public enum After {
        EXIT, RELOAD, KEEP;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static After fromWire(JsonNode value) {
            if (value == null || value.isNull()) {
                return EXIT;
            }
            for (After after : values()) {
                if (after.wireName().equals(value.asText())) {
                    return after;
                }
            }
            throw new IllegalArgumentException("unknown after-call action " + value);
        }
    }

    public static final String LOG = "log";

    private WorkerProtocol() {
    }

    /**
     * One call, as sent to the worker.
     *
     * @param expected the procedure's options as the listener knows them, or null when the command had none
     * @param caller   who called, or null when the command named nobody
     */
    public record CallCommand(String id, String procedure, JsonNode arguments, Identity identity, After after,
                              ProcedureOptions expected, Caller caller) {
    }

    public static byte[] ready(long pid) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject(READY).put("pid", pid);
        return Json.line(message);
    }

    public static byte[] fatal(String text) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject(FATAL).put("message", text);
        return Json.line(message);
    }

    /** A Python log record made in the worker; see "Log records" above. */
    public static byte[] log(String name, int levelno, String text, double created, long pid) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject(LOG).put("created", created).put("levelno", levelno).put("msg", text)
                .put("name", name).put("process", pid);
        return Json.line(message);
    }

    /** The time of call {@code id} is up; see "Timeout" above. */
    public static byte[] timeout(String id) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject(TIMEOUT).put(ID, requireCallId(id));
        return Json.line(message);
    }

    /** @return the call id of a {@code timeout} line, or null when it names none */
    public static String parseTimeout(JsonNode message) {
        JsonNode id = message.path(TIMEOUT).path(ID);
        return id.isTextual() && isCallId(id.asText()) ? id.asText() : null;
    }

    /** A call id nobody can guess: 64 random bits as 16 lower-case hex digits. */
    public static String newCallId() {
        return String.format(java.util.Locale.ROOT, "%016x", IDS.nextLong());
    }

    public static boolean isCallId(String text) {
        if (text == null || text.length() != CALL_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < CALL_ID_CHARS; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String requireCallId(String id) {
        if (!isCallId(id)) {
            throw new IllegalArgumentException("not a call id: " + id);
        }
        return id;
    }

    /**
     * {@code line} framed as belonging to call {@code id}: the id, a space, then the line. See "Call ids" above.
     */
    public static byte[] tagged(String id, byte[] line) {
        byte[] framed = new byte[CALL_ID_CHARS + 1 + line.length];
        for (int i = 0; i < CALL_ID_CHARS; i++) {
            framed[i] = (byte) id.charAt(i);
        }
        framed[CALL_ID_CHARS] = ' ';
        System.arraycopy(line, 0, framed, CALL_ID_CHARS + 1, line.length);
        return framed;
    }

    /**
     * A line from the worker, split into the call it names and its message.
     *
     * @param callId  the call id it is framed with, or null for an untagged line (boot, log records)
     * @param message the message line as the client would get it, newline included
     */
    public record Frame(String callId, byte[] message) {
        /** The message's first key, or null; see {@link #kind(byte[])}. */
        public String kind() {
            return WorkerProtocol.kind(message);
        }
    }

    /** @return the line's frame; a line starting with neither an id nor a JSON object has a null kind */
    public static Frame frame(byte[] line) {
        if (line.length > CALL_ID_CHARS && line[CALL_ID_CHARS] == ' ' && line[0] != '{') {
            String id = new String(line, 0, CALL_ID_CHARS, java.nio.charset.StandardCharsets.US_ASCII);
            if (isCallId(id)) {
                return new Frame(id, java.util.Arrays.copyOfRange(line, CALL_ID_CHARS + 1, line.length));
            }
        }
        return new Frame(null, line);
    }

    /** {@code {"stream": value}}: one item of a streaming procedure's output. */
    public static byte[] stream(JsonNode value) {
        return single(STREAM, value);
    }

    /** {@code {"result": value}}: the procedure returned; ends the call. */
    public static byte[] result(JsonNode value) {
        return single(RESULT, value);
    }

    /** {@code {"exception": {"data"?, "message", "type"}}}: the procedure raised; ends the call. */
    public static byte[] exception(String type, String text, JsonNode data) {
        ObjectNode exception = Json.MAPPER.createObjectNode();
        if (data != null) {
            exception.set("data", data);
        }
        exception.put("message", text);
        exception.put("type", type);
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set(EXCEPTION, exception);
        return Json.line(message);
    }

    /** {@code {"error": {...}, "harp": 1}}: harpd's own error for the call; ends the call. */
    public static byte[] error(HarpError error) {
        return Json.line(error.toMessage());
    }

    private static byte[] single(String key, JsonNode value) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set(key, value == null ? Json.MAPPER.nullNode() : value);
        return Json.line(message);
    }

    public static byte[] exiting(String reason) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject(EXITING).put("reason", reason);
        return Json.line(message);
    }

    /** A call after which the worker exits ({@code process} isolation). */
    public static byte[] call(String procedure, JsonNode arguments, Identity identity) {
        return call(procedure, arguments, identity, After.EXIT);
    }

    /** A call without the listener's expectations (which a worker refuses to run). */
    public static byte[] call(String procedure, JsonNode arguments, Identity identity, After after) {
        return call(procedure, arguments, identity, after, null);
    }

    /** A call with a fresh id; see "Call ids" above. */
    public static byte[] call(String procedure, JsonNode arguments, Identity identity, After after,
                              ProcedureOptions expected) {
        return call(newCallId(), procedure, arguments, identity, after, expected);
    }

    public static byte[] call(String id, String procedure, JsonNode arguments, Identity identity, After after,
                              ProcedureOptions expected) {
        return call(id, procedure, arguments, identity, after, expected, null);
    }

    /** @param caller who called, for the procedure; null sends none (then the procedure learns of no caller) */
    public static byte[] call(String id, String procedure, JsonNode arguments, Identity identity, After after,
                              ProcedureOptions expected, Caller caller) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put(AFTER, after.wireName());
        message.put(ID, requireCallId(id));
        ObjectNode call = message.putObject(CALL);
        call.put("procedure", procedure);
        call.set("arguments", arguments);
        if (expected != null) {
            ObjectNode expect = call.putObject("expect");
            expect.put("streaming", expected.streaming());
            if (expected.timeout() == null) {
                expect.putNull("timeout_nanos");
            } else {
                expect.put("timeout_nanos", expected.timeout().toNanos());
            }
            expect.set("uid", expected.user() == null ? null : idRef(expected.user()));
            ArrayNode gid = expect.putArray("gid");
            expected.groups().forEach(g -> gid.add(idRef(g)));
        }
        if (caller != null) {
            call.putObject("caller").put("address", caller.address()).put("id", caller.id())
                    .put("port", caller.port()).put("user", caller.user());
        }
        call.set("user", identity.user() == null ? null : idRef(identity.user()));
        ArrayNode groups = call.putArray("groups");
        identity.groups().forEach(g -> groups.add(idRef(g)));
        return Json.line(message);
    }

    /** @throws IllegalArgumentException when the line is not a well-formed call */
    public static CallCommand parseCall(JsonNode message) {
        JsonNode call = message.get(CALL);
        if (call == null || !call.isObject() || !call.path("procedure").isTextual()) {
            throw new IllegalArgumentException("not a call command");
        }
        JsonNode arguments = call.get("arguments");
        if (arguments == null || !(arguments.isArray() || arguments.isObject())) {
            throw new IllegalArgumentException("call arguments must be a list or an object");
        }
        JsonNode user = call.get("user");
        List<IdRef> groups = new ArrayList<>();
        for (JsonNode g : call.path("groups")) {
            groups.add(idRef(g));
        }
        JsonNode id = message.get(ID);
        if (id == null || !id.isTextual() || !isCallId(id.asText())) {
            throw new IllegalArgumentException("call command without a valid id");
        }
        return new CallCommand(id.asText(), call.get("procedure").asText(), arguments,
                new Identity(user == null || user.isNull() ? null : idRef(user), groups),
                After.fromWire(message.get(AFTER)), expected(call.get("expect")), caller(call.get("caller")));
    }

    private static Caller caller(JsonNode caller) {
        if (caller == null || caller.isNull()) {
            return null;
        }
        if (!caller.path("user").isTextual() || !caller.path("address").isTextual() || !caller.path("id").isTextual()
                || !caller.path("port").canConvertToInt()) {
            throw new IllegalArgumentException("malformed caller: " + caller);
        }
        return new Caller(caller.get("user").asText(), caller.get("address").asText(), caller.get("port").intValue(),
                caller.get("id").asText());
    }

    private static ProcedureOptions expected(JsonNode expect) {
        if (expect == null || expect.isNull()) {
            return null;
        }
        if (!expect.isObject() || !expect.path("streaming").isBoolean()) {
            throw new IllegalArgumentException("malformed procedure options: " + expect);
        }
        JsonNode timeout = expect.get("timeout_nanos");
        JsonNode uid = expect.get("uid");
        List<IdRef> gid = new ArrayList<>();
        for (JsonNode g : expect.path("gid")) {
            gid.add(idRef(g));
        }
        return new ProcedureOptions(expect.get("streaming").booleanValue(),
                timeout == null || timeout.isNull() ? null : java.time.Duration.ofNanos(timeout.longValue()),
                uid == null || uid.isNull() ? null : idRef(uid), gid);
    }

    /**
     * A worker's log record as the listener takes it from a {@code {"log": {...}}} line: missing fields take
     * Python's defaults (logger {@code root}, level INFO), a message that is not a string is its JSON text.
     * {@code "process"} and {@code "created"} are not read: who made the record and when is the listener's to
     * say.
     */
    public record LogRecord(String name, int levelno, String msg) {
    }

    /** @return the record, or null when the line is not a {@code log} message whose body is an object */
    public static LogRecord parseLog(byte[] line) {
        JsonNode log = body(line, LOG);
        if (log == null || !log.isObject()) {
            return null;
        }
        JsonNode name = log.path("name");
        JsonNode levelno = log.path("levelno");
        JsonNode msg = log.path("msg");
        return new LogRecord(name.isTextual() ? name.asText() : "root",
                levelno.canConvertToInt() ? levelno.asInt() : PythonLevels.INFO,
                msg.isTextual() ? msg.asText() : msg.isMissingNode() ? "" : msg.toString());
    }

    /** @return the reason of an {@code exiting} line, or "unknown" when it has none */
    public static String parseExiting(byte[] line) {
        JsonNode exiting = body(line, EXITING);
        return exiting == null ? "unknown" : exiting.path("reason").asText("unknown");
    }

    /** @return the message of a {@code fatal} line, or null when it has no text message */
    public static String parseFatal(byte[] line) {
        JsonNode fatal = body(line, FATAL);
        JsonNode message = fatal == null ? null : fatal.get("message");
        return message != null && message.isTextual() ? message.asText() : null;
    }

    /** @return the value under {@code key} of a line that is a JSON object, or null */
    private static JsonNode body(byte[] line, String key) {
        try {
            JsonNode message = Json.MAPPER.readTree(line);
            return message == null ? null : message.get(key);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The first key of a message line, read without parsing the rest (result lines can be large).
     *
     * @return the key, or null when the line does not start as a JSON object with a key
     */
    public static String kind(byte[] line) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME) {
                return null;
            }
            return parser.currentName();
        } catch (IOException e) {
            return null;
        }
    }

    static JsonNode idRef(IdRef ref) {
        return ref.isName() ? Json.MAPPER.getNodeFactory().textNode(ref.name())
                : Json.MAPPER.getNodeFactory().numberNode(ref.id());
    }

    static IdRef idRef(JsonNode node) {
        if (node.isTextual()) {
            return IdRef.ofName(node.asText());
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return IdRef.ofId(node.asLong());
        }
        throw new IllegalArgumentException("user or group must be a name or a number: " + node);
    }
}
