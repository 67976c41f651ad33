package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerOutputTest {
    private static List<WorkerOutput.Line> read(byte[] bytes) {
        List<WorkerOutput.Line> lines = new ArrayList<>();
        new WorkerOutput(new ByteArrayInputStream(bytes), lines::add).readToEnd();
        return lines;
    }

    @Test
    void oneRecordPerLineWithoutLineEnds() {
        List<WorkerOutput.Line> lines = read("first\r\nsecond\n\nunterminated".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new WorkerOutput.Line("first", 0), new WorkerOutput.Line("second", 0),
                new WorkerOutput.Line("", 0), new WorkerOutput.Line("unterminated", 0)), lines);
    }

    @Test
    void longLinesAreCutAndTheRestCounted() {
        String longLine = "x".repeat(WorkerOutput.MAX_LINE + 1000);
        List<WorkerOutput.Line> lines = read((longLine + "\nafter\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(2, lines.size());
        assertEquals("x".repeat(WorkerOutput.MAX_LINE), lines.get(0).text());
        assertEquals(1000, lines.get(0).dropped());
        assertEquals(new WorkerOutput.Line("after", 0), lines.get(1));
    }

    @Test
    void aFloodWithoutNewlinesIsOneCutRecord() {
        List<WorkerOutput.Line> lines = read(new byte[10 * 1024 * 1024]);
        assertEquals(1, lines.size());
        assertEquals(WorkerOutput.MAX_LINE, lines.get(0).text().length());
        assertEquals(10 * 1024 * 1024 - WorkerOutput.MAX_LINE, lines.get(0).dropped());
    }
}
