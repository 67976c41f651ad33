package org.harpd.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a Python {@code logging.config.dictConfig} document and builds its handlers.
 * Every problem is reported as one line naming the dotted key; handlers are built (files opened, sockets
 * connected) here so that applying the result cannot fail half-way.
 */
final class DictConfig {
    private static final Set<String> TOP_KEYS =
            Set.of("version", "root", "loggers", "formatters", "handlers", "filters", "incremental",
                    "disable_existing_loggers");
    private static final Set<String> HANDLER_COMMON = Set.of("class", "level", "formatter", "filters");

    private final String file;
    private final Path relativeTo;
    private final Supplier<OutputStream> stdout;
    private final Supplier<OutputStream> stderr;
    private final List<PythonHandler> built = new ArrayList<>();

    private DictConfig(String file, Path relativeTo, Supplier<OutputStream> stdout, Supplier<OutputStream> stderr) {
        this.file = file;
        this.relativeTo = relativeTo;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param relativeTo the directory relative file names and socket paths in the document are taken against, as
     *                   Python's logging takes them against its working directory
     */
    static LoggingPlan read(Path yamlFile, Path relativeTo, Supplier<OutputStream> stdout,
                            Supplier<OutputStream> stderr) throws LoggingConfigException {
        DictConfig config = new DictConfig(yamlFile.toString(), relativeTo, stdout, stderr);
        Object document;
        try {
            String text = Files.readString(yamlFile, StandardCharsets.UTF_8);
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (IOException e) {
            throw new LoggingConfigException(yamlFile + ": cannot read: " + describe(e));
        } catch (YAMLException e) {
            throw new LoggingConfigException(yamlFile + ": invalid YAML: " + oneLine(e.getMessage()));
        }
        try {
            return config.plan(document);
        } catch (LoggingConfigException e) {
            config.closeBuilt();
            throw e;
        }
    }

    private LoggingPlan plan(Object document) throws LoggingConfigException {
        Map<String, Object> top = mapping(document, null);
        for (String key : top.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                throw fail(key, "unsupported key");
            }
        }
        Object version = top.get("version");
        if (version == null) {
            throw fail("version", "missing (must be 1)");
        }
        if (!Integer.valueOf(1).equals(version)) {
            throw fail("version", "unsupported version " + version + " (must be 1)");
        }
        if (Boolean.TRUE.equals(top.get("incremental"))) {
            throw fail("incremental", "incremental configuration is not supported");
        }
        checkBoolean(top, "incremental", null);
        checkBoolean(top, "disable_existing_loggers", null);

        Map<String, String> filters = filters(mapping(top.getOrDefault("filters", Map.of()), "filters"));
        Map<String, PythonFormat> formatters = formatters(mapping(top.getOrDefault("formatters", Map.of()),
                "formatters"));
        Map<String, PythonHandler> handlers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : mapping(top.getOrDefault("handlers", Map.of()), "handlers")
                .entrySet()) {
            String key = "handlers." + entry.getKey();
            PythonHandler handler = handler(key, mapping(entry.getValue(), key), formatters, filters);
            handler.setName(entry.getKey());
            handlers.put(entry.getKey(), handler);
        }

        int rootLevel = PythonLevels.WARNING;
        List<PythonHandler> rootHandlers = List.of();
        if (top.get("root") != null) {
            Map<String, Object> root = mapping(top.get("root"), "root");
            checkKeys("root", root, Set.of("level", "handlers", "filters"));
            noLoggerFilters("root", root);
            if (root.containsKey("level")) {
                rootLevel = level("root.level", root.get("level"));
            }
            rootHandlers = handlerList("root.handlers", root.get("handlers"), handlers);
        }

        Map<String, LoggingPlan.LoggerPlan> loggers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : mapping(top.getOrDefault("loggers", Map.of()), "loggers")
                .entrySet()) {
            String key = "loggers." + entry.getKey();
            Map<String, Object> logger = mapping(entry.getValue() == null ? Map.of() : entry.getValue(), key);
            checkKeys(key, logger, Set.of("level", "handlers", "propagate", "filters"));
            noLoggerFilters(key, logger);
            int level = logger.containsKey("level") ? level(key + ".level", logger.get("level"))
                    : PythonLevels.NOTSET;
            checkBoolean(logger, "propagate", key);
            boolean propagate = !Boolean.FALSE.equals(logger.get("propagate"));
            loggers.put(entry.getKey(), new LoggingPlan.LoggerPlan(level,
                    handlerList(key + ".handlers", logger.get("handlers"), handlers), propagate));
        }
        return new LoggingPlan(rootLevel, rootHandlers, loggers, List.copyOf(handlers.values()));
    }

    private Map<String, String> filters(Map<String, Object> section) throws LoggingConfigException {
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : section.entrySet()) {
            String key = "filters." + entry.getKey();
            Map<String, Object> filter = mapping(entry.getValue() == null ? Map.of() : entry.getValue(), key);
            checkKeys(key, filter, Set.of("name"));
            names.put(entry.getKey(), string(key + ".name", filter.getOrDefault("name", "")));
        }
        return names;
    }

    private Map<String, PythonFormat> formatters(Map<String, Object> section) throws LoggingConfigException {
        Map<String, PythonFormat> formats = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : section.entrySet()) {
            String key = "formatters." + entry.getKey();
            Map<String, Object> spec = mapping(entry.getValue() == null ? Map.of() : entry.getValue(), key);
            checkKeys(key, spec, Set.of("format", "datefmt", "class"));
            if (spec.containsKey("class") && !"logging.Formatter".equals(spec.get("class"))) {
                throw fail(key + ".class", "unsupported formatter class '" + spec.get("class") + "'");
            }
            String format = string(key + ".format", spec.getOrDefault("format", PythonFormat.DEFAULT));
            String datefmt = spec.get("datefmt") == null ? null : string(key + ".datefmt", spec.get("datefmt"));
            if (datefmt != null) {
                try {
                    Strftime.compile(datefmt);
                } catch (IllegalArgumentException e) {
                    throw fail(key + ".datefmt", e.getMessage());
                }
            }
            try {
                formats.put(entry.getKey(), PythonFormat.of(format, datefmt));
            } catch (IllegalArgumentException e) {
                throw fail(key + ".format", e.getMessage());
            }
        }
        return formats;
    }

    private PythonHandler handler(String key, Map<String, Object> spec, Map<String, PythonFormat> formatters,
                                  Map<String, String> filters) throws LoggingConfigException {
        Object className = spec.get("class");
        if (className == null) {
            throw fail(key + ".class", spec.containsKey("()") ? "handler factories '()' are not supported"
                    : "missing");
        }
        PythonHandler handler;
        switch (string(key + ".class", className)) {
            case "logging.StreamHandler":
                handler = streamHandler(key, spec);
                break;
            case "logging.FileHandler":
                handler = fileHandler(key, spec, Set.of());
                break;
            case "logging.handlers.WatchedFileHandler":
                handler = fileHandler(key, spec, Set.of());
                break;
            case "logging.handlers.RotatingFileHandler":
                handler = fileHandler(key, spec, Set.of("maxBytes", "backupCount"));
                break;
            case "logging.handlers.TimedRotatingFileHandler":
                if (spec.containsKey("mode")) {
                    // Python 2.7's constructor has no mode: the file is always appended to
                    throw fail(key + ".mode", "not accepted by logging.handlers.TimedRotatingFileHandler");
                }
                handler = fileHandler(key, spec, Set.of("when", "interval", "backupCount", "utc"));
                break;
            case "logging.handlers.SysLogHandler":
                handler = sysLogHandler(key, spec);
                break;
            case "logging.NullHandler":
                checkKeys(key, spec, HANDLER_COMMON);
                handler = new NullHandler();
                break;
            default:
                throw fail(key + ".class", "unsupported handler class '" + className + "'");
        }
        built.add(handler);
        if (spec.containsKey("level")) {
            handler.setLevel(level(key + ".level", spec.get("level")));
        }
        if (spec.get("formatter") != null) {
            String name = string(key + ".formatter", spec.get("formatter"));
            PythonFormat format = formatters.get(name);
            if (format == null) {
                throw fail(key + ".formatter", "unknown formatter '" + name + "'");
            }
            handler.setFormat(format);
        }
        List<String> names = new ArrayList<>();
        for (Object id : list(key + ".filters", spec.get("filters"))) {
            String filter = filters.get(String.valueOf(id));
            if (filter == null) {
                throw fail(key + ".filters", "unknown filter '" + id + "'");
            }
            names.add(filter);
        }
        handler.setNameFilters(names);
        return handler;
    }

    private PythonHandler streamHandler(String key, Map<String, Object> spec) throws LoggingConfigException {
        checkKeys(key, spec, union(HANDLER_COMMON, Set.of("stream")));
        Object stream = spec.getOrDefault("stream", "ext://sys.stderr");
        if ("ext://sys.stderr".equals(stream)) {
            return new StreamHandler(stderr.get());
        } else if ("ext://sys.stdout".equals(stream)) {
            return new StreamHandler(stdout.get());
        }
        throw fail(key + ".stream", "unsupported stream '" + stream + "' (ext://sys.stderr or ext://sys.stdout)");
    }

    private PythonHandler fileHandler(String key, Map<String, Object> spec, Set<String> extra)
            throws LoggingConfigException {
        checkKeys(key, spec, union(HANDLER_COMMON, union(Set.of("filename", "mode", "encoding", "delay"), extra)));
        if (spec.get("filename") == null) {
            throw fail(key + ".filename", "missing");
        }
        Path path = relativeTo.resolve(string(key + ".filename", spec.get("filename")));
        String mode = string(key + ".mode", spec.getOrDefault("mode", "a"));
        if (!mode.equals("a") && !mode.equals("w") && !mode.equals("ab") && !mode.equals("wb")) {
            throw fail(key + ".mode", "unsupported mode '" + mode + "' (a or w)");
        }
        Charset charset = StandardCharsets.UTF_8;
        if (spec.get("encoding") != null) {
            String encoding = string(key + ".encoding", spec.get("encoding"));
            try {
                charset = Charset.forName(encoding.equalsIgnoreCase("latin-1") ? "ISO-8859-1" : encoding);
            } catch (IllegalArgumentException e) {
                throw fail(key + ".encoding", "unknown encoding '" + encoding + "'");
            }
        }
        checkBoolean(spec, "delay", key);
        boolean delay = Boolean.TRUE.equals(spec.get("delay"));
        boolean truncate = mode.startsWith("w");
        String className = (String) spec.get("class");
        try {
            switch (className) {
                case "logging.handlers.WatchedFileHandler":
                    return new WatchedFileHandler(path, truncate, charset, delay);
                case "logging.handlers.RotatingFileHandler":
                    long maxBytes = integer(key + ".maxBytes", spec.getOrDefault("maxBytes", 0));
                    long backupCount = integer(key + ".backupCount", spec.getOrDefault("backupCount", 0));
                    return new RotatingFileHandler(path, truncate, charset, delay, maxBytes, (int) backupCount);
                case "logging.handlers.TimedRotatingFileHandler":
                    String when = string(key + ".when", spec.getOrDefault("when", "h"));
                    try {
                        TimedRotatingFileHandler.checkWhen(when);
                    } catch (IllegalArgumentException e) {
                        throw fail(key + ".when", e.getMessage());
                    }
                    long interval = integer(key + ".interval", spec.getOrDefault("interval", 1));
                    if (interval < 1) {
                        throw fail(key + ".interval", "must be at least 1");
                    }
                    long backups = integer(key + ".backupCount", spec.getOrDefault("backupCount", 0));
                    checkBoolean(spec, "utc", key);
                    return new TimedRotatingFileHandler(path, charset, delay, when, interval, (int) backups,
                            Boolean.TRUE.equals(spec.get("utc")));
                default:
                    return new FileHandler(path, truncate, charset, delay);
            }
        } catch (IOException e) {
            throw fail(key + ".filename", "cannot open " + path + ": " + describe(e));
        }
    }

    private PythonHandler sysLogHandler(String key, Map<String, Object> spec) throws LoggingConfigException {
        checkKeys(key, spec, union(HANDLER_COMMON, Set.of("address", "facility", "socktype")));
        int facility = SysLogHandler.USER;
        Object facilitySpec = spec.get("facility");
        if (facilitySpec instanceof Integer) {
            facility = (Integer) facilitySpec;
        } else if (facilitySpec != null) {
            facility = SysLogHandler.facility(String.valueOf(facilitySpec))
                    .orElseThrow(() -> fail(key + ".facility", "unknown facility '" + facilitySpec + "'"));
        }
        Integer socketType = socketType(key + ".socktype", spec.get("socktype"));
        Object address = spec.getOrDefault("address", List.of("localhost", 514));
        try {
            if (address instanceof String) {
                return SysLogHandler.unix(relativeTo.resolve((String) address).toString(), facility, socketType);
            }
            List<Object> hostPort = list(key + ".address", address);
            if (hostPort.size() != 2 || !(hostPort.get(0) instanceof String) || !(hostPort.get(1) instanceof Integer)) {
                throw fail(key + ".address", "expected a socket path or [host, port]");
            }
            String host = (String) hostPort.get(0);
            int port = (Integer) hostPort.get(1);
            if (socketType != null && socketType == UnixSocket.SOCK_STREAM) {
                return SysLogHandler.tcp(host, port, facility);
            }
            return SysLogHandler.udp(host, port, facility);
        } catch (IOException e) {
            throw fail(key + ".address", "cannot connect to " + display(address) + ": " + describe(e));
        }
    }

    private Integer socketType(String key, Object value) throws LoggingConfigException {
        if (value == null) {
            return null;
        }
        if ("ext://socket.SOCK_DGRAM".equals(value) || Integer.valueOf(UnixSocket.SOCK_DGRAM).equals(value)) {
            return UnixSocket.SOCK_DGRAM;
        }
        if ("ext://socket.SOCK_STREAM".equals(value) || Integer.valueOf(UnixSocket.SOCK_STREAM).equals(value)) {
            return UnixSocket.SOCK_STREAM;
        }
        throw fail(key, "unsupported socket type '" + value + "' (ext://socket.SOCK_DGRAM or ext://socket.SOCK_STREAM)");
    }

    private List<PythonHandler> handlerList(String key, Object value, Map<String, PythonHandler> handlers)
            throws LoggingConfigException {
        List<PythonHandler> result = new ArrayList<>();
        for (Object name : list(key, value)) {
            PythonHandler handler = handlers.get(String.valueOf(name));
            if (handler == null) {
                throw fail(key, "unknown handler '" + name + "'");
            }
            result.add(handler);
        }
        return result;
    }

    private void noLoggerFilters(String key, Map<String, Object> logger) throws LoggingConfigException {
        if (!list(key + ".filters", logger.get("filters")).isEmpty()) {
            throw fail(key + ".filters", "logger filters are not supported (put them on handlers)");
        }
    }

    private int level(String key, Object value) throws LoggingConfigException {
        if (value instanceof Integer) {
            return (Integer) value;
        }
        if (value instanceof String) {
            return PythonLevels.byName((String) value)
                    .orElseThrow(() -> fail(key, "unknown level '" + value + "'"));
        }
        throw fail(key, "a level name or number is required");
    }

    private long integer(String key, Object value) throws LoggingConfigException {
        if (value instanceof Integer || value instanceof Long) {
            long number = ((Number) value).longValue();
            if (number < 0) {
                throw fail(key, "must not be negative");
            }
            return number;
        }
        throw fail(key, "an integer is required");
    }

    private void checkBoolean(Map<String, Object> map, String name, String parent) throws LoggingConfigException {
        Object value = map.get(name);
        if (value != null && !(value instanceof Boolean)) {
            throw fail(parent == null ? name : parent + "." + name, "true or false is required");
        }
    }

    private String string(String key, Object value) throws LoggingConfigException {
        if (value instanceof String) {
            return (String) value;
        }
        throw fail(key, "a string is required");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(String key, Object value) throws LoggingConfigException {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List) {
            return (List<Object>) value;
        }
        throw fail(key, "a list is required");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> mapping(Object value, String key) throws LoggingConfigException {
        if (!(value instanceof Map)) {
            throw key == null ? new LoggingConfigException(file + ": a mapping is required at the top level")
                    : fail(key, "a mapping is required");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> entry : ((Map<Object, Object>) value).entrySet()) {
            map.put(String.valueOf(entry.getKey()), entry.getValue());
        }
        return map;
    }

    private void checkKeys(String key, Map<String, Object> map, Set<String> allowed) throws LoggingConfigException {
        for (String name : map.keySet()) {
            if (!allowed.contains(name)) {
                throw fail(key + "." + name, "unsupported key");
            }
        }
    }

    private LoggingConfigException fail(String key, String problem) {
        return new LoggingConfigException(file + ": " + key + ": " + problem);
    }

    private void closeBuilt() {
        for (PythonHandler handler : built) {
            handler.stop();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String display(Object address) {
        return address instanceof List ? ((List<?>) address).get(0) + ":" + ((List<?>) address).get(1)
                : String.valueOf(address);
    }

    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // FileOutputStream says "/path (Permission denied)"; keep the reason only.
        int paren = message.lastIndexOf(" (");
        return paren > 0 && message.endsWith(")") ? message.substring(paren + 2, message.length() - 1)
                : oneLine(message);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
