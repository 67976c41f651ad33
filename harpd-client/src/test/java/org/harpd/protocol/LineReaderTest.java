package org.harpd.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A source that hands out at most {@code chunk} bytes per read, as a pipe or socket may. */
    private static LineReader.Source chunked(byte[] data, int chunk) {
        int[] at = {0};
        return buffer -> {
            if (at[0] == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(chunk, buffer.length), data.length - at[0]);
            System.arraycopy(data, at[0], buffer, 0, n);
            at[0] += n;
            return n;
        };
    }

    private static List<String> all(LineReader reader) throws IOException {
        List<String> lines = new ArrayList<>();
        for (byte[] line = reader.next(); line != null; line = reader.next()) {
            lines.add(new String(line, StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void linesComeWithTheirNewlineWhateverTheReadsAre() throws IOException {
        byte[] data = bytes("one\n\nthree, longer than the buffer\nfour\n");
        for (int chunk : new int[] {1, 3, 7, 64}) {
            LineReader reader = new LineReader(chunked(data, chunk), 1024, 4);
            assertEquals(List.of("one\n", "\n", "three, longer than the buffer\n", "four\n"), all(reader),
                    "reads of " + chunk);
            assertFalse(reader.endedMidLine());
        }
    }

    @Test
    void anUnterminatedTailIsNoLineAndIsReported() throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes("whole\npart")), 1024, 8);
        assertArrayEquals(bytes("whole\n"), reader.next());
        assertNull(reader.next());
        assertTrue(reader.endedMidLine());
        assertNull(reader.next(), "still the end");
    }

    @Test
    void theLimitCountsTheNewline() throws IOException {
        LineReader fits = new LineReader(chunked(bytes("12345678\n"), 3), 9, 4);
        assertArrayEquals(bytes("12345678\n"), fits.next());

        LineReader over = new LineReader(chunked(bytes("123456789\n"), 3), 9, 4);
        LineReader.LineTooLongException e = assertThrows(LineReader.LineTooLongException.class, over::next);
        assertEquals(9, e.maxLineBytes());
    }

    @Test
    void aLineWithoutNewlineIsRefusedOnceTheLimitHasCome() throws IOException {
        // an endless line: the reader must give up after the limit, not read (and hold) it all
        int[] reads = {0};
        LineReader reader = new LineReader(buffer -> {
            reads[0]++;
            java.util.Arrays.fill(buffer, (byte) 'x');
            return buffer.length;
        }, 64, 16);
        assertThrows(LineReader.LineTooLongException.class, reader::next);
        assertEquals(4, reads[0], "64 bytes in reads of 16");
    }

    @Test
    void drainReadsToTheEnd() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes("x".repeat(100) + "\nmore\n"));
        LineReader reader = new LineReader(in, 10, 8);
        assertThrows(LineReader.LineTooLongException.class, reader::next);
        reader.drain();
        assertEquals(0, in.available());
        assertNull(reader.next());
    }
}
