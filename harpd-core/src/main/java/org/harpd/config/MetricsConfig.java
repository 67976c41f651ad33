package org.harpd.config;

import java.util.Objects;

/**
 * The optional {@code metrics:} section of harpd.conf (and {@code [metrics]} table of harpcallerd's configuration):
 * where the daemon serves its Prometheus text exposition, over plain HTTP. Without it no port is opened and nothing
 * is measured.
 *
 * @param configured whether harpd.conf has the section at all
 * @param host       the address to bind, as written (a name or a literal; IPv6 without brackets)
 * @param port       the TCP port, 1 to 65535 (0 only when not configured)
 */
public record MetricsConfig(boolean configured, String host, int port) {
    /** No {@code metrics:} section: no endpoint. */
    public static final MetricsConfig ABSENT = new MetricsConfig(false, "", 0);

    /** With a section but no {@code listen}: loopback only, as the endpoint has no authentication. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:9464";

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
        if (configured && (host.isEmpty() || port < 1 || port > 65535)) {
            throw new IllegalArgumentException("host and port required: '" + host + "' " + port);
        }
    }

    /** {@code host:port} as an operator writes it, IPv6 in brackets. */
    public String listen() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * Parses {@code HOST:PORT}, {@code [IPV6]:PORT}. Only the form is checked: whether the host resolves and the
     * port is free is learnt when the endpoint binds, at start-up.
     *
     * @return the problem, or null when {@code listen} is well formed
     */
    public static String problem(String listen) {
        try {
            parse(listen);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** @throws IllegalArgumentException with the problem, for a message */
    public static MetricsConfig parse(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected HOST:PORT such as " + DEFAULT_LISTEN);
        }
        String host = listen.substring(0, colon);
        String portText = listen.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (host.isEmpty() || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("expected an IPv6 address in the brackets of [HOST]:PORT");
            }
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an IPv6 address needs brackets: [HOST]:PORT");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("expected HOST:PORT, the host is missing");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("the host has spaces or control characters");
        }
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a port number after the last ':'");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port must be between 1 and 65535, got " + port);
        }
        return new MetricsConfig(true, host, port);
    }
}
