package org.harpd.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/** Turns one harpd.conf into a {@link HarpdConfig}, or into the first problem found. */
final class ConfigLoader {
    private static final Set<String> TOP_KEYS = Set.of("network", "authentication", "python", "workers",
            "authorization", "development", "metrics");
    private static final Set<String> METRICS_KEYS = Set.of("listen");
    private static final Set<String> DEVELOPMENT_KEYS = Set.of("tracebacks");
    private static final Set<String> AUTHORIZATION_KEYS = Set.of("users", "groups");
    private static final Set<String> NETWORK_KEYS = Set.of("address", "port", "certfile", "keyfile",
            "max_request_size", "read_timeout", "max_connections", "tls_ciphers");
    private static final Set<String> PYTHON_KEYS = Set.of("path");
    private static final Set<String> PYTHON_PATH_KEYS = Set.of("prepend", "append");
    private static final Set<String> WORKERS_KEYS = Set.of("isolation", "procedure_isolation", "spare", "max",
            "queue", "max_calls", "start_timeout", "kill_grace", "jvm_options", "idle_timeout", "spare_at_rest",
            "max_result_size", "timeout_grace",
            "share_between_users");

    private static final Pattern CIPHER_SUITE_NAME = Pattern.compile("(TLS|SSL)_[A-Z0-9_]+");

    private final Path file;
    private final Path directory;

    ConfigLoader(Path file) {
        this.file = file;
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.directory = parent != null ? parent : file.toAbsolutePath().getRoot();
    }

    HarpdConfig load() throws ConfigException {
        Object document = parse(read());
        ConfigSection top = ConfigSection.topLevel(file, document);
        top.rejectUnknownKeys(TOP_KEYS);
        NetworkConfig network = network(top.requiredSection("network"));
        AuthenticationConfig authentication = authentication(top.requiredSection("authentication"));
        PythonPath pythonPath = pythonPath(top.optionalSection("python"));
        WorkersConfig workers = workers(top.optionalSection("workers"));
        AuthorizationConfig authorization = top.has("authorization")
                ? authorization(top.optionalSection("authorization")) : AuthorizationConfig.ABSENT;
        ConfigSection development = top.optionalSection("development");
        development.rejectUnknownKeys(DEVELOPMENT_KEYS);
        boolean tracebacks = development.optionalBoolean("tracebacks", false);
        MetricsConfig metrics = top.has("metrics") ? metrics(top.optionalSection("metrics")) : MetricsConfig.ABSENT;
        return new HarpdConfig(file, network, authentication, pythonPath, workers, authorization, tracebacks,
                metrics);
    }

    private byte[] read() throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": cannot read: no such file", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read: permission denied", e);
        } catch (IOException | SecurityException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new ConfigException(file + ": cannot read: " + ConfigSection.oneLine(reason), e);
        }
    }

    private Object parse(byte[] content) throws ConfigException {
        try {
            return yaml().load(new ByteArrayInputStream(content));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark != null ? "line " + (mark.getLine() + 1) + ": " : "";
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(file + ": " + where + "YAML syntax error: "
                    + ConfigSection.oneLine(String.valueOf(problem)), e);
        } catch (YAMLException e) {
            throw new ConfigException(file + ": YAML error: " + ConfigSection.oneLine(String.valueOf(e.getMessage())), e);
        }
    }

    /** Plain data only: no object construction from tags, no duplicate keys, bounded aliases and nesting. */
    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(1024 * 1024);
        DumperOptions dumperOptions = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumperOptions), dumperOptions, options,
                new ResolverWithoutTimestamps());
    }

    /**
     * Unquoted dates stay strings: a configuration value is handed to Python modules as it was written,
     * and a {@code java.util.Date} would reach them as an opaque Java object.
     */
    private static final class ResolverWithoutTimestamps extends Resolver {
        @Override
        public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
            if (!Tag.TIMESTAMP.equals(tag)) {
                super.addImplicitResolver(tag, regexp, first, limit);
            }
        }

        @Override
        public void addImplicitResolver(Tag tag, Pattern regexp, String first) {
            if (!Tag.TIMESTAMP.equals(tag)) {
                super.addImplicitResolver(tag, regexp, first);
            }
        }
    }

    private NetworkConfig network(ConfigSection network) throws ConfigException {
        network.rejectUnknownKeys(NETWORK_KEYS);
        String address = network.optionalString("address", null);
        if (address != null && address.isEmpty()) {
            address = null; // as with Python's socket.bind(("", port)): all interfaces
        }
        int port = network.optionalInt("port", NetworkConfig.DEFAULT_PORT, 1, 65535);
        Path certfile = network.requiredReadableFile("certfile", directory);
        Path keyfile = network.requiredReadableFile("keyfile", directory);
        int maxRequest = network.optionalInt("max_request_size", NetworkConfig.DEFAULT_MAX_REQUEST_BYTES,
                1, Integer.MAX_VALUE);
        var readTimeout = network.optionalSeconds("read_timeout", NetworkConfig.DEFAULT_READ_TIMEOUT, false);
        int maxConnections = network.optionalInt("max_connections", NetworkConfig.DEFAULT_MAX_CONNECTIONS,
                0, Integer.MAX_VALUE);
        List<String> tlsCiphers = network.isNull("tls_ciphers") ? List.of()
                : network.stringOrStringList("tls_ciphers");
        if (network.has("tls_ciphers") && !network.isNull("tls_ciphers") && tlsCiphers.isEmpty()) {
            throw network.error("tls_ciphers", "must name at least one cipher suite (leave it out for the default)");
        }
        for (String suite : tlsCiphers) {
            // whether the TLS engine knows the name is checked when the context is built; here only the form
            if (!CIPHER_SUITE_NAME.matcher(suite).matches()) {
                throw network.error("tls_ciphers", "expected cipher suite names such as "
                        + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, got '" + ConfigSection.oneLine(suite) + "'");
            }
        }
        return new NetworkConfig(address, port, certfile, keyfile, maxRequest, readTimeout, maxConnections,
                tlsCiphers);
    }

    private AuthenticationConfig authentication(ConfigSection authentication) throws ConfigException {
        String module = authentication.requiredString("module");
        if (module.isBlank()) {
            throw authentication.error("module", "must not be empty");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        for (String key : authentication.keys()) {
            options.put(key, authentication.plainValue(key));
        }
        if (options.get("file") instanceof String name && !name.isEmpty()) {
            options.put("file", directory.resolve(name).normalize().toString());
        }
        return new AuthenticationConfig(module, Collections.unmodifiableMap(options));
    }

    /** Present, even empty: then nobody may call anything, which is what an empty list of rights says. */
    private static AuthorizationConfig authorization(ConfigSection section) throws ConfigException {
        section.rejectUnknownKeys(AUTHORIZATION_KEYS);
        return new AuthorizationConfig(true, rules(section.optionalSection("users")),
                rules(section.optionalSection("groups")));
    }

    private static Map<String, List<String>> rules(ConfigSection section) throws ConfigException {
        Map<String, List<String>> rules = new LinkedHashMap<>();
        for (String name : section.keys()) {
            List<String> entries = section.isNull(name) ? List.of() : section.stringOrStringList(name);
            for (int i = 0; i < entries.size(); i++) {
                String entry = entries.get(i);
                String problem = entry.isEmpty() ? "must not be empty"
                        : !entry.strip().equals(entry) ? "has spaces around " + ConfigSection.describe(entry)
                        : entry.chars().anyMatch(Character::isISOControl) ? "has control characters" : null;
                if (problem != null) {
                    throw section.error(name + "[" + i + "]",
                            "expected a procedure name or a glob pattern; " + problem);
                }
            }
            rules.put(name, entries);
        }
        return rules;
    }

    /** Present, even empty: then the endpoint listens on {@link MetricsConfig#DEFAULT_LISTEN}. */
    private static MetricsConfig metrics(ConfigSection section) throws ConfigException {
        section.rejectUnknownKeys(METRICS_KEYS);
        String listen = section.optionalString("listen", MetricsConfig.DEFAULT_LISTEN);
        String problem = MetricsConfig.problem(listen);
        if (problem != null) {
            throw section.error("listen", problem + ", got " + ConfigSection.describe(listen));
        }
        return MetricsConfig.parse(listen);
    }

    private PythonPath pythonPath(ConfigSection python) throws ConfigException {
        python.rejectUnknownKeys(PYTHON_KEYS);
        if (python.isNull("path")) {
            return PythonPath.NONE;
        }
        if (!python.isMapping("path")) {
            return new PythonPath(List.of(), resolved(python.stringOrStringList("path")));
        }
        ConfigSection path = python.optionalSection("path");
        path.rejectUnknownKeys(PYTHON_PATH_KEYS);
        List<String> prepend = path.isNull("prepend") ? List.of() : path.stringOrStringList("prepend");
        List<String> append = path.isNull("append") ? List.of() : path.stringOrStringList("append");
        return new PythonPath(resolved(prepend), resolved(append));
    }

    /**
     * Relative sys.path entries are taken against the config file's directory, like every other path in it:
     * workers and a detached daemon do not share the operator's working directory.
     */
    private List<String> resolved(List<String> entries) {
        return entries.stream().map(e -> e.isEmpty() ? e : directory.resolve(e).normalize().toString()).toList();
    }

    private WorkersConfig workers(ConfigSection workers) throws ConfigException {
        workers.rejectUnknownKeys(WORKERS_KEYS);
        WorkersConfig d = WorkersConfig.DEFAULTS;
        WorkersConfig.Isolation isolation = isolation(workers, "isolation", d.isolation());
        ConfigSection perProcedure = workers.optionalSection("procedure_isolation");
        Map<String, WorkersConfig.Isolation> procedureIsolation = new LinkedHashMap<>();
        for (String procedure : perProcedure.keys()) {
            procedureIsolation.put(procedure, isolation(perProcedure, procedure, null));
        }
        int max = workers.optionalInt("max", d.max(), 1, 100_000);
        int spare = workers.optionalInt("spare", Math.min(d.spare(), max), 0, 100_000);
        if (spare > max) {
            throw workers.error("spare", "must not exceed workers.max (" + max + "), got " + spare);
        }
        int spareAtRest = workers.optionalInt("spare_at_rest", Math.min(d.spareAtRest(), spare), 0, 100_000);
        if (spareAtRest > spare) {
            throw workers.error("spare_at_rest", "must not exceed workers.spare (" + spare + "), got " + spareAtRest);
        }
        int queue = workers.optionalInt("queue", d.queue(), 0, Integer.MAX_VALUE);
        OptionalInt maxCalls = workers.has("max_calls")
                ? OptionalInt.of(workers.optionalInt("max_calls", 1, 1, Integer.MAX_VALUE)) : d.maxCalls();
        var startTimeout = workers.optionalSeconds("start_timeout", d.startTimeout(), false);
        var killGrace = workers.optionalSeconds("kill_grace", d.killGrace(), true);
        var idleTimeout = workers.optionalSeconds("idle_timeout", d.idleTimeout(), true);
        var timeoutGrace = workers.optionalSeconds("timeout_grace", d.timeoutGrace(), false);
        List<String> jvmOptions = workers.isNull("jvm_options") ? List.of()
                : workers.stringOrStringList("jvm_options");
        int maxResultSize = workers.optionalInt("max_result_size", d.maxResultSize(),
                WorkersConfig.MIN_MAX_RESULT_SIZE, WorkersConfig.MAX_MAX_RESULT_SIZE);
        boolean shareBetweenUsers = workers.optionalBoolean("share_between_users", d.shareBetweenUsers());
        return d.toBuilder().isolation(isolation).max(max).spare(spare).spareAtRest(spareAtRest).queue(queue)
                .maxCalls(maxCalls).startTimeout(startTimeout).killGrace(killGrace).jvmOptions(jvmOptions)
                .procedureIsolation(procedureIsolation).idleTimeout(idleTimeout).maxResultSize(maxResultSize)
                .timeoutGrace(timeoutGrace).shareBetweenUsers(shareBetweenUsers).build();
    }

    private static WorkersConfig.Isolation isolation(ConfigSection section, String key,
                                                     WorkersConfig.Isolation fallback) throws ConfigException {
        String name = fallback == null ? section.requiredString(key) : section.optionalString(key, null);
        if (name == null) {
            return fallback;
        }
        WorkersConfig.Isolation isolation = WorkersConfig.Isolation.fromConfigName(name);
        if (isolation == null) {
            throw section.error(key, "expected one of 'process', 'interpreter', 'shared', got "
                    + ConfigSection.describe(name));
        }
        return isolation;
    }
}
