package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.harpd.config.WorkersConfig.Isolation;
import org.junit.jupiter.api.Test;

/** How many calls a worker serves, by level, with and without {@code max_calls}. */
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
    void maxCallsBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> settings(OptionalInt.of(0)));
    }
}
