package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.harpd.config.ConfigException;

/**
 * harpcallerd's configuration, read once from the original's TOML file and validated as a whole.
 *
 * <p>The keys are the original's; {@code [database]} is this implementation's: {@code url} (a JDBC URL;
 * default an SQLite file {@code jobs.sqlite} in {@code stream_directory}), {@code user}, {@code password} and
 * {@code instance} (this dispatcher's name in a shared PostgreSQL store; default the host name) and, for SQLite,
 * {@code synchronous}: {@code "full"} (default; every commit is on disk before it is reported) or {@code "normal"}
 * (a commit survives a crash of the dispatcher, not of the machine; the write-ahead log is synced at checkpoints).
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
        boolean syslog,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        String instance,
        boolean syncEveryCommit,
        List<String> warnings) {

    public static final Path DEFAULT_FILE = Path.of("/etc/harpcaller/harpcaller.toml");

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
            "log_handlers", "erlang", "database");
    private static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password", "instance", "synchronous");

    public CallerConfig {
        listen = List.copyOf(listen);
        warnings = List.copyOf(warnings);
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
        return parse(file, root == null ? new TomlMapper().createObjectNode() : root);
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
            listen.add(new Listen(null, 3502));
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
        boolean syslog = false;
        JsonNode handlers = root.get("log_handlers");
        if (handlers != null) {
            if (!handlers.isArray()) {
                throw k.problem("log_handlers", "expected an array of \"stdout\" / \"syslog\"");
            }
            for (JsonNode h : handlers) {
                String name = h.isTextual() ? h.asText() : (h.isObject() ? h.path("type").asText(null) : null);
                if ("syslog".equals(name)) {
                    syslog = true;
                } else if (!"stdout".equals(name)) {
                    throw k.problem("log_handlers", "unknown handler " + h + " (expected \"stdout\" or \"syslog\")");
                }
            }
        }
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
                streamDirectory, defaultTimeout, maxExecTime, maxAge, hostDbScript, hostDb, hostDbRefresh, syslog,
                url, user, password, instance, synchronous.equals("full"), warnings);
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
            JsonNode n = root.get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isIntegralNumber() || n.asLong() <= 0 || n.asLong() > Integer.MAX_VALUE) {
                throw problem(key, "expected a positive integer, got " + n);
            }
            return n.asInt();
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
