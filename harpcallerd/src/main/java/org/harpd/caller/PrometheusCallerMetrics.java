package org.harpd.caller;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.harpd.config.MetricsConfig;
import org.harpd.metrics.MetricsEndpoint;

/**
 * {@link CallerMetrics} kept by the Prometheus Java client in harpd's {@link MetricsEndpoint}, served as the
 * Prometheus text exposition once {@linkplain #serve(MetricsConfig) started}.
 *
 * <p>Label values come from clients (queue names are any JSON object, host names any string), so they are bounded
 * here: a host not in the registry is {@value #UNKNOWN_HOST}; the first {@value #MAX_QUEUES} queues seen keep their
 * canonical JSON and later ones are {@value #OTHER}; outcomes and refusal reasons are error types, kept when they
 * look like one and while fewer than {@value #MAX_TYPES} have been seen.
 */
public final class PrometheusCallerMetrics extends MetricsEndpoint implements CallerMetrics {
    /** The host label of a host the registry does not have. */
    static final String UNKNOWN_HOST = "(unknown)";
    /** The queue label of a job without a queue. */
    static final String NO_QUEUE = "(none)";
    /** The label of a value beyond the bound of its label. */
    static final String OTHER = "(other)";
    static final int MAX_QUEUES = 100;
    static final int MAX_TYPES = 50;
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final double NANOS_PER_SECOND = 1e9;
    /** A job may wait in its queue from a moment to hours. */
    private static final double[] QUEUED_SECONDS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600,
            14400};
    /** From a quick call to max_exec_time's usual values. */
    private static final double[] RUNNING_SECONDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
            600, 1800, 3600};
    /** A commit is milliseconds on a local disk; seconds mean a store in trouble. */
    private static final double[] WRITE_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5};

    private final Counter submitted = Counter.builder().name("harpcallerd_jobs_submitted_total")
            .help("jobs stored and answered with a job id, by queue and host").labelNames("queue", "host")
            .register(registry);
    private final Counter ended = Counter.builder().name("harpcallerd_jobs_ended_total")
            .help("jobs ended, by host and outcome (result, exception, cancelled or the error type)")
            .labelNames("host", "outcome").register(registry);
    private final Histogram queued = Histogram.builder().name("harpcallerd_job_queued_seconds")
            .help("time from a job's submission to its start, by queue").labelNames("queue").classicOnly()
            .classicUpperBounds(QUEUED_SECONDS).register(registry);
    private final Histogram running = Histogram.builder().name("harpcallerd_job_running_seconds")
            .help("time from a job's start to its end, by queue").labelNames("queue").classicOnly()
            .classicUpperBounds(RUNNING_SECONDS).register(registry);
    private final Histogram storeWrites = Histogram.builder().name("harpcallerd_store_write_seconds")
            .help("time from a job store write's request to its commit, by operation").labelNames("operation")
            .classicOnly().classicUpperBounds(WRITE_SECONDS).register(registry);
    private final Counter storeFailures = Counter.builder().name("harpcallerd_store_write_failures_total")
            .help("job store writes that failed, by operation").labelNames("operation").register(registry);
    private final Counter refreshes = Counter.builder().name("harpcallerd_hosts_refreshes_total")
            .help("runs of the hosts script (host_db_script), whatever their outcome").register(registry);
    private final Counter refreshFailures = Counter.builder().name("harpcallerd_hosts_refresh_failures_total")
            .help("runs of the hosts script that failed, the registry kept as it was").register(registry);
    private final Counter connections = Counter.builder().name("harpcallerd_client_connections_accepted_total")
            .help("client connections accepted (including those refused as too many)").register(registry);
    private final Gauge connectionsOpen = Gauge.builder().name("harpcallerd_client_connections_open")
            .help("client connections open now").register(registry);
    private final Counter rejections = Counter.builder().name("harpcallerd_client_rejections_total")
            .help("client requests answered with an error instead of being served, by error type")
            .labelNames("reason").register(registry);
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final Set<String> types = ConcurrentHashMap.newKeySet();
    private volatile Supplier<List<JobCount>> jobs;
    private volatile Predicate<String> registered = host -> true;
    private volatile IntSupplier hostCount;

    public PrometheusCallerMetrics() {
        GaugeWithCallback.builder().name("harpcallerd_jobs_queued")
                .help("jobs this dispatcher holds waiting for their queue, by queue and host")
                .labelNames("queue", "host").callback(callback -> jobCounts()
                        .forEach((labels, n) -> {
                            if (n[0] > 0) {
                                callback.call(n[0], labels.queue(), labels.host());
                            }
                        })).register(registry);
        GaugeWithCallback.builder().name("harpcallerd_jobs_running")
                .help("jobs this dispatcher is running on harpd, by queue and host")
                .labelNames("queue", "host").callback(callback -> jobCounts()
                        .forEach((labels, n) -> {
                            if (n[1] > 0) {
                                callback.call(n[1], labels.queue(), labels.host());
                            }
                        })).register(registry);
        GaugeWithCallback.builder().name("harpcallerd_hosts").help("hosts in the registry")
                .callback(callback -> {
                    IntSupplier count = hostCount;
                    if (count != null) {
                        callback.call(count.getAsInt());
                    }
                }).register(registry);
    }

    private record Labels(String queue, String host) implements Comparable<Labels> {
        @Override
        public int compareTo(Labels o) {
            int c = queue.compareTo(o.queue);
            return c != 0 ? c : host.compareTo(o.host);
        }
    }

    /** Queued and running by labels: two jobs' queues may share a label ({@value #OTHER}). */
    private Map<Labels, long[]> jobCounts() {
        Map<Labels, long[]> counts = new TreeMap<>();
        Supplier<List<JobCount>> source = jobs;
        if (source != null) {
            for (JobCount c : source.get()) {
                long[] n = counts.computeIfAbsent(new Labels(queueLabel(c.queue()), hostLabel(c.host())),
                        k -> new long[2]);
                n[0] += c.queued();
                n[1] += c.running();
            }
        }
        return counts;
    }



    String queueLabel(String queue) {
        if (queue == null) {
            return NO_QUEUE;
        }
        return bounded(queues, queue, MAX_QUEUES);
    }

    String hostLabel(String host) {
        return registered.test(host) ? host : UNKNOWN_HOST;
    }

    String typeLabel(String type) {
        return TYPE.matcher(type).matches() ? bounded(types, type, MAX_TYPES) : OTHER;
    }

    /** {@code value} if already seen or while fewer than {@code max} are; else {@value #OTHER}. */
    private static String bounded(Set<String> seen, String value, int max) {
        if (seen.contains(value)) {
            return value;
        }
        synchronized (seen) {
            if (seen.size() < max) {
                seen.add(value);
                return value;
            }
        }
        return OTHER;
    }

    @Override
    public void jobSubmitted(String queue, String host) {
        submitted.labelValues(queueLabel(queue), hostLabel(host)).inc();
    }

    @Override
    public void jobStarted(String queue, String host, long queuedMillis) {
        queued.labelValues(queueLabel(queue)).observe(Math.max(0, queuedMillis) / 1000.0);
    }

    @Override
    public void jobEnded(String queue, String host, String outcome, long runningNanos) {
        ended.labelValues(hostLabel(host), typeLabel(outcome)).inc();
        if (runningNanos >= 0) {
            running.labelValues(queueLabel(queue)).observe(runningNanos / NANOS_PER_SECOND);
        }
    }

    @Override
    public void storeWrite(String operation, long nanos, boolean ok) {
        storeWrites.labelValues(operation).observe(Math.max(0, nanos) / NANOS_PER_SECOND);
        if (!ok) {
            storeFailures.labelValues(operation).inc();
        }
    }

    @Override
    public void hostsRefreshed(boolean ok) {
        refreshes.inc();
        if (!ok) {
            refreshFailures.inc();
        }
    }

    @Override
    public void clientConnected() {
        connections.inc();
        connectionsOpen.inc();
    }

    @Override
    public void clientDisconnected() {
        connectionsOpen.dec();
    }

    @Override
    public void clientRejected(String type) {
        rejections.labelValues(typeLabel(type)).inc();
    }

    @Override
    public void watchJobs(Supplier<List<JobCount>> source) {
        jobs = Objects.requireNonNull(source, "source");
    }

    @Override
    public void watchHosts(Predicate<String> isRegistered, IntSupplier count) {
        registered = Objects.requireNonNull(isRegistered, "isRegistered");
        hostCount = Objects.requireNonNull(count, "count");
    }
}
