package org.harpd.caller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.harpd.it.Daemon;

/**
 * One harpd on loopback for every test class of this module (starting one takes seconds). Its procedures
 * append "start NAME" / "end NAME" lines to {@link #events()} so that tests can see what ran when.
 */
final class SharedHarpd {
    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure, Result
            import os, time

            def _event(what, name):
                fd = os.open(os.environ.get("EVENTS", "%s"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0666)
                try:
                    os.write(fd, ("%%s %%s\\n" %% (what, name)).encode("utf-8"))
                finally:
                    os.close(fd)

            @procedure
            def echo(*args):
                return list(args)

            @procedure
            def sleep(seconds):
                time.sleep(seconds)
                return seconds

            @procedure
            def slot(name, seconds):
                _event("start", name)
                time.sleep(seconds)
                _event("end", name)
                return name

            @procedure
            def stamp():
                return time.time()

            @procedure
            def stamp_after(seconds):
                time.sleep(seconds)
                return time.time()

            @procedure
            def fail():
                raise ValueError("boom")

            @streaming_procedure
            def countdown(n, delay):
                for i in xrange(n, 0, -1):
                    yield {"i": i}
                    time.sleep(delay)
                yield Result("liftoff")

            @streaming_procedure
            def stream(n):
                for i in xrange(n):
                    yield i
                yield Result("done")
            """;

    private static Daemon daemon;
    private static Path events;

    private SharedHarpd() {
    }

    static synchronized Daemon get() throws Exception {
        if (daemon == null) {
            Path dir = Files.createTempDirectory("harpcallerd-events");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            events = dir.resolve("events");
            daemon = Daemon.builder().procedures(PROCEDURES.formatted(events)).start();
            Daemon started = daemon;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }));
        }
        return daemon;
    }

    /** The file the procedures' events go to. */
    static synchronized Path events() {
        return events;
    }

    /** A registry line for the shared harpd. */
    static String hostLine(String hostname) throws Exception {
        return "{\"hostname\": \"" + hostname + "\", \"address\": \"127.0.0.1\", \"port\": " + get().port()
                + ", \"credentials\": {\"user\": \"" + Daemon.USER + "\", \"password\": \"" + Daemon.PASSWORD + "\"}}";
    }
}
