package org.harpd.caller;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.harpd.config.ConfigException;
import org.harpd.logging.EventLog;
import org.harpd.logging.LoggingSetup;

/**
 * The administration socket: a unix socket, mode 0600, owned by the user the dispatcher runs as (root), so only
 * that user can connect. One command per connection: the client sends {@code {"command": NAME, "args": [...]}};
 * the reply is lines {@code {"out": TEXT}} / {@code {"err": TEXT}} and a last {@code {"exit": STATUS}}.
 */
public final class ControlServer implements AutoCloseable {
    private static final EventLog LOG = EventLog.get("harpcallerd.control");
    /** How long a control client may take to send its command line. */
    static final long REQUEST_SECONDS = 10;
    /** Commands served at once. */
    private static final int MAX_COMMANDS = 16;
    private final Semaphore commands = new Semaphore(MAX_COMMANDS);

    /** What the daemon does for {@code stop} and {@code reload}. */
    public interface Daemon {
        void requestStop();

        CallerConfig reload() throws ConfigException;

        Path configFile();
    }

    private final Path path;
    private final Dispatcher dispatcher;
    private final Daemon daemon;
    private final ServerSocketChannel server;
    private final Thread thread;

    private ControlServer(Path path, Dispatcher dispatcher, Daemon daemon, ServerSocketChannel server) {
        this.path = path;
        this.dispatcher = dispatcher;
        this.daemon = daemon;
        this.server = server;
        this.thread = new Thread(this::acceptLoop, "control");
        thread.setDaemon(true);
    }

    /**
     * Binds the socket. Its directory is created 0750 if missing; an existing directory must not be writable by
     * others (else someone else could swap the socket). A stale socket (nobody answers) is replaced; a live one
     * means another dispatcher runs.
     */
    public static ControlServer open(Path path, Dispatcher dispatcher, Daemon daemon) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IOException(path + ": the control socket needs a directory");
        }
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        }
        PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isDirectory()) {
            throw new IOException(dir + ": not a directory");
        }
        Set<PosixFilePermission> perms = attrs.permissions();
        boolean sharedWritable = perms.contains(PosixFilePermission.OTHERS_WRITE)
                || perms.contains(PosixFilePermission.GROUP_WRITE);
        if (sharedWritable && !isSticky(dir)) {
            throw new IOException(dir + ": writable by group or others; refusing to put the control socket there");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IOException(path + ": exists and is not a socket");
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException(path + ": another harpcallerd is listening there");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("another harpcallerd")) {
                    throw e;
                }
                Files.delete(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(path, dispatcher, daemon, server);
        control.thread.start();
        return control;
    }

    private static boolean isSticky(Path dir) throws IOException {
        Object mode = Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 01000) != 0;
    }

    /**
     * Each command on a thread of its own: {@code hosts-refresh} may run the script for minutes and
     * {@code prune-jobs} may take long, and {@code status} (what systemd and the operator ask) must answer
     * meanwhile.
     */
    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control connection failed", "error", String.valueOf(e.getMessage()));
                }
                continue;
            }
            if (!commands.tryAcquire()) {
                closeQuietly(client); // only the dispatcher's user can connect; this many at once is a stuck client
                continue;
            }
            Thread t = new Thread(() -> {
                try (SocketChannel c = client) {
                    serve(c);
                } catch (IOException e) {
                    if (server.isOpen()) {
                        LOG.warn("control connection failed", "error", String.valueOf(e.getMessage()));
                    }
                } catch (RuntimeException e) {
                    LOG.error("control command failed", "error", String.valueOf(e));
                } finally {
                    commands.release();
                }
            }, "control-command");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to tell
        }
    }

    private void serve(SocketChannel client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(client);
        // a unix socket channel has no read timeout: a client that connects and sends nothing is closed
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(() -> closeQuietly(client),
                CompletableFuture.delayedExecutor(REQUEST_SECONDS, TimeUnit.SECONDS));
        String line;
        try {
            line = in.readLine();
        } finally {
            deadline.cancel(false);
        }
        if (line == null || line.length() > 1_000_000) {
            return;
        }
        Reply reply = new Reply(out);
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            reply.err("malformed control request");
            reply.exit(1);
            return;
        }
        String command = request.path("command").asText("");
        List<String> args = new ArrayList<>();
        request.path("args").forEach(a -> args.add(a.asText()));
        int status;
        try {
            status = run(command, args, reply);
        } catch (SQLException e) {
            reply.err("job store error: " + e.getMessage());
            status = 1;
        }
        reply.exit(status);
        if (command.equals("stop")) {
            daemon.requestStop();
        }
    }

    private static final class Reply {
        private final OutputStream out;

        Reply(OutputStream out) {
            this.out = out;
        }

        void out(String text) throws IOException {
            send(Json.MAPPER.createObjectNode().put("out", text));
        }

        void err(String text) throws IOException {
            send(Json.MAPPER.createObjectNode().put("err", text));
        }

        void exit(int status) throws IOException {
            send(Json.MAPPER.createObjectNode().put("exit", status));
        }

        private void send(ObjectNode n) throws IOException {
            out.write((n.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private int run(String command, List<String> args, Reply reply) throws IOException, SQLException {
        switch (command) {
            case "status":
                reply.out("harpcallerd is running (pid " + ProcessHandle.current().pid() + ")");
                return 0;
            case "stop":
                reply.out(Long.toString(ProcessHandle.current().pid()));
                return 0;
            case "reload":
                try {
                    CallerConfig c = daemon.reload();
                    reply.out("configuration reloaded from " + c.file());
                    return 0;
                } catch (ConfigException e) {
                    reply.err(e.getMessage());
                    return 1;
                }
            case "reopen-logs":
                LoggingSetup.reopen();
                return 0;
            case "list":
                // an empty list is an answer, not a failure (scripts test the exit status)
                list(args.contains("--all"), args.contains("--queue"), null, reply);
                return 0;
            case "info":
                if (args.size() != 1) {
                    reply.err("usage: info JOB");
                    return 2;
                }
                return list(true, true, args.get(0), reply) == 0 ? 0 : notFound(reply, args.get(0));
            case "cancel":
                if (args.size() != 1) {
                    reply.err("usage: cancel JOB");
                    return 2;
                }
                boolean cancelled = await(dispatcher.cancel(args.get(0), null));
                reply.out(cancelled ? "cancelled" : "not queued or running");
                return cancelled ? 0 : 1;
            case "queue-list":
                return queueList(args, reply);
            case "queue-cancel":
                return queueCancel(args, reply);
            case "hosts-list":
                for (HostRegistry.Host h : dispatcher.hosts().all()) {
                    reply.out(Json.MAPPER.createObjectNode().put("hostname", h.hostname())
                            .put("address", h.address()).put("port", h.port()).toString());
                }
                return 0;
            case "hosts-refresh": {
                CallerConfig config = dispatcher.config();
                HostRegistry.Refresh r = dispatcher.hosts().refresh(config.hostDbScript(), config.hostDbScriptUser(),
                        config.hostDbScriptTimeout());
                if (r.ok()) {
                    reply.out("hosts registry refreshed: " + r.hosts() + " hosts, " + r.ignoredLines()
                            + " lines ignored");
                    return 0;
                }
                reply.err("hosts registry not refreshed: " + r.problem());
                return 1;
            }
            case "prune-jobs": {
                long days = 30;
                for (String a : args) {
                    if (a.startsWith("--age=")) {
                        try {
                            days = Long.parseLong(a.substring(6));
                        } catch (NumberFormatException e) {
                            days = -1;
                        }
                        if (days < 0) {
                            reply.err("--age: expected a non-negative number of days");
                            return 2;
                        }
                    }
                }
                int pruned = dispatcher.store().prune(System.currentTimeMillis()
                        - TimeUnit.DAYS.toMillis(days));
                reply.out("pruned " + pruned + " jobs");
                return 0;
            }
            default:
                reply.err("unknown command: " + command);
                return 2;
        }
    }

    private static int notFound(Reply reply, String id) throws IOException {
        reply.err("no such job: " + id);
        return 1;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws IOException {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("dispatcher did not answer: " + e.getMessage(), e);
        }
    }

    /** @return 0 if at least one job was printed, else 1 */
    private int list(boolean all, boolean withQueue, String onlyId, Reply reply) throws SQLException, IOException {
        List<String> lines = new ArrayList<>();
        for (JobStore.JobRecord r : dispatcher.store().list(all, onlyId)) {
            ObjectNode status = ClientServer.statusOf(r);
            ObjectNode job = Json.object().put("job", r.id());
            job.set("call", status.get("call"));
            job.set("time", status.get("time"));
            job.set("outcome", outcomeSummary(r.outcome()));
            if (withQueue) {
                job.set("queue", r.queueKey() == null ? Json.MAPPER.nullNode() : Json.parseStored(r.queueKey()));
            }
            lines.add(job.toString());
        }
        for (String l : lines) {
            reply.out(l);
        }
        return lines.isEmpty() ? 1 : 0;
    }

    /**
     * What {@code list} and {@code info} show of a job's end: null until it ended, else {@code {"kind": K}} where K
     * is the end message's key ({@code result}, {@code exception}, {@code error}, {@code cancelled}), with the
     * {@code type} of an exception or error. The result itself is left out: it may be megabytes, and
     * {@code get_result} gives it.
     */
    static JsonNode outcomeSummary(String outcome) {
        if (outcome == null) {
            return Json.MAPPER.nullNode();
        }
        ObjectNode summary = Json.MAPPER.createObjectNode();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(outcome)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
                return summary.put("kind", "unknown");
            }
            String kind = p.currentName();
            summary.put("kind", kind);
            if (("error".equals(kind) || "exception".equals(kind)) && p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("type".equals(field) && value == JsonToken.VALUE_STRING) {
                        summary.put("type", p.getText());
                        break;
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            summary.put("kind", "unknown"); // stored by this dispatcher, so not expected
        }
        return summary;
    }

    private int queueList(List<String> args, Reply reply) throws SQLException, IOException {
        if (args.size() > 1) {
            reply.err("usage: queue-list [QUEUE-JSON]");
            return 2;
        }
        if (args.size() == 1) {
            String key = queueKey(args.get(0), reply);
            if (key == null) {
                return 2;
            }
            List<String> lines = new ArrayList<>();
            for (JobStore.QueuedJob j : dispatcher.store().queueJobs(key)) {
                lines.add(Json.object().put("job", j.id()).put("running", j.running()).toString());
            }
            for (String l : lines) {
                reply.out(l);
            }
            return 0;
        }
        List<String> lines = new ArrayList<>();
        for (JobStore.QueueCount q : dispatcher.store().queueCounts()) {
            ObjectNode line = Json.object();
            line.set("queue", Json.parseStored(q.queueKey()));
            line.put("running", q.running()).put("queued", q.queued());
            lines.add(line.toString());
        }
        for (String l : lines) {
            reply.out(l);
        }
        return 0;
    }

    private int queueCancel(List<String> args, Reply reply) throws IOException {
        if (args.size() != 1) {
            reply.err("usage: queue-cancel QUEUE-JSON");
            return 2;
        }
        String key = queueKey(args.get(0), reply);
        if (key == null) {
            return 2;
        }
        int n = 0;
        for (String id : await(dispatcher.jobsInQueue(key))) {
            if (await(dispatcher.cancel(id, null))) {
                n++;
            }
        }
        reply.out("cancelled " + n + " jobs");
        return 0;
    }

    private static String queueKey(String text, Reply reply) throws IOException {
        try {
            JsonNode name = Json.MAPPER.readTree(text);
            if (name == null || name.isMissingNode()) {
                throw new IOException("empty");
            }
            return Canonical.of(name);
        } catch (IOException e) {
            reply.err("QUEUE-JSON is not valid JSON: " + text);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing at shutdown
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove the control socket", "path", path.toString(), "error", e.getMessage());
        }
    }
}
