package org.harpd.client;

import java.time.Duration;

/** The checks both clients' builders make of what a caller sets, with the same messages. */
final class BuilderChecks {
    private BuilderChecks() {
    }

    static int port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }

    static Duration positiveTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        return timeout;
    }
}
