package org.harpd.cli;

import java.nio.file.Path;
import java.util.Objects;
import org.harpd.procedure.IdRef;

/**
 * harpd's command line, as parsed by {@link OptionsParser}.
 *
 * @param config        -c/--config, general configuration (YAML)
 * @param procedures    -r/--procedures, Python file with the procedures
 * @param logging       -l/--logging, logging configuration (YAML), {@code null} for the default logging
 * @param test          -t/--test, check the configuration and exit
 * @param defaultUser   -u/--default-user, {@code null} if not given
 * @param defaultGroup  -g/--default-group, {@code null} if not given
 * @param syslog        --syslog as given; see {@link #logToSyslog()}
 * @param daemon        -d/--daemon
 * @param pidfile       -p/--pidfile, {@code null} if not given
 * @param help          -h/--help
 * @param version       --version
 * @param detachedChild internal: this process is the daemon started by a {@code -d} parent
 */
public record Options(Path config, Path procedures, Path logging, boolean test, IdRef defaultUser,
                      IdRef defaultGroup, boolean syslog, boolean daemon, Path pidfile, boolean help,
                      boolean version, boolean detachedChild) {
    public static final Path DEFAULT_CONFIG = Path.of("/etc/harpd/harpd.conf");
    public static final Path DEFAULT_PROCEDURES = Path.of("/etc/harpd/harpd.py");

    public Options {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(procedures, "procedures");
    }

    /** The command line with no options at all. */
    public static Options defaults() {
        return new Options(DEFAULT_CONFIG, DEFAULT_PROCEDURES, null, false, null, null, false, false, null,
                false, false, false);
    }

    /**
     * The same options with every file ({@code -c}, {@code -r}, {@code -l}, {@code -p}) made absolute against
     * {@code directory}, so that they still name the same files once the process has left the directory it
     * was started in.
     */
    public Options resolvedAgainst(Path directory) {
        return new Options(directory.resolve(config), directory.resolve(procedures),
                logging == null ? null : directory.resolve(logging), test, defaultUser, defaultGroup, syslog, daemon,
                pidfile == null ? null : directory.resolve(pidfile), help, version, detachedChild);
    }

    /** --daemon implies --syslog; an explicit --logging file overrides both (decided by the caller). */
    public boolean logToSyslog() {
        return syslog || daemon;
    }
}
