package org.harpd.daemon;

import java.time.Duration;
import org.harpd.posix.Posix;

/**
 * Gives the C heap's free pages back to the kernel every few seconds ({@link Posix#trimNativeHeap}). The listener
 * JVM frees most of its native allocations (JIT compiler arenas, class loading, TLS) but glibc keeps the pages:
 * trimming gives a resting listener's resident size back by tens of megabytes, for a trim that costs
 * milliseconds. JDK 17.0.9 and later can do the same with {@code -XX:TrimNativeHeapInterval}; earlier 17
 * builds refuse that option, hence this thread.
 */
public final class NativeHeapTrimmer {
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private NativeHeapTrimmer() {
    }

    /** Starts the daemon thread; it ends by itself where there is nothing to call (not glibc). */
    public static void start() {
        Thread trimmer = new Thread(() -> {
            try {
                while (Posix.trimNativeHeap()) {
                    Thread.sleep(INTERVAL.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "harpd-trim");
        trimmer.setDaemon(true);
        trimmer.setPriority(Thread.MIN_PRIORITY);
        trimmer.start();
    }
}
