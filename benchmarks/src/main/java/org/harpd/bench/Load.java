package org.harpd.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Closed-loop load: each client calls again as soon as its previous call ended, until the window is over. */
public final class Load {
    private Load() {
    }

    /**
     * Runs {@code clients} clients for {@code window}, or until {@code maxCalls} calls were started in all.
     * Calls in flight when the window ends are waited for (each is bounded by the call's own timeouts).
     */
    public static Summary run(Call call, int clients, Duration window, int maxCalls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger started = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + window.toNanos();
        try {
            List<Future<List<Summary.Sample>>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    List<Summary.Sample> samples = new ArrayList<>();
                    while (System.nanoTime() < end && started.incrementAndGet() <= maxCalls) {
                        long t0 = System.nanoTime();
                        Call.Outcome outcome = call.run();
                        long t1 = System.nanoTime();
                        samples.add(new Summary.Sample(t1 - start, t1 - t0, outcome.error(), outcome.workerPid()));
                    }
                    return samples;
                }));
            }
            List<Summary.Sample> all = new ArrayList<>();
            for (Future<List<Summary.Sample>> f : futures) {
                all.addAll(f.get());
            }
            return Summary.of(all, System.nanoTime() - start, window.toNanos());
        } finally {
            pool.shutdownNow();
        }
    }

    public static Summary run(Call call, int clients, Duration window) throws Exception {
        return run(call, clients, window, Integer.MAX_VALUE);
    }
}
