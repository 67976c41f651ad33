package org.harpd.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.harpd.config.MetricsConfig;

/**
 * A daemon's Prometheus registry and the plain HTTP endpoint that serves it: what harpd's listener and harpcallerd
 * share, each subclass registering its own metrics in {@link #registry}. The registry is the endpoint's own, never
 * the Prometheus client's default one, so that two daemons in one test JVM do not share counts.
 */
public abstract class MetricsEndpoint implements AutoCloseable {
    /** Where a subclass registers its metrics. */
    protected final PrometheusRegistry registry = new PrometheusRegistry();
    private HTTPServer server;

    /**
     * Adds the JVM's own metrics (memory, GC, threads, class loading...) and serves everything at
     * {@code http://HOST:PORT/metrics}.
     *
     * @return the port bound
     * @throws IOException when the address cannot be bound
     */
    public final synchronized int serve(MetricsConfig config) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already serving");
        }
        JvmMetrics.builder().register(registry);
        server = HTTPServer.builder().hostname(config.host()).port(config.port()).registry(registry)
                .buildAndStart();
        return server.getPort();
    }

    /** The current values as the text exposition format (what a scrape gets). */
    public final String scrapeText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public final synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
