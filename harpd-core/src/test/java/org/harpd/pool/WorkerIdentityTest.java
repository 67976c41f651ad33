package org.harpd.pool;

import static org.harpd.pool.TestWorkers.identity;
import static org.harpd.pool.TestWorkers.job;
import static org.harpd.pool.TestWorkers.readableBySwitchedWorker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.harpd.posix.Posix;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The worker switches to the call's identity before running it, verified from inside the worker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerIdentityTest {
    private WorkerPool pool;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), 2, 4, 4));
    }

    @AfterAll
    void stop() {
        pool.close();
    }

    private JsonNode whoami(Identity identity) throws InterruptedException {
        RecordingSink sink = new RecordingSink();
        pool.submit(job("whoami", (java.time.Duration) null, identity), sink);
        return sink.await().completedJson();
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asInt()));
        return list;
    }

    @Test
    void userByNameTakesItsPrimaryGroupOnly() throws Exception {
        assumeTrue(Posix.geteuid() == 0, "switching users needs root");
        JsonNode who = readableBySwitchedWorker(whoami(identity(IdRef.ofName("nobody")))).path("result");
        assertEquals(65534, who.path("uid").asInt());
        assertEquals(65534, who.path("euid").asInt());
        assertEquals(65534, who.path("gid").asInt());
        assertEquals(65534, who.path("egid").asInt());
        assertEquals(List.of(65534), ints(who.path("groups")));
    }

    @Test
    void groupsListSetsPrimaryAndSupplementaryGroups() throws Exception {
        assumeTrue(Posix.geteuid() == 0, "switching users needs root");
        JsonNode who = readableBySwitchedWorker(whoami(identity(IdRef.ofId(65534), IdRef.ofName("nogroup"),
                IdRef.ofId(100)))).path("result");
        assertEquals(65534, who.path("uid").asInt());
        assertEquals(65534, who.path("gid").asInt());
        assertEquals(List.of(100, 65534), ints(who.path("groups")));
    }

    @Test
    void unchangedIdentityRunsAsTheListener() throws Exception {
        JsonNode who = whoami(Identity.UNCHANGED).path("result");
        assertEquals(Posix.getuid(), who.path("uid").asInt());
        assertEquals(Posix.getgid(), who.path("gid").asInt());
    }

    @Test
    void unknownUserIsSystemErrorAndTheCallDoesNotRun() throws Exception {
        JsonNode answer = whoami(identity(IdRef.ofName("no-such-user-harpd")));
        assertEquals("system_error", answer.path("error").path("type").asText());
        assertEquals(1, answer.path("harp").asInt());
        assertTrue(answer.path("error").path("message").asText().contains("unknown user 'no-such-user-harpd'"),
                answer.toString());
    }

    @Test
    void unknownGroupIsSystemError() throws Exception {
        JsonNode answer = whoami(identity(null, IdRef.ofName("no-such-group-harpd")));
        assertEquals("system_error", answer.path("error").path("type").asText());
        assertTrue(answer.path("error").path("message").asText().contains("unknown group 'no-such-group-harpd'"));
    }

    @Test
    void switchNotPermittedIsSystemError() throws Exception {
        assumeTrue(Posix.geteuid() != 0, "only an unprivileged listener is refused a switch to another user");
        JsonNode answer = whoami(identity(IdRef.ofId(Posix.getuid() + 1L)));
        assertEquals("system_error", answer.path("error").path("type").asText());
    }
}
