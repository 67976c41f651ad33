package org.harpd.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.function.BooleanSupplier;
import org.harpd.config.WorkersConfig;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.harpd.protocol.Json;
import org.harpd.worker.FakeWorkerMain;
import org.harpd.workerprotocol.WorkerArguments;
import org.junit.jupiter.api.Assumptions;

/** Worker JVMs running {@link FakeWorkerMain}, the worker loop with a pure-Java runtime, for pool tests. */
final class TestWorkers {
    static final Duration LONG_ENOUGH = Duration.ofSeconds(30);

    private TestWorkers() {
    }

    static WorkerCommand command(Path procedures) {
        return new WorkerCommand(WorkerCommand.currentJava(),
                List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-XX:-UseDynamicNumberOfCompilerThreads", "-Djava.security.manager=disallow"),
                System.getProperty("java.class.path"), FakeWorkerMain.class.getName(),
                new WorkerArguments(procedures, null).toArgs());
    }

    static Path procedures(Path dir, String content) throws IOException {
        return Files.writeString(dir.resolve("procedures.py"), content);
    }

    /**
     * Idle workers retire only in a test that sets an idle timeout: on a loaded machine, a test's next call to a
     * worker can come later than the default's 10 s (a boot in between), and then finds it gone.
     */
    static final Duration NO_IDLE_TIMEOUT = Duration.ofHours(1);

    static PoolSettings settings(Path procedures, int spare, int max, int queue) {
        return settings(procedures, b -> b.isolation(Isolation.PROCESS).spare(spare).max(max).queue(queue));
    }

    static PoolSettings settings(Path procedures, Isolation isolation, int spare, int max, int maxCalls) {
        return settings(procedures, b -> b.isolation(isolation).spare(spare).max(max).queue(4).maxCalls(maxCalls));
    }

    /** Test timings (a boot may take long on a loaded machine, no idle retirement) and {@code sizing}'s values. */
    static PoolSettings settings(Path procedures, UnaryOperator<WorkersConfig.Builder> sizing) {
        return new PoolSettings(command(procedures), sizing.apply(WorkersConfig.DEFAULTS.toBuilder()
                .startTimeout(Duration.ofSeconds(20)).killGrace(Duration.ofSeconds(5)).idleTimeout(NO_IDLE_TIMEOUT))
                .build());
    }

    /** The same settings with some values changed. */
    static PoolSettings with(PoolSettings settings, UnaryOperator<WorkersConfig.Builder> change) {
        return new PoolSettings(settings.command(), change.apply(settings.workers().toBuilder()).build());
    }

    static CallJob job(String procedure, Duration timeout, Identity identity, Object... arguments) {
        ProcedureInfo info = new ProcedureInfo(procedure, false, Signature.permissive(), timeout, null, List.of());
        JsonNode args = Json.MAPPER.valueToTree(List.of(arguments));
        return new CallJob(info, args, identity, "tester", "127.0.0.1:1");
    }

    static CallJob job(String procedure, Object... arguments) {
        return job(procedure, null, Identity.UNCHANGED, arguments);
    }

    static Identity identity(IdRef user, IdRef... groups) {
        return new Identity(user, List.of(groups));
    }

    /**
     * {@code answer}, the reply to a call as another user, unless the worker could not read this checkout as that
     * user (a clone in a directory of mode 0700, as mktemp -d makes): then what the test is about cannot happen
     * here, and it is skipped, saying so.
     */
    static JsonNode readableBySwitchedWorker(JsonNode answer) {
        String error = answer.path("error").path("message").asText();
        Assumptions.assumeFalse(error.contains("cannot read"), () -> "the switched worker cannot read this checkout: "
                + error);
        return answer;
    }

    /** Poll until {@code condition} holds; fail (not a timing assertion: a bound on a hang) after 30 s. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + LONG_ENOUGH.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Gone: no such process, or a zombie nobody reaps (orphans of killed workers may end so). */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }
}
