package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
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
        return D.toBuilder().isolation(Isolation.SHARED).spare(spare).max(max).queue(queue).maxCalls(maxCalls)
                .startTimeout(startTimeout).killGrace(killGrace).idleTimeout(idleTimeout).build();
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
        assertEquals("timeout grace must be positive, got PT0S", refused(() -> D.toBuilder().timeoutGrace(Duration.ZERO).build()));
        assertEquals("max result size must be between 65536 and 1073741824 bytes, got 65535",
                refused(() -> D.toBuilder().maxResultSize(64 * 1024 - 1).build()));
    }

    @Test
    void zeroKillGraceAndIdleTimeoutAreAccepted() {
        WorkersConfig config = with(0, 1, 0, OptionalInt.empty(), Duration.ofSeconds(1), Duration.ZERO,
                Duration.ZERO);
        assertEquals(Duration.ZERO, config.killGrace());
        assertEquals(Duration.ZERO, config.idleTimeout());
    }

    @Test
    void aBuilderChangesTheValuesItIsGivenAndKeepsTheRest() {
        WorkersConfig changed = D.toBuilder().idleTimeout(Duration.ofSeconds(3)).maxResultSize(1 << 20)
                .timeoutGrace(Duration.ofMillis(1500)).spareAtRest(2).build();
        assertEquals(new WorkersConfig(D.isolation(), D.spare(), D.max(), D.queue(), D.maxCalls(), D.startTimeout(),
                D.killGrace(), D.jvmOptions(), D.procedureIsolation(), Duration.ofSeconds(3), 1 << 20,
                Duration.ofMillis(1500), D.shareBetweenUsers(), 2), changed);
        assertEquals(D, D.toBuilder().build());
        assertEquals(1, D.spareAtRest(), "one idle JVM for an agent nobody calls");
        assertEquals(5, D.toBuilder().max(8).spare(5).build().spareAtRest(),
                "a configuration naming only spare keeps them all at rest");
        assertEquals("spare workers at rest must be between 0 and spare (2), got 3",
                refused(() -> D.toBuilder().spareAtRest(3).build()));
    }

    @Test
    void withoutMaxCallsEachLevelHasItsOwnDefaultAndWithItEveryLevelThatReusesWorkersTakesIt() {
        assertEquals(1, D.maxCallsFor(Isolation.PROCESS));
        assertEquals(Integer.MAX_VALUE, D.maxCallsFor(Isolation.INTERPRETER), "no limit");
        assertEquals(Integer.MAX_VALUE, D.maxCallsFor(Isolation.SHARED), "no limit");
        WorkersConfig fifty = D.toBuilder().maxCalls(50).build();
        assertEquals(1, fifty.maxCallsFor(Isolation.PROCESS));
        assertEquals(50, fifty.maxCallsFor(Isolation.INTERPRETER));
        assertEquals(50, fifty.maxCallsFor(Isolation.SHARED));
    }

    @Test
    void aProcedureOwnIsolationOverridesTheDaemons() {
        WorkersConfig config = D.toBuilder().procedureIsolation(Map.of("once", Isolation.PROCESS)).build();
        assertEquals(Isolation.PROCESS, config.isolationOf("once"));
        assertEquals(Isolation.INTERPRETER, config.isolationOf("other"));
    }
}
