package org.harpd.cli;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.harpd.procedure.IdRef;

/**
 * GNU getopt style parsing of harpd's options: {@code -c FILE}, {@code -cFILE}, {@code --config FILE},
 * {@code --config=FILE}, grouped flags ({@code -td}), unambiguous prefixes of long options
 * ({@code --proc}), and {@code --} ending the options. harpd takes no operands. A repeated option
 * keeps its last value.
 */
public final class OptionsParser {
    private static final int HELP_COLUMN = 34;
    private static final BigInteger MAX_ID = BigInteger.valueOf(0xFFFF_FFFFL);

    private OptionsParser() {
    }

    private enum Option {
        CONFIG('c', "config", "FILE", "general configuration (YAML); default: " + Options.DEFAULT_CONFIG),
        PROCEDURES('r', "procedures", "FILE", "Python file with the procedures to expose; default: "
                + Options.DEFAULT_PROCEDURES),
        LOGGING('l', "logging", "FILE", "logging configuration (YAML, in logging.config.dictConfig form);"
                + " default: log to stderr (or syslog with --syslog)"),
        TEST('t', "test", null, "check the configuration, procedures and logging configuration, then exit"),
        DEFAULT_USER('u', "default-user", "USER", "user (name or uid) to run procedures as when they name none;"
                + " default: harpd's own user"),
        DEFAULT_GROUP('g', "default-group", "GROUP", "group (name or gid) to run procedures as when they name"
                + " none; default: the user's primary group, or harpd's own group"),
        SYSLOG('\0', "syslog", null, "log to syslog instead of stderr (overridden by --logging)"),
        DAEMON('d', "daemon", null, "detach from the terminal and run as a daemon (implies --syslog)"),
        PIDFILE('p', "pidfile", "FILE", "write the PID to FILE (typically with --daemon); default: none"),
        HELP('h', "help", null, "show this help and exit"),
        VERSION('\0', "version", null, "show the version and exit"),
        /** Internal, so undocumented and never abbreviated: marks the re-executed daemon process. */
        DETACHED_CHILD('\0', "detached-child", null, null);

        final char shortName;
        final String longName;
        final String argumentName;
        final String help;

        Option(char shortName, String longName, String argumentName, String help) {
            this.shortName = shortName;
            this.longName = longName;
            this.argumentName = argumentName;
            this.help = help;
        }

        boolean takesArgument() {
            return argumentName != null;
        }

        boolean hidden() {
            return help == null;
        }
    }

    /** @throws UsageException for an unknown option, a missing or unexpected argument, or an operand */
    public static Options parse(String[] args) throws UsageException {
        Builder builder = new Builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                if (i + 1 < args.length) {
                    throw operand(args[i + 1]);
                }
                break;
            }
            if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
                Option option = longOption(name, arg);
                String spelled = "--" + option.longName;
                String value = equals < 0 ? null : arg.substring(equals + 1);
                if (option.takesArgument()) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option '" + spelled + "' requires an argument");
                        }
                        value = args[++i];
                    }
                } else if (value != null) {
                    throw new UsageException("option '" + spelled + "' does not take an argument");
                }
                builder.apply(option, spelled, value);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int j = 1; j < arg.length(); j++) {
                    Option option = shortOption(arg.charAt(j));
                    String spelled = "-" + option.shortName;
                    if (!option.takesArgument()) {
                        builder.apply(option, spelled, null);
                        continue;
                    }
                    String value;
                    if (j + 1 < arg.length()) {
                        value = arg.substring(j + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException("option '" + spelled + "' requires an argument");
                    }
                    builder.apply(option, spelled, value);
                    break;
                }
            } else {
                throw operand(arg);
            }
        }
        return builder.build();
    }

    /** The help text: every option with its default. */
    public static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: harpd [options]\n\n")
                .append("Runs procedures from a Python file on request of authenticated clients\n(harp RPC over TLS).\n\n")
                .append("Options:\n");
        for (Option option : Option.values()) {
            if (option.hidden()) {
                continue;
            }
            StringBuilder names = new StringBuilder("  ");
            if (option.shortName != '\0') {
                names.append('-').append(option.shortName);
                if (option.takesArgument()) {
                    names.append(' ').append(option.argumentName);
                }
                names.append(", ");
            }
            names.append("--").append(option.longName);
            if (option.takesArgument()) {
                names.append('=').append(option.argumentName);
            }
            text.append(names);
            if (names.length() < HELP_COLUMN) {
                text.append(" ".repeat(HELP_COLUMN - names.length()));
            } else {
                text.append('\n').append(" ".repeat(HELP_COLUMN));
            }
            text.append(wrap(option.help)).append('\n');
        }
        return text.toString();
    }

    /** Help text broken into lines that end before column 80, continuation lines indented. */
    private static String wrap(String help) {
        StringBuilder out = new StringBuilder();
        int lineLength = 0;
        for (String word : help.split(" ")) {
            if (lineLength > 0 && HELP_COLUMN + lineLength + 1 + word.length() > 79) {
                out.append('\n').append(" ".repeat(HELP_COLUMN));
                lineLength = 0;
            } else if (lineLength > 0) {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.toString();
    }

    private static UsageException operand(String arg) {
        return new UsageException("unexpected argument '" + arg + "' (harpd takes options only)");
    }

    private static Option shortOption(char name) throws UsageException {
        for (Option option : Option.values()) {
            if (option.shortName != '\0' && option.shortName == name) {
                return option;
            }
        }
        throw new UsageException("unknown option '-" + name + "'");
    }

    private static Option longOption(String name, String arg) throws UsageException {
        String spelled = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (name.isEmpty()) {
            throw new UsageException("unknown option '" + spelled + "'");
        }
        List<Option> candidates = new ArrayList<>();
        for (Option option : Option.values()) {
            if (option.longName.equals(name)) {
                return option;
            }
            if (!option.hidden() && option.longName.startsWith(name)) {
                candidates.add(option);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new UsageException("unknown option '" + spelled + "'");
        }
        List<String> names = new ArrayList<>();
        candidates.forEach(option -> names.add("--" + option.longName));
        throw new UsageException("option '" + spelled + "' is ambiguous (could be " + String.join(", ", names) + ")");
    }

    /** Collects option values in command-line order; the last occurrence of an option wins. */
    private static final class Builder {
        private Path config = Options.DEFAULT_CONFIG;
        private Path procedures = Options.DEFAULT_PROCEDURES;
        private Path logging;
        private boolean test;
        private IdRef defaultUser;
        private IdRef defaultGroup;
        private boolean syslog;
        private boolean daemon;
        private Path pidfile;
        private boolean help;
        private boolean version;
        private boolean detachedChild;

        void apply(Option option, String spelled, String value) throws UsageException {
            if (option.takesArgument() && value.isEmpty()) {
                throw new UsageException("option '" + spelled + "' requires a non-empty argument");
            }
            switch (option) {
                case CONFIG -> config = path(spelled, value);
                case PROCEDURES -> procedures = path(spelled, value);
                case LOGGING -> logging = path(spelled, value);
                case TEST -> test = true;
                case DEFAULT_USER -> defaultUser = id(spelled, value, "user");
                case DEFAULT_GROUP -> defaultGroup = id(spelled, value, "group");
                case SYSLOG -> syslog = true;
                case DAEMON -> daemon = true;
                case PIDFILE -> pidfile = path(spelled, value);
                case HELP -> help = true;
                case VERSION -> version = true;
                case DETACHED_CHILD -> detachedChild = true;
                default -> throw new IllegalStateException("unhandled option " + option);
            }
        }

        private static Path path(String spelled, String value) throws UsageException {
            if (value.indexOf('\0') >= 0) {
                throw new UsageException("option '" + spelled + "': file name contains a NUL character");
            }
            return Path.of(value);
        }

        /** All digits is a numeric id (which must fit in 32 bits), anything else a name. */
        private static IdRef id(String spelled, String value, String kind) throws UsageException {
            if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                if (new BigInteger(value).compareTo(MAX_ID) > 0) {
                    throw new UsageException("option '" + spelled + "': " + kind + " id " + value + " is out of range");
                }
                return IdRef.ofId(Long.parseLong(value));
            }
            if (value.indexOf(':') >= 0 || value.chars().anyMatch(Character::isWhitespace)
                    || value.indexOf('\0') >= 0) {
                throw new UsageException("option '" + spelled + "': invalid " + kind + " name '" + value + "'");
            }
            return IdRef.ofName(value);
        }

        Options build() {
            return new Options(config, procedures, logging, test, defaultUser, defaultGroup, syslog, daemon,
                    pidfile, help, version, detachedChild);
        }
    }
}
