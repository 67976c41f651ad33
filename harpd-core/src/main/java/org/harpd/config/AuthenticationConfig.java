package org.harpd.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code authentication:} section of harpd.conf.
 *
 * @param module  Python module name whose {@code create(config)} builds the authenticator
 * @param options the whole {@code authentication:} mapping, {@code module} included, as unmodifiable plain
 *                Java values (Map, List, String, Integer/Long/BigInteger, Double, Boolean, null), because the
 *                original hands the whole mapping to {@code create(config)}. A top-level string option named
 *                {@code file} has been resolved to an absolute path against the configuration file's directory.
 */
public record AuthenticationConfig(String module, Map<String, Object> options) {
    /** The built-in module that checks passwords against a users file, read again at every login. */
    public static final String PASSFILE_MODULE = "harpd.auth.passfile";

    public AuthenticationConfig {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(options, "options");
    }

    /**
     * For {@value #PASSFILE_MODULE}: why its users file ({@code file}, already absolute) cannot serve a login,
     * {@code authentication.file: PATH: no such file} or {@code ...: not a regular file}; empty when it can, and
     * for any other module. The module itself only opens the file at a login, so without this check a wrong path
     * passes {@code -t} and every login fails.
     */
    public Optional<String> usersFileProblem() {
        if (!PASSFILE_MODULE.equals(module) || !(options.get("file") instanceof String file)) {
            return Optional.empty();
        }
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            return Optional.of("authentication.file: " + path + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            return Optional.of("authentication.file: " + path + ": not a regular file");
        }
        return Optional.empty();
    }
}
