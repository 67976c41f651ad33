package org.harpd.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * harpd.conf, read once at start-up and validated as a whole, so that nothing later finds a bad value.
 *
 * <p>Relative file names in the configuration ({@code network.certfile}, {@code network.keyfile} and a
 * string {@code authentication.file}) are resolved against the directory of the configuration file, not
 * the working directory: a daemon changes its working directory to {@code /}, and the file is the only
 * stable point of reference. {@code python.path} entries are kept as written.
 *
 * @param file          the configuration file as it was named (used in messages)
 * @param authorization the {@code authorization:} section, {@link AuthorizationConfig#ABSENT} without one
 * @param tracebacks    {@code development.tracebacks}: a procedure's exception reply carries its Python traceback
 *                      in {@code data.traceback}; off by default, as it tells clients about the server's code
 */
public record HarpdConfig(Path file, NetworkConfig network, AuthenticationConfig authentication,
                          PythonPath pythonPath, WorkersConfig workers, AuthorizationConfig authorization,
                          boolean tracebacks) {
    public HarpdConfig {
        Objects.requireNonNull(authorization, "authorization");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(pythonPath, "pythonPath");
        Objects.requireNonNull(workers, "workers");
    }

    /** Without the optional {@code authorization:} and {@code development:} sections. */
    public HarpdConfig(Path file, NetworkConfig network, AuthenticationConfig authentication, PythonPath pythonPath,
                       WorkersConfig workers) {
        this(file, network, authentication, pythonPath, workers, AuthorizationConfig.ABSENT, false);
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws ConfigException with a one-line message {@code <file>: <dotted.key>: <problem>} naming the
     *                         first problem found
     */
    public static HarpdConfig load(Path file) throws ConfigException {
        return new ConfigLoader(file).load();
    }

    /**
     * Every procedure {@code workers.procedure_isolation} and {@code authorization} name must be one the procedures
     * file exposes (and every pattern of {@code authorization} must match one): a misspelt name would otherwise
     * leave that procedure at the daemon's isolation, or refuse its calls, without a word.
     *
     * @param exposed        the names of the procedures file's procedures
     * @param proceduresFile the procedures file, for the message
     */
    public void requireNamedProceduresIn(Set<String> exposed, Path proceduresFile) throws ConfigException {
        for (String name : new TreeSet<>(workers.procedureIsolation().keySet())) {
            if (!exposed.contains(name)) {
                throw new ConfigException(file + ": workers.procedure_isolation." + name
                        + ": no procedure of that name in " + proceduresFile);
            }
        }
        authorization.requireProceduresIn(file, exposed, proceduresFile);
    }
}
