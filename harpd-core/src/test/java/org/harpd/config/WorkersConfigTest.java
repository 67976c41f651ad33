package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.harpd.config.WorkersConfig.Isolation;
import org.junit.jupiter.api.Test;

/**
 * The record's own check, which holds for every workers configuration, also one a test builds without a file
 * (the file's keys and their messages are {@link HarpdConfigTest}'s).
 */
class WorkersConfigTest {
    private static final WorkersConfig D = WorkersConfig.DEFAULTS;

    private static WorkersConfig with(int spare, int max, int queue, OptionalInt maxCalls, Duration startTimeout,
                                      Duration killGrace, Duration idleTimeout) {
        return new WorkersConfig(Isolation.SHARED, spare, max, queue, maxCalls, startTimeout, killGrace, List.of(),
                Map.of(), idleTimeout);
    }

    private static String refused(WorkersConfigFactory factory) {
        return assertThrows(IllegalArgumentException.class, factory::build).getMessage();
    }

    private interface WorkersConfigFactory {
        WorkersConfig build();
    }

    @Test
    void eachInconsistencyIsNamedWithItsValue() {
        Duration s = Duration.ofSeconds(1);
        assertEquals("max workers must be at least 1, got 0",
                refused(() -> with(0, 0, 1, OptionalInt.empty(), s, s, s)));
        assertEquals("spare workers must be between 0 and max (4), got 5",
                refused(() -> with(5, 4, 1, OptionalInt.empty(), s, s, s)));
        assertEquals("queue must not be negative, got -1",
                refused(() -> with(1, 4, -1, OptionalInt.empty(), s, s, s)));
        assertEquals("max calls per worker must be at least 1, got OptionalInt[0]",
                refused(() -> with(1, 4, 1, OptionalInt.of(0), s, s, s)));
        assertEquals("start timeout must be positive, got PT0S",
                refused(() -> with(1, 4, 1, OptionalInt.empty(), Duration.ZERO, s, s)));
        assertEquals("kill grace must not be negative, got PT-1S",
                refused(() -> with(1, 4, 1, OptionalInt.empty(), s, s.negated(), s)));
        assertEquals("idle timeout must not be negative, got PT-1S",
                refused(() -> with(1, 4, 1, OptionalInt.empty(), s, s, s.negated())));
        assertEquals("timeout grace must be positive, got PT0S", refused(() -> D.withTimeoutGrace(Duration.ZERO)));
        assertEquals("max result size must be between 65536 and 1073741824 bytes, got 65535",
                refused(() -> D.withMaxResultSize(64 * 1024 - 1)));
    }

    @Test
    void zeroKillGraceAndIdleTimeoutAreAccepted() {
        WorkersConfig config = with(0, 1, 0, OptionalInt.empty(), Duration.ofSeconds(1), Duration.ZERO,
                Duration.ZERO);
        assertEquals(Duration.ZERO, config.killGrace());
        assertEquals(Duration.ZERO, config.idleTimeout());
    }

    @Test
    void withersChangeOneValueAndKeepTheRest() {
        WorkersConfig changed = D.withIdleTimeout(Duration.ofSeconds(3)).withMaxResultSize(1 << 20)
                .withTimeoutGrace(Duration.ofMillis(1500)).withSpareAtRest(2);
        assertEquals(new WorkersConfig(D.isolation(), D.spare(), D.max(), D.queue(), D.maxCalls(), D.startTimeout(),
                D.killGrace(), D.jvmOptions(), D.procedureIsolation(), Duration.ofSeconds(3), 1 << 20,
                Duration.ofMillis(1500)), changed);
        assertEquals(1, D.spareAtRest(), "one idle JVM for an agent nobody calls");
    }

    @Test
    void aProcedureOwnIsolationOverridesTheDaemons() {
        WorkersConfig config = new WorkersConfig(Isolation.INTERPRETER, 1, 4, 4, OptionalInt.empty(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), List.of(), Map.of("once", Isolation.PROCESS),
                Duration.ofSeconds(10));
        assertEquals(Isolation.PROCESS, config.isolationOf("once"));
        assertEquals(Isolation.INTERPRETER, config.isolationOf("other"));
    }
}
