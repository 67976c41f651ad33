package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Procedures files written for the Python harpd, run unchanged against the assembled daemon: every reply must
 * be the bytes the original sends under CPython 2.7. Each case is {@code compat/NAME.py} (the procedures file)
 * with {@code compat/NAME.wire}: {@code > procedure arguments-json} lines, each followed by the lines expected
 * back ({@code #} comments and blank lines aside). One daemon per case; calls run in file order, each on its own
 * connection. {@code compat/generate.py} writes the expected lines with CPython 2.7; a new case is a new pair
 * of files.
 */
class CompatibilityIT {
    private record Call(String procedure, String arguments, List<String> expected) {
    }

    @TestFactory
    Stream<DynamicTest> casesAnswerAsTheOriginal() throws IOException, URISyntaxException {
        Path dir = Path.of(CompatibilityIT.class.getResource("/compat").toURI());
        List<Path> wires;
        try (Stream<Path> files = Files.list(dir)) {
            wires = files.filter(p -> p.getFileName().toString().endsWith(".wire")).sorted().toList();
        }
        assertFalse(wires.isEmpty(), "no compatibility cases in " + dir);
        return wires.stream().map(wire -> DynamicTest.dynamicTest(wire.getFileName().toString(), () -> run(wire)));
    }

    static void run(Path wire) throws Exception {
        String name = wire.getFileName().toString().replaceFirst("\\.wire$", "");
        String procedures = Files.readString(wire.resolveSibling(name + ".py"), StandardCharsets.UTF_8);
        List<Call> calls = parse(Files.readAllLines(wire, StandardCharsets.UTF_8));
        try (Daemon daemon = Daemon.builder().procedures(procedures).start()) {
            for (Call call : calls) {
                String expected = String.join("\n", call.expected()) + "\n";
                String got = exchange(daemon.port(), Wire.request(call.procedure(), call.arguments()));
                assertEquals(expected, got, name + ": " + call.procedure() + " " + call.arguments());
            }
        }
    }

    private static List<Call> parse(List<String> lines) {
        List<Call> calls = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith(">")) {
                String request = line.substring(1).strip();
                int space = request.indexOf(' ');
                calls.add(new Call(space < 0 ? request : request.substring(0, space),
                        space < 0 ? "[]" : request.substring(space + 1).strip(), new ArrayList<>()));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                if (calls.isEmpty()) {
                    throw new IllegalArgumentException("expected line before any call: " + line);
                }
                calls.get(calls.size() - 1).expected().add(line);
            }
        }
        return calls;
    }

    /** Every byte the daemon sends until it closes, as Latin-1 so that any non-ASCII byte shows as itself. */
    private static String exchange(int port, String request) throws Exception {
        try (SSLSocket socket = Wire.connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
                // a close without close_notify ends the exchange too
            }
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
