package org.harpd.config;

import java.util.Map;
import java.util.Objects;

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
    public AuthenticationConfig {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(options, "options");
    }
}
