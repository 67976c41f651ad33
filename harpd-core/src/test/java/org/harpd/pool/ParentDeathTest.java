package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers never outlive the listener, even one killed with SIGKILL that had no chance to clean up. */
class ParentDeathTest {
    @TempDir
    Path dir;

    @Test
    void workersDieWithAKilledListener() throws Exception {
        Path procedures = TestWorkers.procedures(dir, "# fake\n");
        Process owner = new ProcessBuilder(WorkerCommand.currentJava(), "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), PoolOwnerMain.class.getName(), procedures.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Long> pids;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("PIDS "), "owner said: " + line);
            pids = Arrays.stream(line.substring(5).split(" ")).map(Long::parseLong).collect(Collectors.toList());
            assertTrue(pids.size() >= 2, "expected a busy and an idle worker: " + pids);
            assertTrue(pids.stream().noneMatch(TestWorkers::gone), "workers alive before the kill");

            owner.destroyForcibly(); // SIGKILL
            owner.waitFor();
        } finally {
            owner.destroyForcibly();
        }
        TestWorkers.await("workers " + pids + " gone", () -> pids.stream().allMatch(TestWorkers::gone));
    }
}
