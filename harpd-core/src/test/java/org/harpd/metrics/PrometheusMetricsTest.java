package org.harpd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.harpd.pool.PoolStats;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    /** Every sample line of the text exposition: series (name and labels) → value. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    @Test
    void countsWhatItIsTold() {
        try (PrometheusMetrics metrics = new PrometheusMetrics()) {
            metrics.connectionOpened();
            metrics.connectionOpened();
            metrics.connectionOpened();
            metrics.connectionClosed();
            metrics.authenticationFailed();
            metrics.authenticationFailed();
            metrics.backOffStarted();
            metrics.backedOffRequest();
            metrics.forbidden("reboot");
            metrics.callEnded("echo", Metrics.RESULT, 2_000_000);
            metrics.callEnded("echo", Metrics.RESULT, 3_000_000_000L);
            metrics.callEnded("echo", Metrics.EXCEPTION, 1_000);
            metrics.callEnded("sleep", "timeout", 1_000);
            metrics.queueWait(4_000_000);
            metrics.workerStarted();
            metrics.workerStarted();
            metrics.workerReset();
            metrics.workerRetired("idle");
            metrics.workerRetired("last_call");
            metrics.workerRetired("last_call");
            metrics.watchPool(() -> new PoolStats(4, 1, 2, 1, 3));

            Map<String, Double> s = samples(metrics.scrapeText());
            assertEquals(3.0, s.get("harpd_connections_accepted_total"));
            assertEquals(2.0, s.get("harpd_connections_open"));
            assertEquals(2.0, s.get("harpd_authentication_failures_total"));
            assertEquals(1.0, s.get("harpd_authentication_backoffs_total"));
            assertEquals(1.0, s.get("harpd_authentication_backed_off_requests_total"));
            assertEquals(1.0, s.get("harpd_forbidden_calls_total{procedure=\"reboot\"}"));
            assertEquals(2.0, s.get("harpd_calls_total{outcome=\"result\",procedure=\"echo\"}"));
            assertEquals(1.0, s.get("harpd_calls_total{outcome=\"exception\",procedure=\"echo\"}"));
            assertEquals(1.0, s.get("harpd_calls_total{outcome=\"timeout\",procedure=\"sleep\"}"));
            assertEquals(3.0, s.get("harpd_call_duration_seconds_count{procedure=\"echo\"}"));
            assertEquals(2.0, s.get("harpd_call_duration_seconds_bucket{procedure=\"echo\",le=\"0.005\"}"));
            assertEquals(3.0, s.get("harpd_call_duration_seconds_bucket{procedure=\"echo\",le=\"5.0\"}"));
            assertEquals(1.0, s.get("harpd_queue_wait_seconds_count"));
            assertEquals(2.0, s.get("harpd_worker_starts_total"));
            assertEquals(1.0, s.get("harpd_worker_resets_total"));
            assertEquals(1.0, s.get("harpd_worker_retirements_total{reason=\"idle\"}"));
            assertEquals(2.0, s.get("harpd_worker_retirements_total{reason=\"last_call\"}"));
            assertEquals(1.0, s.get("harpd_workers{state=\"booting\"}"));
            assertEquals(2.0, s.get("harpd_workers{state=\"ready\"}"));
            assertEquals(1.0, s.get("harpd_workers{state=\"busy\"}"));
            assertEquals(3.0, s.get("harpd_queue_depth"));
        }
    }

    @Test
    void aFreshRegistryHasNoPoolOrJvmSeries() {
        try (PrometheusMetrics metrics = new PrometheusMetrics()) {
            String text = metrics.scrapeText();
            // counts without labels start at 0; a series with labels appears with its first event
            assertTrue(text.contains("# TYPE harpd_authentication_failures_total counter\n"
                    + "harpd_authentication_failures_total 0.0\n"), text);
            assertTrue(text.contains("harpd_queue_wait_seconds_count 0\n"), text);
            assertFalse(text.contains("harpd_calls_total"), text);
            assertFalse(text.contains("harpd_workers{"), text);
            // the JVM's metrics come with the endpoint, never into a registry that is only counted
            assertFalse(text.contains("jvm_"), text);
        }
    }
}
