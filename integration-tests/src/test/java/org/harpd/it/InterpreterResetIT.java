package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.harpd.client.HarpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code interpreter} level against the assembled daemon, procedures running as {@code nobody}: what a call
 * changes in the worker process is gone for the next call, as with the original's fork per call — put back in
 * the same worker where it can be, the worker replaced where it cannot. One worker ({@code max: 1}), so every
 * call meets the worker the previous call changed, unless that worker was replaced. Needs root.
 */
class InterpreterResetIT {
    static Daemon daemon;
    static HarpClient client;
    static Path secret;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PrivilegesIT.root(), "procedures run as nobody: the suite must run as root");
        secret = Files.createTempFile("harpd-secret", ".txt");
        Files.writeString(secret, "only root reads this");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        daemon = Daemon.builder().procedures("""
                from harpd.proc import procedure
                import os, signal, threading, time
                from org.harpd.posix import Posix

                # module code runs as the daemon's user (root), once per worker, before any call
                with open(SECRET_PATH) as f:
                    SECRET_TEXT = f.read()

                def state():
                    return {"pid": os.getpid(), "uid": os.getuid(), "umask": umask(),
                            "nofile": list(Posix.getrlimit(7)), "usr1": repr(signal.getsignal(signal.SIGUSR1)),
                            "fds": open_descriptors(), "secret": SECRET_TEXT,
                            "threads": threading.active_count()}

                def open_descriptors():
                    # the JVM's own threads open files for a moment: the fewest of a few listings
                    return min(len(os.listdir("/proc/self/fd")) for _ in range(5))

                def umask():
                    mask = os.umask(0o22)
                    os.umask(mask)
                    return mask

                @procedure(uid="nobody")
                def look():
                    return state()

                @procedure(uid="nobody")
                def change_umask():
                    os.umask(0o077)
                    return state()

                @procedure(uid="nobody")
                def change_rlimit():
                    soft, hard = Posix.getrlimit(7)
                    Posix.setrlimit(7, soft // 2, hard)
                    return state()

                @procedure(uid="nobody")
                def change_signal():
                    signal.signal(signal.SIGUSR1, lambda n, f: None)
                    return state()

                @procedure(uid="nobody")
                def leave_file_open():
                    global kept
                    kept = open("/etc/hostname")
                    return state()

                @procedure(uid="nobody")
                def leave_java_stream_open():
                    import java.io
                    global kept
                    kept = java.io.FileInputStream("/etc/hostname")
                    return state()

                @procedure(uid="nobody")
                def everyday_work():
                    import subprocess, socket, tempfile
                    subprocess.check_output(["echo", "hi"])
                    subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE).communicate("x")
                    os.system("true")
                    os.urandom(8)
                    fd, name = tempfile.mkstemp()
                    os.close(fd)
                    os.unlink(name)
                    socket.socket().close()
                    return state()

                @procedure(uid="nobody")
                def leave_thread_running():
                    t = threading.Thread(target=time.sleep, args=(30,))
                    t.daemon = True
                    t.start()
                    return state()
                """.replace("SECRET_PATH", "'" + secret + "'"))
                .config("workers:\n  isolation: interpreter\n  spare: 0\n  max: 1\n").start();
        client = daemon.client().build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (secret != null) {
            Files.deleteIfExists(secret);
        }
    }

    /**
     * The state a call sees before {@code change} runs, and the state the next call sees after it; the state
     * {@code change} leaves must differ from the first (else the test would see nothing).
     */
    private static JsonNode[] around(String change) throws Exception {
        JsonNode before = client.call("look");
        JsonNode during = client.call(change);
        assertNotEquals(before, during, change + " changes what a call sees");
        JsonNode after = client.call("look");
        return new JsonNode[] {before, after};
    }

    /**
     * {@code after} is {@code before}: the same worker, the same state, and no more open descriptors (fewer is
     * fine: one the JVM had open for a moment during the first look).
     */
    private static void assertSameWorkerAsBefore(JsonNode before, JsonNode after, String change) {
        ObjectNode withoutFds = ((ObjectNode) before.deepCopy());
        withoutFds.remove("fds");
        ObjectNode afterWithoutFds = ((ObjectNode) after.deepCopy());
        afterWithoutFds.remove("fds");
        assertEquals(withoutFds, afterWithoutFds, change + ": the next call sees the worker as the previous one did");
        assertTrue(after.path("fds").asInt() <= before.path("fds").asInt(),
                change + ": descriptors " + before.path("fds") + " -> " + after.path("fds"));
    }

    private static void assertPutBackInTheSameWorker(String change) throws Exception {
        JsonNode[] seen = around(change);
        assertSameWorkerAsBefore(seen[0], seen[1], change);
    }

    @Test
    void moduleCodeReadARootOnlyFileForCallsAsNobody() throws Exception {
        JsonNode first = client.call("look");
        JsonNode second = client.call("look");
        assertEquals("only root reads this", first.path("secret").asText());
        assertEquals(65534, first.path("uid").asInt());
        assertEquals(first.path("pid"), second.path("pid"), "no worker start per call");
    }

    @Test
    void umask() throws Exception {
        assertPutBackInTheSameWorker("change_umask");
    }

    @Test
    void resourceLimits() throws Exception {
        assertPutBackInTheSameWorker("change_rlimit");
    }

    @Test
    void signalHandlers() throws Exception {
        assertPutBackInTheSameWorker("change_signal");
    }

    @Test
    void aPythonFileLeftOpenIsClosed() throws Exception {
        assertPutBackInTheSameWorker("leave_file_open");
    }

    @Test
    void everydayWorkLeavesNothingThatCostsTheWorker() throws Exception {
        JsonNode before = client.call("look");
        for (int i = 0; i < 3; i++) {
            client.call("everyday_work");
        }
        // child processes, os.system, random bytes, a temporary file and a socket: the JVM's own threads and
        // descriptors behind them are not the call's, and the worker serves on
        JsonNode after = client.call("look");
        assertEquals(before.path("pid"), after.path("pid"), () -> "replaced: " + daemon.log().stream()
                .filter(line -> line.contains("exits instead")).toList());
        assertSameWorkerAsBefore(before, after, "everyday_work");
    }

    @Test
    void aDescriptorThatCannotBeClosedReplacesTheWorker() throws Exception {
        JsonNode[] seen = around("leave_java_stream_open");
        assertNotEquals(seen[0].path("pid"), seen[1].path("pid"), "a worker holding the call's descriptor is not reused: " + seen[0] + " / " + seen[1]);
        assertEquals(seen[0].path("fds"), seen[1].path("fds"));
    }

    @Test
    void aThreadLeftRunningReplacesTheWorker() throws Exception {
        JsonNode[] seen = around("leave_thread_running");
        assertNotEquals(seen[0].path("pid"), seen[1].path("pid"), "a worker running the call's thread is not reused");
        assertEquals(seen[0].path("threads"), seen[1].path("threads"));
    }
}
