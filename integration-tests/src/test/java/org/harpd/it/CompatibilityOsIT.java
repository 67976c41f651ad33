package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.harpd.client.HarpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Procedures written for CPython 2.7 on Linux that use os.system's wait status, subprocess with preexec_fn,
 * fcntl locks and select on a child's pipe run unchanged in the assembled daemon, as nobody; and a worker
 * whose identity a root procedure changed is not given another call. Needs root.
 */
class CompatibilityOsIT {
    static Daemon daemon;
    static HarpClient client;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PrivilegesIT.root(), "procedures run as nobody: the suite must run as root");
        daemon = Daemon.builder().procedures("""
                from harpd.proc import procedure
                import os, subprocess, select, fcntl, tempfile

                @procedure(uid="nobody")
                def system_status():
                    status = os.system("exit 3")
                    killed = os.system("kill -9 $$")
                    return {"status": status, "exit": os.WEXITSTATUS(status), "killed": killed,
                            "signal": os.WTERMSIG(killed), "signalled": os.WIFSIGNALED(killed)}

                @procedure(uid="nobody")
                def setsid_child():
                    p = subprocess.Popen(["sh", "-c", "cut -d' ' -f6 /proc/$$/stat"], stdout=subprocess.PIPE,
                                         preexec_fn=os.setsid)
                    session = int(p.communicate()[0])
                    return {"pid": p.pid, "session": session, "mine": os.getsid(0), "returncode": p.returncode}

                @procedure(uid="nobody")
                def flock_file():
                    fd, name = tempfile.mkstemp()
                    os.close(fd)
                    try:
                        with open(name, "w") as f:
                            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                            held = subprocess.call(["flock", "-n", name, "true"])
                            fcntl.flock(f, fcntl.LOCK_UN)
                            free = subprocess.call(["flock", "-n", name, "true"])
                    finally:
                        os.unlink(name)
                    return {"held": held, "free": free}

                @procedure(uid="nobody")
                def select_pipe():
                    p = subprocess.Popen(["sh", "-c", "read x; echo got $x"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE)
                    before = select.select([p.stdout], [], [], 0.2)[0]
                    p.stdin.write("go\\n")
                    p.stdin.flush()
                    after = select.select([p.stdout], [], [], 30)[0]
                    line = p.stdout.readline()
                    p.wait()
                    return {"before": len(before), "after": len(after), "line": line}

                @procedure
                def root_look():
                    return {"pid": os.getpid(), "groups": sorted(os.getgroups())}

                @procedure
                def root_change_groups():
                    os.setgroups([12345])
                    return {"pid": os.getpid(), "groups": sorted(os.getgroups())}
                """)
                .config("workers:\n  isolation: interpreter\n  spare: 0\n  max: 2\n").start();
        client = daemon.client().build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void osSystemAnswersTheWaitStatus() throws Exception {
        JsonNode answer = client.call("system_status");
        assertEquals(768, answer.path("status").asInt(), answer.toString());
        assertEquals(3, answer.path("exit").asInt());
        assertEquals(9, answer.path("killed").asInt());
        assertEquals(9, answer.path("signal").asInt());
        assertTrue(answer.path("signalled").asBoolean());
    }

    @Test
    void preexecSetsidPutsTheChildInItsOwnSession() throws Exception {
        JsonNode answer = client.call("setsid_child");
        assertEquals(answer.path("pid").asInt(), answer.path("session").asInt(), answer.toString());
        assertNotEquals(answer.path("mine").asInt(), answer.path("session").asInt());
        assertEquals(0, answer.path("returncode").asInt());
    }

    @Test
    void fcntlFlockLocksAgainstOtherProcesses() throws Exception {
        JsonNode answer = client.call("flock_file");
        assertEquals(1, answer.path("held").asInt(), answer.toString());
        assertEquals(0, answer.path("free").asInt());
    }

    @Test
    void selectWaitsOnASubprocessPipe() throws Exception {
        JsonNode answer = client.call("select_pipe");
        assertEquals(0, answer.path("before").asInt(), answer.toString());
        assertEquals(1, answer.path("after").asInt());
        assertEquals("got go\n", answer.path("line").asText());
    }

    @Test
    void aWorkerWhoseGroupsChangedServesNoOtherCall() throws Exception {
        JsonNode first = client.call("root_look");
        JsonNode again = client.call("root_look");
        assertEquals(first.path("pid"), again.path("pid"), "an unchanged worker is reused");
        JsonNode changed = client.call("root_change_groups");
        assertEquals("[12345]", changed.path("groups").toString());
        JsonNode after = client.call("root_look");
        assertNotEquals(changed.path("pid"), after.path("pid"), "the changed worker was replaced: " + after);
        assertEquals(first.path("groups"), after.path("groups"));
    }
}
