package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.harpd.logging.PythonLevels;
import org.harpd.logging.PythonLogBridge;
import org.harpd.posix.IdentitySwitchException;
import org.harpd.posix.LazyBindingProvider;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import org.harpd.posix.ProcessTree;
import org.harpd.procedure.Identity;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.LineReader;
import org.harpd.workerprotocol.WorkerArguments;
import org.harpd.workerprotocol.WorkerProtocol;
import sun.misc.Signal;

/**
 * The worker process: boots a {@link WorkerRuntime}, then serves calls of one identity until the listener
 * says it was the last one, as {@link WorkerProtocol} describes.
 * The runtime comes from the {@link RuntimeFactory} the worker's main class passes in.
 */
public final class WorkerProcessMain {
    /** Exit status of a worker whose runtime could not be loaded. */
    public static final int EXIT_FATAL = 1;

    /** How long ending the processes of a call may take: SIGKILL takes effect at once, unless one may not be signalled. */
    private static final long DESCENDANT_GRACE_MS = 1_000;

    private ProtocolPipes pipes;
    private WorkerRuntime runtime;
    /** What every call is checked against, and what a reloading call goes back to. */
    private ProcessBaseline baseline;
    /** The thread that boots the runtime and runs every call. */
    private Thread self;
    /** The identity the first call switched to; every later call must have it. */
    private Identity servedIdentity;

    // Shared with the reader thread (see readCommands); call ids themselves stay in the call loop's locals.
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final AtomicReference<WorkerRuntime> booted = new AtomicReference<>();
    private final AtomicReference<String> running = new AtomicReference<>();
    private final AtomicBoolean timedOut = new AtomicBoolean();
    /** Timeouts (a cancel, too) for a call not running yet: read, or not yet taken from the queue. */
    private final Set<String> early = ConcurrentHashMap.newKeySet();

    private WorkerProcessMain() {
    }

    /** Never returns: the worker ends with {@link Runtime#halt}, so no user-registered hook can delay it. */
    public static void run(String[] args, RuntimeFactory factory) {
        // before anything touches jnr-ffi: jnr-posix would have every one of ~300 libc functions bound at start
        LazyBindingProvider.install();
        new WorkerProcessMain().serve(args, factory);
    }

    private void serve(String[] args, RuntimeFactory factory) {
        int pid = setUpProcess();
        if (pid < 0 || !boot(args, factory)) {
            return;
        }
        pipes.write(WorkerProtocol.ready(pid));
        while (true) {
            serveCall(takeUninterruptibly(commands), pid);
        }
    }

    /** Its own process group, its children's orphans, the listener's death, the pipes; its pid, or -1 if it halted. */
    private int setUpProcess() {
        try {
            int pid = Posix.getpid();
            detachFromListenerGroup();
            // Orphans of what calls start become this worker's children, not init's: the worker can find and
            // end them all, and while it lives the listener finds them in its tree.
            Posix.setChildSubreaper();
            // The listener's death ends this worker through its handler, which first ends what calls started;
            // SIGKILL would leave those to init.
            Signal.handle(new Signal("TERM"), signal -> exit(ProtocolPipes.EXIT_LISTENER_GONE));
            Posix.setParentDeathSignal(Posix.SIGTERM);
            pipes = ProtocolPipes.takeOverStdio();
            // The listener loaded the same procedures file and logged what it logs while loading; every
            // worker doing it again would repeat those records once per call.
            PythonLogBridge.routeTo((name, levelno, message, created, process) -> { });
            return pid;
        } catch (Throwable t) {
            // The pipes are still on fds 0/1: report there.
            byte[] line = WorkerProtocol.fatal("worker setup failed: " + describe(t));
            System.out.write(line, 0, line.length);
            System.out.flush();
            Runtime.getRuntime().halt(EXIT_FATAL);
            return -1;
        }
    }

    /**
     * Loads the runtime and the procedures file, warms the call path, starts the command reader and takes the
     * baseline; false if it failed (reported to the listener and the worker ended).
     */
    private boolean boot(String[] args, RuntimeFactory factory) {
        // One thread reads and parses commands for the worker's whole life: end of file means the listener is
        // gone, at any moment, also in the middle of a call, and nobody is left to answer to. Commands carry call
        // ids, which must stay out of reach of the procedures' code: the reader, its buffer and the parser's
        // per-thread buffers belong to that thread alone (a thread's runnable and thread-locals are the JDK's
        // private fields, closed to reflection), and the call loop keeps ids in locals.
        LineReader commandLines = pipes.commandReader();
        Thread reader = new Thread(() -> readCommands(commandLines, commands, booted, running, timedOut, early),
                "harpd-listener-watch");
        reader.setDaemon(true);
        self = Thread.currentThread();
        try {
            runtime = factory.create(WorkerArguments.parse(args));
            // the procedures file's module code runs here, once, as the listener's user (root), as the
            // original ran it once before forking for each call
            runtime.load();
            booted.set(runtime);
            openClassPathJars();
            CallPathWarmUp.run(runtime);
            routePythonLogsToListener(pipes);
            reader.start();
            // what every interpreter-level call starts from; a process-level worker never goes back to it,
            // but which level its first call has is not known yet
            runtime.checkpoint();
            baseline = ProcessBaseline.take(self);
            // booting freed megabytes of native memory (class parsing, compiler arenas) that glibc keeps
            Posix.trimNativeHeap();
            return true;
        } catch (Throwable t) {
            pipes.write(WorkerProtocol.fatal(describe(t)));
            exit(EXIT_FATAL);
            return false;
        }
    }

    /** One command of the loop: runs the call, then leaves, or puts the worker back and says it is ready. */
    private void serveCall(Command command, int pid) {
        if (command.call() == null) {
            pipes.write(WorkerProtocol.fatal("malformed command from the listener: " + command.problem()));
            exit(EXIT_FATAL);
            return;
        }
        WorkerProtocol.CallCommand call = command.call();
        String id = call.id();
        WireEmitter out = new WireEmitter(pipes::write, id);
        timedOut.set(false);
        running.set(id);
        WorkerProtocol.After after = runCall(call, out, pid);
        running.set(null);
        leaveIfProcessesRemain(id, after);
        if (after == WorkerProtocol.After.EXIT) {
            exit(0);
        }
        String dirty = putBack(after);
        if (dirty != null) {
            pipes.write(WorkerProtocol.tagged(id, WorkerProtocol.exiting(dirty)));
            exit(0);
        }
        pipes.write(WorkerProtocol.tagged(id, WorkerProtocol.ready(pid)));
    }

    /** Answers the call (a result or an error); gives what the worker does next, EXIT after a failure. */
    private WorkerProtocol.After runCall(WorkerProtocol.CallCommand call, WireEmitter out, int pid) {
        try {
            boolean timedOutBeforeStart = early.remove(call.id());
            early.clear(); // any other id is of a call that ended before its timeout came
            if (timedOutBeforeStart) {
                // its time was up (or its client gone) before it started: as the original's SIGXCPU at the
                // first line of the procedure
                out.error(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded"));
                return call.after(); // answered; the worker stays fit for the next call
            }
            List<String> changed = call.expected() == null
                    ? List.of("the listener sent no options for it")
                    : runtime.differences(call.procedure(), call.expected());
            if (!changed.isEmpty()) {
                // Nothing ran and no identity was taken: the worker stays fit for the calls it may still get.
                refuseChanged(pid, call.procedure(), changed, out);
                return call.after();
            }
            takeIdentity(call.identity());
            runtime.call(call.procedure(), call.arguments(), call.caller(), out);
            if (!out.finished()) {
                out.error(new HarpError(ErrorType.SYSTEM_ERROR, "procedure ended without a result"));
            }
            return call.after();
        } catch (IdentitySwitchException e) {
            out.error(new HarpError(ErrorType.SYSTEM_ERROR, e.getMessage()));
            return WorkerProtocol.After.EXIT;
        } catch (Throwable t) {
            out.error(new HarpError(ErrorType.SYSTEM_ERROR, "worker failed: " + describe(t)));
            return WorkerProtocol.After.EXIT; // state after an unexpected failure is not to be trusted
        }
    }

    /** The first call's identity becomes the worker's for good; a later call must have the same. */
    private void takeIdentity(Identity identity) throws IdentitySwitchException {
        if (servedIdentity == null) {
            IdentityResolver.switchTo(identity);
            Posix.setParentDeathSignal(Posix.SIGTERM); // the kernel clears it on a credential change
            servedIdentity = identity;
            baseline.recordIdentity();
        } else if (!servedIdentity.equals(identity)) {
            // The listener routes by identity; this is the last line of defence, and switching
            // again is impossible anyway once privileges are gone.
            throw new IdentitySwitchException("worker serves another identity");
        }
    }

    /**
     * What a call leaves running in the background (a service it started, `nohup ... &`) runs on after it, as
     * under the original, which forked per call. A worker that kept such processes would hand them to the next
     * call and end them with the daemon, so it leaves instead of serving again, and they go to init as the
     * original's did. A call that ran out of time does not get that: what it started ends with it, as when the
     * listener kills a worker that overstays its timeout.
     */
    private void leaveIfProcessesRemain(String id, WorkerProtocol.After after) {
        int processes = ProcessTree.runningDescendantsOfSelf();
        if (processes > 0) {
            if (after != WorkerProtocol.After.EXIT) {
                pipes.write(WorkerProtocol.tagged(id,
                        WorkerProtocol.exiting("the call left " + processes + " process(es) running")));
            }
            if (timedOut.get()) {
                exit(0);
            }
            leave(0);
        }
    }

    /** Back to the state the next call may start from; null, or why the worker cannot serve again. */
    private String putBack(WorkerProtocol.After after) {
        try {
            String dirty = runtime.afterCall();
            if (dirty == null && after == WorkerProtocol.After.RELOAD) {
                runtime.reset();
                return baseline.restore(self);
            } else if (dirty == null) {
                // module state is kept by design at this level; what no call may leave behind is checked
                return baseline.check(self);
            }
            return dirty;
        } catch (Throwable t) {
            return "cannot put the worker back as it was: " + describe(t);
        }
    }

    /** A parsed command for the call loop: a call, or why the line was not one. */
    private record Command(WorkerProtocol.CallCommand call, String problem) {
    }

    /**
     * The reader thread: a timeout goes at once to the call it names, if that call is running; a call is parsed
     * here and queued for the loop. End of file ends the worker.
     */
    private static void readCommands(LineReader lines, BlockingQueue<Command> commands,
                                     AtomicReference<WorkerRuntime> booted, AtomicReference<String> running,
                                     AtomicBoolean timedOut, Set<String> early) {
        byte[] line;
        while ((line = ProtocolPipes.readLine(lines)) != null) {
            JsonNode message;
            try {
                message = Json.MAPPER.readTree(line);
            } catch (IOException | RuntimeException e) {
                commands.add(new Command(null, describe(e)));
                continue;
            }
            if (message == null) {
                commands.add(new Command(null, "an empty line"));
                continue;
            }
            if (message.has(WorkerProtocol.TIMEOUT)) {
                String id = WorkerProtocol.parseTimeout(message);
                // for the call running now, not one to come: it does not wait in the queue
                if (id != null && id.equals(running.get())) {
                    try {
                        if (booted.get().timeout()) {
                            timedOut.set(true);
                        }
                    } catch (Throwable t) {
                        // the listener kills the worker when the grace is over; this thread must keep watching
                    }
                } else if (id != null) {
                    // the call it names is queued here, not started: it is answered when the loop takes it
                    early.add(id);
                }
                continue;
            }
            try {
                commands.add(new Command(WorkerProtocol.parseCall(message), null));
            } catch (RuntimeException e) {
                commands.add(new Command(null, describe(e)));
            }
        }
        exitAtEndOfCommands();
    }

    /**
     * The procedures file was edited since the listener read it: this worker loaded the new text, whose procedure
     * may name another user or differ in what the listener already acted on (the acknowledgement, the timeout,
     * the worker it picked). Running it under the identity the listener chose from the old text would run new
     * code as a user nobody named for it, so the call is refused; only a restart makes the listener read the file
     * again. The operator learns why from the log (the details stay out of the client's answer).
     */
    private void refuseChanged(int pid, String procedure, List<String> changed, WireEmitter out) {
        Map<String, Object> record = new TreeMap<>();
        record.put("message", "procedure changed in the procedures file since harpd started: restart harpd to serve it");
        record.put("procedure", procedure);
        record.put("problem", String.join("; ", changed));
        pipes.write(WorkerProtocol.log("harpd", PythonLevels.WARNING, Json.toLineString(record),
                System.currentTimeMillis() / 1e3, pid));
        ObjectNode data = Json.MAPPER.createObjectNode().put("procedure", procedure);
        out.error(new HarpError(ErrorType.PROCEDURE_LOADING_ERROR,
                "procedure changed since harpd started; harpd must be restarted to run it", data));
    }

    private static Command takeUninterruptibly(BlockingQueue<Command> commands) {
        while (true) {
            try {
                return commands.take();
            } catch (InterruptedException e) {
                // nothing interrupts this thread on purpose; keep waiting for the listener
            }
        }
    }

    /**
     * Python log records made here from now on (by the procedure, also after the switch to the call's user)
     * go to the listener, which owns the configured handlers; see {@link WorkerProtocol}.
     */
    private static void routePythonLogsToListener(ProtocolPipes pipes) {
        PythonLogBridge.routeTo((name, levelno, message, created, process) ->
                pipes.write(WorkerProtocol.log(name, levelno, message, created, process)));
    }

    /**
     * Lead a new process group, so the listener can kill this worker with everything it started.
     * EPERM means this process already leads a group (started by hand from a shell): fine as it is.
     */
    private static void detachFromListenerGroup() {
        try {
            Posix.setsid();
        } catch (PosixException e) {
            if (e.errno() != jnr.constants.platform.Errno.EPERM.intValue()) {
                throw e;
            }
        }
    }

    /**
     * Open every jar of the class path while still privileged: after the switch to the call's user, the class
     * loader may be unable to open them, while jars already open stay readable. Enumerating a resource every
     * jar has opens each jar in the class loader; connecting to it opens (and caches) the jar for the
     * {@code jar:} URLs that {@code getResource(...).openStream()} reads through. Nothing is read: reading an
     * entry of a signed jar (BouncyCastle's) verifies its signature and keeps the parsed manifest, one section
     * per class, heap and CPU at start in every worker for nothing it uses.
     */
    private static void openClassPathJars() throws IOException {
        Enumeration<URL> manifests = ClassLoader.getSystemResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            URLConnection connection = manifests.nextElement().openConnection();
            if (connection instanceof JarURLConnection jar) {
                jar.getJarFile();
            } else {
                connection.getInputStream().close();
            }
        }
    }

    /** Ends the worker, leaving what the last call started running. */
    private void leave(int status) {
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** The listener is gone: end what calls started and the worker (static: the reader holds no worker). */
    private static void exitAtEndOfCommands() {
        try {
            ProcessTree.endDescendantsOfSelf(DESCENDANT_GRACE_MS);
        } catch (Throwable t) {
            // ending anyway
        }
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Ends what calls started (see {@link ProcessTree#endDescendantsOfSelf}), then the worker. */
    private void exit(int status) {
        try {
            ProcessTree.endDescendantsOfSelf(DESCENDANT_GRACE_MS);
        } catch (Throwable t) {
            // ending anyway: the listener kills the worker's tree when it outlives its call
        }
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.toString() : message;
    }
}
