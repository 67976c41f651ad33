package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Procedures for the Python harpd that use termios, pty.openpty, a child on a pseudo-terminal and mmap, running
 * as nobody in the assembled daemon: every reply must be the bytes the original sends under CPython 2.7. The
 * cases are {@code compat/nobody/NAME.py} with {@code NAME.wire}, in the format of {@link CompatibilityIT}
 * (expected lines written by {@code compat/generate.py} with python2.7); their procedures switch to nobody,
 * so the daemon must run as root.
 */
class CompatibilityTtyIT {
    @TestFactory
    Stream<DynamicTest> casesAsNobodyAnswerAsTheOriginal() throws IOException, URISyntaxException {
        Assumptions.assumeTrue(PrivilegesIT.root(), "the procedures run as nobody: the suite must run as root");
        Path dir = Path.of(CompatibilityTtyIT.class.getResource("/compat/nobody").toURI());
        List<Path> wires;
        try (Stream<Path> files = Files.list(dir)) {
            wires = files.filter(p -> p.getFileName().toString().endsWith(".wire")).sorted().toList();
        }
        assertFalse(wires.isEmpty(), "no compatibility cases in " + dir);
        return wires.stream()
                .map(wire -> DynamicTest.dynamicTest(wire.getFileName().toString(), () -> CompatibilityIT.run(wire)));
    }
}
