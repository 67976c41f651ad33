package org.harpd.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one load phase measured: every call's latency (failed calls included, since a client waited that long
 * for them too), errors counted by kind, and throughput.
 *
 * @param calls       calls that completed, successfully or not
 * @param errors      kind of failure to count (empty when every call succeeded)
 * @param elapsedNanos wall time from the first call's start to the last call's end
 * @param latencies   sorted latencies of all calls, in nanoseconds
 * @param lateOk      successful calls that ended in the second half of the phase's planned window
 * @param windowNanos the planned window (clients stop starting calls when it is over)
 * @param workers     distinct worker processes that served successful calls
 */
public record Summary(int calls, Map<String, Integer> errors, long elapsedNanos, long[] latencies, int lateOk,
                      long windowNanos, int workers) {

    /** One finished call: when it ended (relative to the phase's start), how long it took, and how it failed. */
    public record Sample(long endOffsetNanos, long latencyNanos, String error, long workerPid) {
        public Sample(long endOffsetNanos, long latencyNanos, String error) {
            this(endOffsetNanos, latencyNanos, error, -1);
        }

        public boolean ok() {
            return error == null;
        }
    }

    public static Summary of(List<Sample> samples, long elapsedNanos, long windowNanos) {
        long[] latencies = samples.stream().mapToLong(Sample::latencyNanos).sorted().toArray();
        Map<String, Integer> errors = new TreeMap<>();
        int lateOk = 0;
        for (Sample s : samples) {
            if (!s.ok()) {
                errors.merge(s.error(), 1, Integer::sum);
            } else if (s.endOffsetNanos() >= windowNanos / 2 && s.endOffsetNanos() <= windowNanos) {
                lateOk++;
            }
        }
        int workers = (int) samples.stream().filter(s -> s.ok() && s.workerPid() > 0).mapToLong(Sample::workerPid)
                .distinct().count();
        return new Summary(samples.size(), Map.copyOf(errors), elapsedNanos, latencies, lateOk, windowNanos, workers);
    }

    /**
     * Nearest-rank percentile: the smallest value with at least {@code p} % of the values at or below it.
     *
     * @param sorted ascending values
     * @param p      in (0, 100]
     * @return the percentile, or -1 when there are no values
     */
    public static long percentile(long[] sorted, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    public int errorCount() {
        return errors.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int ok() {
        return calls - errorCount();
    }

    /** Successful calls per second over the whole phase. */
    public double okPerSecond() {
        return elapsedNanos <= 0 ? 0 : ok() * 1e9 / elapsedNanos;
    }

    /**
     * Successful calls per second in the second half of the planned window: the steady state, after any burst
     * served by workers that were ready before the phase began.
     */
    public double steadyOkPerSecond() {
        return windowNanos <= 0 ? 0 : lateOk * 2e9 / windowNanos;
    }

    public double p50Millis() {
        return percentile(latencies, 50) / 1e6;
    }

    public double p99Millis() {
        return percentile(latencies, 99) / 1e6;
    }

    public double maxMillis() {
        return latencies.length == 0 ? -1 : latencies[latencies.length - 1] / 1e6;
    }

    /** e.g. "timeout=3, reset=1", or "none". */
    public String errorText() {
        if (errors.isEmpty()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        new TreeMap<>(errors).forEach((kind, count) -> text.append(text.isEmpty() ? "" : ", ")
                .append(kind).append('=').append(count));
        return text.toString();
    }
}
