package org.harpd.server;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts served connections against {@link ServerSettings#maxConnections()} (0 = no limit). */
final class ConnectionLimit {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    /** @return true if the connection may be served; it must then be {@linkplain #release() released} once */
    boolean tryAcquire() {
        if (max == 0) {
            open.incrementAndGet();
            return true;
        }
        while (true) {
            int current = open.get();
            if (current >= max) {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }
}
