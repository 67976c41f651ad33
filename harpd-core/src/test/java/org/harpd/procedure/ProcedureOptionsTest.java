package org.harpd.procedure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcedureOptionsTest {
    @Test
    void sameOptionsHaveNoDifferences() {
        ProcedureOptions a = new ProcedureOptions(false, Duration.ofSeconds(30), IdRef.ofName("nobody"), List.of(IdRef.ofId(4)));
        assertEquals(List.of(), a.differences(new ProcedureOptions(false, Duration.ofSeconds(30), IdRef.ofName("nobody"),
                List.of(IdRef.ofId(4)))));
    }

    @Test
    void everyDifferenceIsNamed() {
        ProcedureOptions before = new ProcedureOptions(false, null, IdRef.ofName("nobody"), List.of());
        ProcedureOptions after = new ProcedureOptions(true, Duration.ofMillis(1500), IdRef.ofId(0),
                List.of(IdRef.ofName("adm"), IdRef.ofId(0)));
        assertEquals(List.of("kind: not streaming at start-up, streaming now", "timeout: none at start-up, 1.5 s now",
                "uid: 'nobody' at start-up, 0 now", "gid: none at start-up, ['adm', 0] now"), before.differences(after));
        // a name and the number it stands for differ: the worker compares what the file says, not what it means
        assertEquals(List.of("uid: 'nobody' at start-up, 65534 now"),
                before.differences(new ProcedureOptions(false, null, IdRef.ofId(65534), List.of())));
    }
}
