package org.harpd.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Objects;
import java.util.function.Supplier;
import org.harpd.config.MetricsConfig;
import org.harpd.pool.PoolStats;

/**
 * {@link Metrics} kept by the Prometheus Java client, in a {@link MetricsEndpoint}'s registry, served as the
 * Prometheus text exposition once {@linkplain #serve(MetricsConfig) started}.
 */
public final class PrometheusMetrics extends MetricsEndpoint implements Metrics {
    private static final double NANOS_PER_SECOND = 1e9;
    /** From a cheap built-in answer to the longest timeouts procedures are usually given. */
    private static final double[] SECONDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
            60, 300};

    private final Counter connectionsAccepted = Counter.builder().name("harpd_connections_accepted_total")
            .help("TCP connections accepted by the listener").register(registry);
    private final Gauge connectionsOpen = Gauge.builder().name("harpd_connections_open")
            .help("TCP connections open now").register(registry);
    private final Counter authFailures = Counter.builder().name("harpd_authentication_failures_total")
            .help("requests whose authentication failed (unknown user, wrong password, module failure)")
            .register(registry);
    private final Counter backOffs = Counter.builder().name("harpd_authentication_backoffs_total")
            .help("client addresses backed off after too many failed authentications").register(registry);
    private final Counter backedOff = Counter.builder().name("harpd_authentication_backed_off_requests_total")
            .help("requests refused because their address was backed off").register(registry);
    private final Counter forbidden = Counter.builder().name("harpd_forbidden_calls_total")
            .help("authenticated calls refused by authorization, by procedure").labelNames("procedure")
            .register(registry);
    private final Counter calls = Counter.builder().name("harpd_calls_total")
            .help("calls acknowledged and ended, by procedure and outcome (result, exception, cancelled or the error"
                    + " type)")
            .labelNames("procedure", "outcome").register(registry);
    private final Histogram callDuration = Histogram.builder().name("harpd_call_duration_seconds")
            .help("time from a call's acknowledgement to its final line, by procedure").labelNames("procedure")
            .classicOnly().classicUpperBounds(SECONDS).register(registry);
    private final Histogram queueWait = Histogram.builder().name("harpd_queue_wait_seconds")
            .help("time a call waited for a worker").classicOnly().classicUpperBounds(SECONDS).register(registry);
    private final Counter workerStarts = Counter.builder().name("harpd_worker_starts_total")
            .help("worker JVMs started").register(registry);
    private final Counter workerResets = Counter.builder().name("harpd_worker_resets_total")
            .help("interpreter resets ordered after a call (interpreter isolation)").register(registry);
    private final Counter workerRetirements = Counter.builder().name("harpd_worker_retirements_total")
            .help("workers taken out of the pool, by reason").labelNames("reason").register(registry);
    private volatile Supplier<PoolStats> pool;

    public PrometheusMetrics() {
        GaugeWithCallback.builder().name("harpd_workers").help("worker processes by state")
                .labelNames("state").callback(callback -> {
                    PoolStats stats = poolStats();
                    if (stats != null) {
                        callback.call(stats.booting(), "booting");
                        callback.call(stats.ready(), "ready");
                        callback.call(stats.busy(), "busy");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("harpd_queue_depth").help("calls waiting for a worker")
                .callback(callback -> {
                    PoolStats stats = poolStats();
                    if (stats != null) {
                        callback.call(stats.queued());
                    }
                }).register(registry);
    }

    private PoolStats poolStats() {
        Supplier<PoolStats> source = pool;
        return source == null ? null : source.get();
    }



    @Override
    public void connectionOpened() {
        connectionsAccepted.inc();
        connectionsOpen.inc();
    }

    @Override
    public void connectionClosed() {
        connectionsOpen.dec();
    }

    @Override
    public void authenticationFailed() {
        authFailures.inc();
    }

    @Override
    public void backOffStarted() {
        backOffs.inc();
    }

    @Override
    public void backedOffRequest() {
        backedOff.inc();
    }

    @Override
    public void forbidden(String procedure) {
        forbidden.labelValues(procedure).inc();
    }

    @Override
    public void callEnded(String procedure, String outcome, long nanos) {
        calls.labelValues(procedure, outcome).inc();
        callDuration.labelValues(procedure).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void queueWait(long nanos) {
        queueWait.observe(Math.max(0, nanos) / NANOS_PER_SECOND);
    }

    @Override
    public void workerStarted() {
        workerStarts.inc();
    }

    @Override
    public void workerReset() {
        workerResets.inc();
    }

    @Override
    public void workerRetired(String reason) {
        workerRetirements.labelValues(reason).inc();
    }

    @Override
    public void watchPool(Supplier<PoolStats> stats) {
        pool = Objects.requireNonNull(stats, "stats");
    }
}
