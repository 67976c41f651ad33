package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusCallerMetricsTest {
    /** Every sample line of the text exposition: series (name and labels) → value. */
    static Map<String, Double> samples(String text) {
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
        try (PrometheusCallerMetrics metrics = new PrometheusCallerMetrics()) {
            metrics.watchHosts(Set.of("web01", "db01")::contains, () -> 2);
            metrics.watchJobs(() -> List.of(new CallerMetrics.JobCount("{\"q\":1}", "web01", 3, 1),
                    new CallerMetrics.JobCount(null, "db01", 0, 2)));
            metrics.jobSubmitted("{\"q\":1}", "web01");
            metrics.jobSubmitted("{\"q\":1}", "web01");
            metrics.jobSubmitted(null, "db01");
            metrics.jobSubmitted(null, "nowhere");
            metrics.jobStarted("{\"q\":1}", "web01", 2_000);
            metrics.jobStarted(null, "db01", 0);
            metrics.jobEnded("{\"q\":1}", "web01", CallerMetrics.RESULT, 3_000_000_000L);
            metrics.jobEnded(null, "db01", CallerMetrics.EXCEPTION, 20_000_000);
            metrics.jobEnded(null, "nowhere", "unknown_host", 1_000);
            metrics.jobEnded("{\"q\":1}", "web01", CallerMetrics.CANCELLED, -1);
            metrics.storeWrite("insert_job", 3_000_000, true);
            metrics.storeWrite("end", 4_000_000, true);
            metrics.storeWrite("end", 2_000_000_000L, false);
            metrics.hostsRefreshed(true);
            metrics.hostsRefreshed(false);
            metrics.hostsRefreshed(true);
            metrics.clientConnected();
            metrics.clientConnected();
            metrics.clientDisconnected();
            metrics.clientRejected("unauthorized");
            metrics.clientRejected("invalid_request");
            metrics.clientRejected("invalid_request");

            Map<String, Double> s = samples(metrics.scrapeText());
            assertEquals(2.0, s.get("harpcallerd_jobs_submitted_total{host=\"web01\",queue=\"{\\\"q\\\":1}\"}"),
                    s.toString());
            assertEquals(1.0, s.get("harpcallerd_jobs_submitted_total{host=\"db01\",queue=\"(none)\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_submitted_total{host=\"(unknown)\",queue=\"(none)\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"web01\",outcome=\"result\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"web01\",outcome=\"cancelled\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"db01\",outcome=\"exception\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"(unknown)\",outcome=\"unknown_host\"}"));
            assertEquals(1.0, s.get("harpcallerd_job_queued_seconds_count{queue=\"{\\\"q\\\":1}\"}"));
            assertEquals(0.0, s.get("harpcallerd_job_queued_seconds_bucket{queue=\"{\\\"q\\\":1}\",le=\"1.0\"}"));
            assertEquals(1.0, s.get("harpcallerd_job_queued_seconds_bucket{queue=\"{\\\"q\\\":1}\",le=\"5.0\"}"));
            assertEquals(1.0, s.get("harpcallerd_job_queued_seconds_count{queue=\"(none)\"}"));
            // a job cancelled before it started has no running time
            assertEquals(1.0, s.get("harpcallerd_job_running_seconds_count{queue=\"{\\\"q\\\":1}\"}"));
            assertEquals(3.0, s.get("harpcallerd_job_running_seconds_sum{queue=\"{\\\"q\\\":1}\"}"));
            assertEquals(2.0, s.get("harpcallerd_job_running_seconds_count{queue=\"(none)\"}"));
            assertEquals(1.0, s.get("harpcallerd_store_write_seconds_count{operation=\"insert_job\"}"));
            assertEquals(2.0, s.get("harpcallerd_store_write_seconds_count{operation=\"end\"}"));
            assertEquals(1.0, s.get("harpcallerd_store_write_seconds_bucket{operation=\"end\",le=\"0.005\"}"));
            assertEquals(1.0, s.get("harpcallerd_store_write_failures_total{operation=\"end\"}"));
            assertNull(s.get("harpcallerd_store_write_failures_total{operation=\"insert_job\"}"));
            assertEquals(3.0, s.get("harpcallerd_hosts_refreshes_total"));
            assertEquals(1.0, s.get("harpcallerd_hosts_refresh_failures_total"));
            assertEquals(2.0, s.get("harpcallerd_hosts"));
            assertEquals(2.0, s.get("harpcallerd_client_connections_accepted_total"));
            assertEquals(1.0, s.get("harpcallerd_client_connections_open"));
            assertEquals(1.0, s.get("harpcallerd_client_rejections_total{reason=\"unauthorized\"}"));
            assertEquals(2.0, s.get("harpcallerd_client_rejections_total{reason=\"invalid_request\"}"));
            assertEquals(3.0, s.get("harpcallerd_jobs_queued{host=\"web01\",queue=\"{\\\"q\\\":1}\"}"));
            assertEquals(1.0, s.get("harpcallerd_jobs_running{host=\"web01\",queue=\"{\\\"q\\\":1}\"}"));
            assertEquals(2.0, s.get("harpcallerd_jobs_running{host=\"db01\",queue=\"(none)\"}"));
            assertNull(s.get("harpcallerd_jobs_queued{host=\"db01\",queue=\"(none)\"}"), "no series for none");
        }
    }

    @Test
    void labelsFromClientsAreBounded() {
        try (PrometheusCallerMetrics metrics = new PrometheusCallerMetrics()) {
            metrics.watchHosts(h -> false, () -> 0);
            for (int i = 0; i < PrometheusCallerMetrics.MAX_QUEUES + 20; i++) {
                metrics.jobSubmitted("{\"n\":" + i + "}", "host" + i);
            }
            metrics.jobSubmitted("{\"n\":0}", "host0");
            metrics.jobEnded(null, "x", "Not A Type\n", -1);
            Map<String, Double> s = samples(metrics.scrapeText());
            assertEquals(2.0, s.get("harpcallerd_jobs_submitted_total{host=\"(unknown)\",queue=\"{\\\"n\\\":0}\"}"),
                    "a queue seen before the bound keeps its label");
            assertEquals(20.0, s.get("harpcallerd_jobs_submitted_total{host=\"(unknown)\",queue=\"(other)\"}"));
            assertEquals(PrometheusCallerMetrics.MAX_QUEUES + 1, s.keySet().stream()
                    .filter(k -> k.startsWith("harpcallerd_jobs_submitted_total{")).count());
            assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"(unknown)\",outcome=\"(other)\"}"));
        }
    }

    @Test
    void aFreshRegistryHasNoJobOrJvmSeries() {
        try (PrometheusCallerMetrics metrics = new PrometheusCallerMetrics()) {
            String text = metrics.scrapeText();
            assertTrue(text.contains("harpcallerd_hosts_refreshes_total 0.0\n"), text);
            assertFalse(text.contains("harpcallerd_jobs_queued{"), text);
            assertFalse(text.contains("jvm_"), "the JVM's metrics are added when serving: " + text);
        }
    }
}
