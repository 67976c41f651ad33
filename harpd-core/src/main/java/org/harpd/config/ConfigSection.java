package org.harpd.config;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mapping of harpd.conf together with its dotted location, so that every problem can be reported
 * as {@code <file>: <dotted.key>: <problem>}. An absent or empty ({@code null}) section reads as empty.
 */
final class ConfigSection {
    private static final int MAX_SHOWN_CHARS = 60;

    private final Path file;
    private final String location;
    private final Map<?, ?> entries;

    private ConfigSection(Path file, String location, Map<?, ?> entries) {
        this.file = file;
        this.location = location;
        this.entries = entries;
    }

    static ConfigSection topLevel(Path file, Object document) throws ConfigException {
        if (document instanceof Map<?, ?> map) {
            return new ConfigSection(file, "", map);
        }
        String got = document == null ? "an empty document" : describe(document);
        throw new ConfigException(file + ": expected a mapping at the top level, got " + got);
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(file + ": " + locate(key) + ": " + problem);
    }

    private String locate(String key) {
        return location.isEmpty() ? key : location + "." + key;
    }

    void rejectUnknownKeys(Set<String> known) throws ConfigException {
        for (Object key : entries.keySet()) {
            if (!(key instanceof String name) || !known.contains(name)) {
                throw error(oneLine(String.valueOf(key)),
                        "unknown key (expected one of: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** Absent, or present with an empty value. */
    boolean isNull(String key) {
        return entries.get(key) == null;
    }

    boolean isMapping(String key) {
        return entries.get(key) instanceof Map;
    }

    /** Keys in file order; all must be strings. */
    List<String> keys() throws ConfigException {
        List<String> keys = new ArrayList<>();
        for (Object key : entries.keySet()) {
            if (!(key instanceof String name)) {
                throw error(oneLine(String.valueOf(key)), "keys must be strings, got " + describe(key));
            }
            keys.add(name);
        }
        return keys;
    }

    ConfigSection requiredSection(String key) throws ConfigException {
        if (!has(key)) {
            throw error(key, "missing (a mapping is required)");
        }
        Object value = entries.get(key);
        if (!(value instanceof Map<?, ?> map)) {
            throw error(key, "expected a mapping, got " + describe(value));
        }
        return new ConfigSection(file, locate(key), map);
    }

    ConfigSection optionalSection(String key) throws ConfigException {
        Object value = entries.get(key);
        if (value == null) {
            return new ConfigSection(file, locate(key), Map.of());
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw error(key, "expected a mapping, got " + describe(value));
        }
        return new ConfigSection(file, locate(key), map);
    }

    String requiredString(String key) throws ConfigException {
        if (!has(key)) {
            throw error(key, "missing (a string is required)");
        }
        Object value = entries.get(key);
        if (!(value instanceof String text)) {
            throw error(key, "expected a string, got " + describe(value));
        }
        return text;
    }

    String optionalString(String key, String fallback) throws ConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object value = entries.get(key);
        if (!(value instanceof String text)) {
            throw error(key, "expected a string, got " + describe(value));
        }
        return text;
    }

    boolean optionalBoolean(String key, boolean fallback) throws ConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object value = entries.get(key);
        if (!(value instanceof Boolean flag)) {
            throw error(key, "expected true or false, got " + describe(value));
        }
        return flag;
    }

    int optionalInt(String key, int fallback, int min, int max) throws ConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object value = entries.get(key);
        if (!isInteger(value)) {
            throw error(key, "expected an integer, got " + describe(value));
        }
        BigInteger number = new BigInteger(value.toString());
        if (number.compareTo(BigInteger.valueOf(min)) < 0 || number.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error(key, "must be between " + min + " and " + max + ", got " + number);
        }
        return number.intValue();
    }

    /** A number of seconds, integer or fractional; must be positive unless {@code zeroAllowed}. */
    Duration optionalSeconds(String key, Duration fallback, boolean zeroAllowed) throws ConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object value = entries.get(key);
        double seconds;
        if (isInteger(value)) {
            seconds = ((Number) value).doubleValue();
        } else if (value instanceof Double number) {
            seconds = number;
        } else {
            throw error(key, "expected a number of seconds, got " + describe(value));
        }
        if (Double.isNaN(seconds) || seconds < 0 || (seconds == 0 && !zeroAllowed) || seconds > 1e9) {
            String range = zeroAllowed ? "0 or more" : "more than 0";
            throw error(key, "must be " + range + " seconds (at most 1e9), got " + describe(value));
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** A single string or a list of strings (the single string is a one-element list). */
    List<String> stringOrStringList(String key) throws ConfigException {
        Object value = entries.get(key);
        if (value instanceof String text) {
            return List.of(text);
        }
        if (!(value instanceof List<?> list)) {
            throw error(key, "expected a string or a list of strings, got " + describe(value));
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String text)) {
                throw error(key + "[" + i + "]", "expected a string, got " + describe(list.get(i)));
            }
            strings.add(text);
        }
        return strings;
    }

    /**
     * A file that must exist and be readable now; a relative name is taken relative to {@code base}.
     */
    Path requiredReadableFile(String key, Path base) throws ConfigException {
        String name = requiredString(key);
        if (name.isEmpty()) {
            throw error(key, "must not be empty");
        }
        Path path = base.resolve(name).normalize();
        if (!Files.exists(path)) {
            throw error(key, "file does not exist: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw error(key, "not a regular file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw error(key, "file is not readable: " + path);
        }
        return path;
    }

    /** The value as unmodifiable plain Java data, refusing YAML types Python code could not use. */
    Object plainValue(String key) throws ConfigException {
        return plain(locate(key), entries.get(key));
    }

    private Object plain(String where, Object value) throws ConfigException {
        if (value == null || value instanceof String || value instanceof Boolean
                || value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object k = entry.getKey();
                if (k instanceof Map || k instanceof Collection) {
                    throw new ConfigException(file + ": " + where + ": mapping keys must be scalars");
                }
                copy.put(k, plain(where + "." + oneLine(String.valueOf(k)), entry.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(plain(where + "[" + i + "]", list.get(i)));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new ConfigException(file + ": " + where + ": unsupported YAML value type "
                + value.getClass().getSimpleName());
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    /** A value as a message shows it: strings quoted and cut short, containers by kind. */
    static String describe(Object value) {
        if (value == null) {
            return "nothing (null)";
        }
        if (value instanceof String text) {
            String shown = text.length() > MAX_SHOWN_CHARS ? text.substring(0, MAX_SHOWN_CHARS) + "..." : text;
            return "'" + oneLine(shown) + "'";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    /** Messages must stay on one line whatever the file contained. */
    static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }
}
