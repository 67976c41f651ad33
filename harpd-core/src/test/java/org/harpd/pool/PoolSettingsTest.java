package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.harpd.config.WorkersConfig;
import org.harpd.config.WorkersConfig.Isolation;
import org.junit.jupiter.api.Test;

/** The pool's settings are the {@code workers:} section: how many calls a worker serves, by level. */
class PoolSettingsTest {
    private static final WorkerCommand COMMAND = new WorkerCommand("java", List.of(), "cp", "Main", List.of());

    private static PoolSettings settings(OptionalInt maxCalls) {
        return new PoolSettings(COMMAND, Isolation.SHARED, 1, 4, 4, maxCalls, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Map.of("once", Isolation.PROCESS, "fresh", Isolation.INTERPRETER),
                Duration.ofSeconds(10));
    }

    @Test
    void withoutMaxCallsEachLevelHasItsOwnDefault() {
        PoolSettings settings = settings(OptionalInt.empty());
        assertEquals(1, settings.maxCallsFor(Isolation.PROCESS));
        assertEquals(Integer.MAX_VALUE, settings.maxCallsFor(Isolation.INTERPRETER), "no limit");
        assertEquals(Integer.MAX_VALUE, settings.maxCallsFor(Isolation.SHARED), "no limit");
    }

    @Test
    void maxCallsAppliesToEveryLevelThatReusesWorkers() {
        PoolSettings settings = settings(OptionalInt.of(50));
        assertEquals(1, settings.maxCallsFor(Isolation.PROCESS));
        assertEquals(50, settings.maxCallsFor(Isolation.INTERPRETER));
        assertEquals(50, settings.maxCallsFor(Isolation.SHARED));
    }

    @Test
    void theSettingsAreTheWorkersSectionsValues() {
        PoolSettings settings = new PoolSettings(COMMAND, WorkersConfig.DEFAULTS.withMaxResultSize(128 * 1024));
        assertSame(WorkersConfig.DEFAULTS.isolation(), settings.isolation());
        assertEquals(WorkersConfig.DEFAULTS.spare(), settings.spare());
        assertEquals(WorkersConfig.DEFAULTS.max(), settings.max());
        assertEquals(WorkersConfig.DEFAULTS.queue(), settings.queue());
        assertEquals(WorkersConfig.DEFAULTS.startTimeout(), settings.startTimeout());
        assertEquals(WorkersConfig.DEFAULTS.killGrace(), settings.killGrace());
        assertEquals(WorkersConfig.DEFAULTS.idleTimeout(), settings.idleTimeout());
        assertEquals(WorkersConfig.DEFAULTS.timeoutGrace(), settings.timeoutGrace());
        assertEquals(128 * 1024, settings.maxResultBytes());
    }
}
