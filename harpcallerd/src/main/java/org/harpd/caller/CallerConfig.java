package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.harpd.config.ConfigException;
import org.harpd.config.MetricsConfig;
import org.harpd.posix.Posix;
import org.harpd.posix.UserEntry;

/**
 * harpcallerd's configuration, read once from the original's TOML file and validated as a whole.
 *
 * <p>The keys are the original's, except {@code host_db_script_timeout}, {@code host_db_script_user} (see
 * {@link ScriptUser}), {@code verify_hostname},
 * {@code [limits]} (see {@link Limits}), {@code [[clients]]} (see {@link Client}) and {@code [database]}: {@code url} (a JDBC URL;
 * default an SQLite file {@code jobs.sqlite} in {@code stream_directory}), {@code user}, {@code password} and
 * {@code instance} (this dispatcher's name in a shared PostgreSQL store; default the host name) and, for SQLite,
 * {@code synchronous}: {@code "full"} (default; every commit is on disk before it is reported) or {@code "normal"}
 * (a commit survives a crash of the dispatcher, not of the machine; the write-ahead log is synced at checkpoints),
 * and {@code [metrics]}: {@code listen} (where the Prometheus endpoint listens; default {@value #DEFAULT_METRICS_LISTEN}),
 * without which nothing is measured and no port is opened.
 *
 * @param warnings things the operator should hear about once the log is set up (e.g. the ignored {@code [erlang]})
 */
public record CallerConfig(
        Path file,
        List<Listen> listen,
        Path caFile,
        Path knownCertsFile,
        Path streamDirectory,
        int defaultTimeout,
        int maxExecTime,
        Integer maxAgeHours,
        Path hostDbScript,
        Path hostDb,
        int hostDbRefresh,
        int hostDbScriptTimeout,
        ScriptUser hostDbScriptUser,
        Set<LogHandler> logHandlers,
        boolean verifyHostname,
        Limits limits,
        List<Client> clients,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        String instance,
        boolean syncEveryCommit,
        MetricsConfig metrics,
        List<String> warnings) {

    public static final Path DEFAULT_FILE = Path.of("/etc/harpcaller/harpcaller.toml");
    /** Loopback, as the endpoint has no authentication; one port above harpd's default, so both fit on a host. */
    public static final String DEFAULT_METRICS_LISTEN = "127.0.0.1:9465";

    /**
     * Where the log goes. Absent {@code log_handlers}: {@link #STDERR}, harpd's default. The original's names are
     * {@code harpcaller_syslog_h} and {@code harpcaller_stdout_h}; {@code syslog} and {@code stdout} are aliases.
     */
    public enum LogHandler { STDERR, STDOUT, SYSLOG }

    /**
     * What one unauthenticated peer can make the dispatcher hold. The original had no limits; each has a default
     * that a HarpCaller application does not reach, so that an unchanged client keeps working.
     *
     * @param maxConnections client connections open at once; more are answered with an error and closed
     * @param requestSeconds time from a connection's accept to its complete request line (not per silence)
     * @param maxRequestBytes the longest request line
     * @param maxPendingBytes bytes of incomplete request lines held over all connections together
     * @param maxJobBytes a job's stored size: arguments and info at submission, then stream packets and result
     * @param maxStoreBytes the job store's size above which submissions are refused; 0: no quota (the original's
     *     behaviour: with {@code max_age} the store stays bounded by what a client can submit in that time)
     */
    public record Limits(int maxConnections, int requestSeconds, int maxRequestBytes, long maxPendingBytes,
                         long maxJobBytes, long maxStoreBytes) {
        static final Limits DEFAULTS = new Limits(1024, 30, 1024 * 1024, 64L * 1024 * 1024, 16L * 1024 * 1024, 0);
    }

    /**
     * A client allowed on the client port once any {@code [[clients]]} is configured. It is recognised by its
     * source address ({@code addresses}, CIDR ranges) and/or by a {@code "token"} field in its requests; the
     * allow-lists are empty when any value goes.
     *
     * @param queues canonical JSON of the queue names it may use (a call without a queue is always allowed)
     */
    public record Client(String name, List<String> addresses, String token, Set<String> hosts,
                         Set<String> procedures, Set<String> queues) {
        public Client {
            addresses = List.copyOf(addresses);
            hosts = Set.copyOf(hosts);
            procedures = Set.copyOf(procedures);
            queues = Set.copyOf(queues);
        }

        /** Never the token. */
        @Override
        public String toString() {
            return "Client[" + name + " " + addresses + (token != null ? " token" : "") + "]";
        }
    }

    /** One {@code listen} entry: {@code "*:3502"}, {@code "127.0.0.1:3502"}, {@code "[::1]:3502"}. */
    public record Listen(String address, int port) {
        /** {@code null} address: every interface. */
        static Listen parse(String text) throws IllegalArgumentException {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("expected ADDRESS:PORT, got \"" + text + "\"");
            }
            String host = text.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number in \"" + text + "\"");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range in \"" + text + "\"");
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Listen(host.equals("*") ? null : host, port);
        }
    }

    private static final Set<String> TOP_KEYS = Set.of("listen", "ca_file", "known_certs_file", "stream_directory",
            "default_timeout", "max_exec_time", "max_age", "host_db_script", "host_db", "host_db_refresh",
            "log_handlers", "erlang", "database", "host_db_script_timeout", "host_db_script_user",
            "verify_hostname", "limits", "clients", "metrics");
    private static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password", "instance", "synchronous");
    private static final Set<String> LIMIT_KEYS = Set.of("max_connections", "request_timeout", "max_request_bytes",
            "max_pending_bytes", "max_job_bytes", "max_store_bytes");
    private static final Set<String> METRICS_KEYS = Set.of("listen");
    private static final Set<String> CLIENT_KEYS = Set.of("name", "addresses", "token", "hosts", "procedures",
            "queues");

    public CallerConfig {
        listen = List.copyOf(listen);
        logHandlers = Set.copyOf(logHandlers);
        clients = List.copyOf(clients);
        warnings = List.copyOf(warnings);
    }

    /** Any {@code [[clients]]}: every request must come from one of them. */
    public boolean clientAuthentication() {
        return !clients.isEmpty();
    }

    /** Never the database password nor a client's token. */
    @Override
    public String toString() {
        return "CallerConfig[" + file + " " + describe() + "]";
    }

    /** The JDBC URL is PostgreSQL's (shared store, cross-dispatcher queue limits). */
    public boolean postgres() {
        return databaseUrl.startsWith("jdbc:postgresql:");
    }

    /**
     * @throws ConfigException one line: "FILE: KEY: problem"
     */
    public static CallerConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid TOML: " + firstLine(e.getMessage()));
        }
        CallerConfig config = parse(file, root == null ? new TomlMapper().createObjectNode() : root);
        String secret = config.databasePassword() != null ? "database.password"
                : config.clients().stream().anyMatch(c -> c.token() != null) ? "clients.token" : null;
        if (secret != null && readableByOthers(file)) {
            // refused, not warned: these keys are this implementation's, so no original file is turned away, and
            // a password anyone on the machine can read is one anyone can use
            throw new ConfigException(file + ": " + secret + ": the file holds a secret and is readable by others;"
                    + " chmod o-rwx " + file);
        }
        return config;
    }

    private static boolean readableByOthers(Path file) {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // it was just read; a file system without modes has nothing to check
        }
    }

    static CallerConfig parse(Path file, JsonNode root) throws ConfigException {
        Keys k = new Keys(file);
        List<String> warnings = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_KEYS.contains(key)) {
                throw k.problem(key, "unknown key");
            }
        }
        if (root.has("erlang")) {
            warnings.add(file + ": erlang: Erlang runtime settings have no meaning for this dispatcher; ignored");
        }
        List<Listen> listen = new ArrayList<>();
        JsonNode listenNode = root.get("listen");
        if (listenNode == null) {
            // not the original's *:3502: without [[clients]] anyone reaching the port runs any procedure
            listen.add(new Listen("127.0.0.1", 3502));
        } else {
            if (!listenNode.isArray() || listenNode.isEmpty()) {
                throw k.problem("listen", "expected a non-empty array of \"ADDRESS:PORT\" strings");
            }
            for (JsonNode entry : listenNode) {
                if (!entry.isTextual()) {
                    throw k.problem("listen", "expected a non-empty array of \"ADDRESS:PORT\" strings");
                }
                try {
                    listen.add(Listen.parse(entry.asText()));
                } catch (IllegalArgumentException e) {
                    throw k.problem("listen", e.getMessage());
                }
            }
        }
        Path streamDirectory = k.path(root, "stream_directory", Path.of("/var/lib/harpcaller/stream"));
        int defaultTimeout = k.positiveInt(root, "default_timeout", 600);
        int maxExecTime = k.positiveInt(root, "max_exec_time", 600);
        Integer maxAge = root.has("max_age") ? k.positiveInt(root, "max_age", 0) : null;
        Path hostDbScript = k.path(root, "host_db_script", null);
        Path hostDb = k.path(root, "host_db", Path.of("/var/lib/harpcaller/hosts.db"));
        int hostDbRefresh = k.positiveInt(root, "host_db_refresh", 900);
        int hostDbScriptTimeout = k.positiveInt(root, "host_db_script_timeout", 300);
        ScriptUser hostDbScriptUser = scriptUser(file, k.string(root, "host_db_script_user", "host_db_script_user",
                null), Posix.geteuid());
        Set<LogHandler> logHandlers = logHandlers(k, root.get("log_handlers"));
        boolean verifyHostname = k.bool(root, "verify_hostname", true);
        Limits limits = limits(k, root);
        List<Client> clients = clients(k, root.get("clients"));
        JsonNode db = root.path("database");
        if (root.has("database") && !db.isObject()) {
            throw k.problem("database", "expected a table");
        }
        for (Iterator<String> it = db.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!DATABASE_KEYS.contains(key)) {
                throw k.problem("database." + key, "unknown key");
            }
        }
        String url = k.string(db, "database.url", "url",
                "jdbc:sqlite:" + streamDirectory.resolve("jobs.sqlite"));
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw k.problem("database.url", "expected a jdbc:sqlite: or jdbc:postgresql: URL");
        }
        String user = k.string(db, "database.user", "user", null);
        String password = k.string(db, "database.password", "password", null);
        String instance = k.string(db, "database.instance", "instance", localHostName());
        String synchronous = k.string(db, "database.synchronous", "synchronous", "full");
        if (!synchronous.equals("full") && !synchronous.equals("normal")) {
            throw k.problem("database.synchronous", "expected \"full\" or \"normal\"");
        }
        if (instance.isEmpty() || instance.length() > 200) {
            throw k.problem("database.instance", "expected 1 to 200 characters");
        }
        return new CallerConfig(file, listen, k.path(root, "ca_file", null), k.path(root, "known_certs_file", null),
                streamDirectory, defaultTimeout, maxExecTime, maxAge, hostDbScript, hostDb, hostDbRefresh,
                hostDbScriptTimeout, hostDbScriptUser, logHandlers, verifyHostname, limits, clients, url, user, password, instance,
                synchronous.equals("full"), metrics(k, root), warnings);
    }

    /** {@code [metrics]}, even empty, turns the endpoint on. */
    private static MetricsConfig metrics(Keys k, JsonNode root) throws ConfigException {
        if (!root.has("metrics")) {
            return MetricsConfig.ABSENT;
        }
        JsonNode t = root.get("metrics");
        if (!t.isObject()) {
            throw k.problem("metrics", "expected a table");
        }
        k.onlyKeys(t, "metrics.", METRICS_KEYS);
        String listen = k.string(t, "metrics.listen", "listen", DEFAULT_METRICS_LISTEN);
        String problem = MetricsConfig.problem(listen);
        if (problem != null) {
            throw k.problem("metrics.listen", problem + ", got \"" + listen + "\"");
        }
        return MetricsConfig.parse(listen);
    }

    /**
     * The user the hosts script runs as ({@code host_db_script_user}), resolved when the file is read so that a
     * name that does not exist, or a switch the dispatcher has not the privileges for, stops the start (or the
     * reload) instead of failing every refresh.
     */
    public record ScriptUser(String name, int uid, int gid) {
    }

    /** @param euid the dispatcher's effective uid: only root can run the script as someone else */
    static ScriptUser scriptUser(Path file, String name, int euid) throws ConfigException {
        Keys k = new Keys(file);
        if (name == null) {
            return null;
        }
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw k.problem("host_db_script_user", "expected a user name");
        }
        UserEntry entry = Posix.user(name)
                .orElseThrow(() -> k.problem("host_db_script_user", "no such user: " + name));
        if (euid != 0 && entry.uid() != euid) {
            throw k.problem("host_db_script_user", "harpcallerd runs as uid " + euid + ", not root: it cannot run"
                    + " the script as " + name + " (uid " + entry.uid() + ")");
        }
        return new ScriptUser(entry.name(), entry.uid(), entry.gid());
    }

    private static Set<LogHandler> logHandlers(Keys k, JsonNode handlers) throws ConfigException {
        if (handlers == null) {
            return Set.of(LogHandler.STDERR);
        }
        String expected = "expected an array of \"harpcaller_syslog_h\" / \"harpcaller_stdout_h\" "
                + "(or \"syslog\" / \"stdout\")";
        if (!handlers.isArray()) {
            throw k.problem("log_handlers", expected);
        }
        // an empty list logs nothing, as the original does with no handler
        Set<LogHandler> set = EnumSet.noneOf(LogHandler.class);
        for (JsonNode h : handlers) {
            String name = h.isTextual() ? h.asText() : (h.isObject() ? h.path("type").asText(null) : null);
            if ("harpcaller_syslog_h".equals(name) || "syslog".equals(name)) {
                set.add(LogHandler.SYSLOG);
            } else if ("harpcaller_stdout_h".equals(name) || "stdout".equals(name)) {
                set.add(LogHandler.STDOUT);
            } else {
                throw k.problem("log_handlers", "unknown handler " + h + "; " + expected);
            }
        }
        return set;
    }

    private static Limits limits(Keys k, JsonNode root) throws ConfigException {
        JsonNode t = root.path("limits");
        if (root.has("limits") && !t.isObject()) {
            throw k.problem("limits", "expected a table");
        }
        k.onlyKeys(t, "limits.", LIMIT_KEYS);
        Limits d = Limits.DEFAULTS;
        return new Limits(k.positiveInt(t, "limits.", "max_connections", d.maxConnections()),
                k.positiveInt(t, "limits.", "request_timeout", d.requestSeconds()),
                k.positiveInt(t, "limits.", "max_request_bytes", d.maxRequestBytes()),
                k.positiveLong(t, "limits.", "max_pending_bytes", d.maxPendingBytes()),
                k.positiveLong(t, "limits.", "max_job_bytes", d.maxJobBytes()),
                k.positiveLong(t, "limits.", "max_store_bytes", d.maxStoreBytes()));
    }

    private static List<Client> clients(Keys k, JsonNode node) throws ConfigException {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw k.problem("clients", "expected an array of tables ([[clients]])");
        }
        List<Client> clients = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode c = node.get(i);
            String key = "clients[" + i + "]";
            if (!c.isObject()) {
                throw k.problem(key, "expected a table");
            }
            k.onlyKeys(c, key + ".", CLIENT_KEYS);
            String name = k.string(c, key + ".name", "name", null);
            if (name == null || name.isEmpty()) {
                throw k.problem(key + ".name", "every client needs a name");
            }
            if (!names.add(name)) {
                throw k.problem(key + ".name", "\"" + name + "\" is used twice");
            }
            List<String> addresses = k.strings(c, key + ".addresses", "addresses");
            for (String a : addresses) {
                try {
                    ClientAuthenticator.range(a);
                } catch (IllegalArgumentException e) {
                    throw k.problem(key + ".addresses", e.getMessage());
                }
            }
            String token = k.string(c, key + ".token", "token", null);
            if (token != null && token.length() < 16) {
                throw k.problem(key + ".token", "expected at least 16 characters");
            }
            if (token == null && addresses.isEmpty()) {
                throw k.problem(key, "a client needs \"addresses\", a \"token\", or both");
            }
            Set<String> queues = new java.util.HashSet<>();
            JsonNode q = c.get("queues");
            if (q != null) {
                if (!q.isArray()) {
                    throw k.problem(key + ".queues", "expected an array of queue names");
                }
                q.forEach(name2 -> queues.add(Canonical.of(name2)));
            }
            clients.add(new Client(name, addresses, token, Set.copyOf(k.strings(c, key + ".hosts", "hosts")),
                    Set.copyOf(k.strings(c, key + ".procedures", "procedures")), queues));
        }
        return clients;
    }

    /** For {@code info}/{@code reload} output: never the database password. */
    public Map<String, Object> describe() {
        return Map.of("listen", listen.toString(), "database", databaseUrl, "instance", instance);
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Typed access that reports "FILE: KEY: problem". */
    private record Keys(Path file) {
        ConfigException problem(String key, String problem) {
            return new ConfigException(file + ": " + key + ": " + problem);
        }

        int positiveInt(JsonNode root, String key, int dflt) throws ConfigException {
            return positiveInt(root, "", key, dflt);
        }

        int positiveInt(JsonNode table, String prefix, String key, int dflt) throws ConfigException {
            long n = positiveLong(table, prefix, key, dflt);
            if (n > Integer.MAX_VALUE) {
                throw problem(prefix + key, "expected a positive integer, got " + n);
            }
            return (int) n;
        }

        long positiveLong(JsonNode table, String prefix, String key, long dflt) throws ConfigException {
            JsonNode n = table.get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() <= 0) {
                throw problem(prefix + key, "expected a positive integer, got " + n);
            }
            return n.asLong();
        }

        boolean bool(JsonNode root, String key, boolean dflt) throws ConfigException {
            JsonNode n = root.get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw problem(key, "expected true or false, got " + n);
            }
            return n.asBoolean();
        }

        void onlyKeys(JsonNode table, String prefix, Set<String> allowed) throws ConfigException {
            for (Iterator<String> it = table.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!allowed.contains(key)) {
                    throw problem(prefix + key, "unknown key");
                }
            }
        }

        List<String> strings(JsonNode table, String fullKey, String key) throws ConfigException {
            JsonNode n = table.get(key);
            if (n == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (n.isArray()) {
                for (JsonNode e : n) {
                    if (!e.isTextual()) {
                        break;
                    }
                    out.add(e.asText());
                }
            }
            if (!n.isArray() || out.size() != n.size()) {
                throw problem(fullKey, "expected an array of strings");
            }
            return out;
        }

        Path path(JsonNode root, String key, Path dflt) throws ConfigException {
            JsonNode n = root.get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isTextual() || n.asText().isEmpty() || n.asText().indexOf('\0') >= 0) {
                throw problem(key, "expected a file name, got " + n);
            }
            Path p = Path.of(n.asText());
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null) {
                throw problem(key, "a relative file name needs the configuration file's directory");
            }
            return p.isAbsolute() ? p : dir.resolve(p).normalize();
        }

        String string(JsonNode table, String fullKey, String key, String dflt) throws ConfigException {
            JsonNode n = table.get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isTextual()) {
                throw problem(fullKey, "expected a string");
            }
            return n.asText();
        }
    }
}
