package org.harpd.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The optional {@code workers:} section of harpd.conf (an extension over the original, which forked per call).
 *
 * @param isolation    how calls are separated from each other (default {@link Isolation#INTERPRETER})
 * @param spare        idle workers kept started ahead of demand
 * @param max          most workers alive at once
 * @param queue        calls allowed to wait when all workers are busy; beyond that a call is refused
 * @param maxCalls     key {@code max_calls}: calls one worker serves before it is replaced (interpreter and
 *                     shared isolation); empty: each level's {@link Isolation#defaultMaxCalls()}
 * @param startTimeout key {@code start_timeout} (seconds): how long a worker may take to report ready
 * @param killGrace    key {@code kill_grace} (seconds): how long a killed (or finished) worker may take to be
 *                     gone
 * @param jvmOptions   key {@code jvm_options}: extra options for worker JVMs
 * @param procedureIsolation key {@code procedure_isolation}: procedure name to its own isolation, overriding
 *                     {@code isolation} for that procedure's calls
 * @param idleTimeout  key {@code idle_timeout} (seconds): how long a worker may stay idle before it is retired,
 *                     down to {@code spare} unswitched workers; zero: never
 * @param maxResultSize key {@code max_result_size} (bytes): the largest message a worker may send the listener
 *                     (a result, one streamed value, an exception, a log record, each as one JSON line); a worker
 *                     sending a longer one is killed and its call fails
 * @param timeoutGrace key {@code timeout_grace} (seconds): how long a call may still run after its timeout raised
 *                     {@code Timeout} in it (time for {@code finally} clauses and handlers) before its worker is
 *                     killed
 * @param shareBetweenUsers key {@code share_between_users}: whether a worker that served a call of one
 *                     authenticated harpd user may serve another user's call of the same procedure identity
 *                     (default false: a worker serves one harpd user, so code that outlives a call in it can
 *                     only ever see that user's later calls)
 * @param spareAtRest  key {@code spare_at_rest}: unswitched workers kept once no call has come for
 *                     {@link #REST_AFTER} (default 1, at most {@code spare}); a call brings the pool back to
 *                     {@code spare}
 */
public record WorkersConfig(Isolation isolation, int spare, int max, int queue, OptionalInt maxCalls,
                            Duration startTimeout, Duration killGrace, List<String> jvmOptions,
                            Map<String, Isolation> procedureIsolation, Duration idleTimeout, int maxResultSize,
                            Duration timeoutGrace, boolean shareBetweenUsers, int spareAtRest) {

    /**
     * How long without a call before the pool keeps only {@code spareAtRest} spares: long enough that calls
     * coming every few seconds or every ten do not make it retire and boot a spare (a JVM start, more than a
     * CPU-second) each time, short enough that an agent that is not being called holds one idle JVM, not two.
     */
    public static final Duration REST_AFTER = Duration.ofSeconds(30);

    /**
     * 64 MiB: 64 times the default request limit, far above what a procedure answering one client sends, yet
     * small enough that a worker's longest line (buffered once, then copied once) costs the listener at most
     * 128 MiB; without a limit one unterminated line exhausted the listener's heap.
     */
    public static final int DEFAULT_MAX_RESULT_SIZE = 64 * 1024 * 1024;
    /** Below this, the worker's own protocol messages (a traceback in an exception line) might not fit. */
    public static final int MIN_MAX_RESULT_SIZE = 64 * 1024;
    /** Java arrays stop short of 2 GiB; 1 GiB keeps the buffer and its copy within reach of one heap. */
    public static final int MAX_MAX_RESULT_SIZE = 1024 * 1024 * 1024;

    /**
     * Time for {@code finally} clauses and {@code except} handlers to remove lock files and temporary files, and
     * short enough that a procedure ignoring its timeout holds its worker only a little longer.
     */
    public static final Duration DEFAULT_TIMEOUT_GRACE = Duration.ofSeconds(5);

    public static final WorkersConfig DEFAULTS = new WorkersConfig(Isolation.INTERPRETER, 2, 32, 256,
            OptionalInt.empty(), Duration.ofSeconds(60), Duration.ofSeconds(2), List.of(), Map.of(),
            Duration.ofSeconds(10), DEFAULT_MAX_RESULT_SIZE, DEFAULT_TIMEOUT_GRACE, false, 1);

    /** How much one call can see of another. */
    public enum Isolation {
        /** a fresh worker process per call: nothing survives a call (the original's fork-per-call). */
        PROCESS,
        /**
         * a long-lived worker process per identity; every call starts from the interpreter and process state the
         * worker had when it booted, as a forked child starts from its parent's.
         */
        INTERPRETER,
        /** a long-lived worker process and interpreter; module state survives between calls. */
        SHARED;

        /**
         * Calls a worker of this level serves when {@code max_calls} is not set: one at {@code process}, else no
         * limit, as gunicorn's and PHP-FPM's defaults. A replacement is a JVM start (~1.5 s of CPU on the cores
         * the calls need); at a few hundred calls a second, 10,000 calls per worker meant several starts a
         * minute under steady load. Python state is put back after every call at {@code interpreter} and is the
         * procedures' own at {@code shared}; an operator whose procedures leak outside it sets {@code max_calls}.
         */
        public int defaultMaxCalls() {
            return this == PROCESS ? 1 : Integer.MAX_VALUE;
        }

        /** The spelling used in harpd.conf. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the isolation named {@code configName}, or {@code null} if there is none */
        public static Isolation fromConfigName(String configName) {
            for (Isolation isolation : values()) {
                if (isolation.configName().equals(configName)) {
                    return isolation;
                }
            }
            return null;
        }
    }

    /**
     * The isolation level in one line for the operator, e.g. {@code interpreter} or
     * {@code interpreter (status: shared)}.
     */
    public String describeIsolation() {
        if (procedureIsolation.isEmpty()) {
            return isolation.configName();
        }
        return isolation.configName() + new java.util.TreeMap<>(procedureIsolation).entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().configName())
                .collect(java.util.stream.Collectors.joining(", ", " (", ")"));
    }

    /**
     * The one check of a workers configuration, whoever built it (the configuration file, a test): each message
     * names the field and the value.
     */
    public WorkersConfig {
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(maxCalls, "maxCalls");
        jvmOptions = List.copyOf(jvmOptions);
        procedureIsolation = Map.copyOf(procedureIsolation);
        if (max < 1) {
            throw new IllegalArgumentException("max workers must be at least 1, got " + max);
        }
        if (spare < 0 || spare > max) {
            throw new IllegalArgumentException("spare workers must be between 0 and max (" + max + "), got " + spare);
        }
        if (spareAtRest < 0 || spareAtRest > spare) {
            throw new IllegalArgumentException("spare workers at rest must be between 0 and spare (" + spare
                    + "), got " + spareAtRest);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue must not be negative, got " + queue);
        }
        if (maxCalls.orElse(1) < 1) {
            throw new IllegalArgumentException("max calls per worker must be at least 1, got " + maxCalls);
        }
        requirePositive(startTimeout, "start timeout");
        requireNotNegative(killGrace, "kill grace");
        requireNotNegative(idleTimeout, "idle timeout");
        requirePositive(timeoutGrace, "timeout grace");
        if (maxResultSize < MIN_MAX_RESULT_SIZE || maxResultSize > MAX_MAX_RESULT_SIZE) {
            throw new IllegalArgumentException("max result size must be between " + MIN_MAX_RESULT_SIZE + " and "
                    + MAX_MAX_RESULT_SIZE + " bytes, got " + maxResultSize);
        }
    }

    /** Calls one worker of {@code level} serves. */
    public int maxCallsFor(Isolation level) {
        return level == Isolation.PROCESS ? 1 : maxCalls.orElse(level.defaultMaxCalls());
    }

    /** The isolation of {@code procedure}'s calls. */
    public Isolation isolationOf(String procedure) {
        return procedureIsolation.getOrDefault(procedure, isolation);
    }

    /** A builder holding this configuration's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The values of a {@link WorkersConfig} by name, checked once by the record when {@link #build()} makes it:
     * what the configuration reader and tests use instead of a fourteen-argument constructor.
     */
    public static final class Builder {
        private Isolation isolation;
        private int spare;
        private int max;
        private int queue;
        private OptionalInt maxCalls;
        private Duration startTimeout;
        private Duration killGrace;
        private List<String> jvmOptions;
        private Map<String, Isolation> procedureIsolation;
        private Duration idleTimeout;
        private int maxResultSize;
        private Duration timeoutGrace;
        private boolean shareBetweenUsers;
        private int spareAtRest;

        private Builder(WorkersConfig from) {
            isolation = from.isolation;
            spare = from.spare;
            max = from.max;
            queue = from.queue;
            maxCalls = from.maxCalls;
            startTimeout = from.startTimeout;
            killGrace = from.killGrace;
            jvmOptions = from.jvmOptions;
            procedureIsolation = from.procedureIsolation;
            idleTimeout = from.idleTimeout;
            maxResultSize = from.maxResultSize;
            timeoutGrace = from.timeoutGrace;
            shareBetweenUsers = from.shareBetweenUsers;
            spareAtRest = from.spareAtRest;
        }

        public Builder isolation(Isolation value) {
            isolation = value;
            return this;
        }

        /** Also {@code spare_at_rest}, as a pool without that key keeps every spare at rest. */
        public Builder spare(int value) {
            spare = value;
            spareAtRest = value;
            return this;
        }

        public Builder max(int value) {
            max = value;
            return this;
        }

        public Builder queue(int value) {
            queue = value;
            return this;
        }

        public Builder maxCalls(OptionalInt value) {
            maxCalls = value;
            return this;
        }

        public Builder maxCalls(int value) {
            return maxCalls(OptionalInt.of(value));
        }

        public Builder startTimeout(Duration value) {
            startTimeout = value;
            return this;
        }

        public Builder killGrace(Duration value) {
            killGrace = value;
            return this;
        }

        public Builder jvmOptions(List<String> value) {
            jvmOptions = List.copyOf(value);
            return this;
        }

        public Builder procedureIsolation(Map<String, Isolation> value) {
            procedureIsolation = Map.copyOf(value);
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder maxResultSize(int value) {
            maxResultSize = value;
            return this;
        }

        public Builder timeoutGrace(Duration value) {
            timeoutGrace = value;
            return this;
        }

        public Builder shareBetweenUsers(boolean value) {
            shareBetweenUsers = value;
            return this;
        }

        /** After {@link #spare(int)}, which sets it too. */
        public Builder spareAtRest(int value) {
            spareAtRest = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value out of range */
        public WorkersConfig build() {
            return new WorkersConfig(isolation, spare, max, queue, maxCalls, startTimeout, killGrace, jvmOptions,
                    procedureIsolation, idleTimeout, maxResultSize, timeoutGrace, shareBetweenUsers, spareAtRest);
        }
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    private static void requireNotNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
    }
}
