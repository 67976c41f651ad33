package org.harpd.pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.harpd.config.WorkersConfig;
import org.harpd.daemon.WorkingDirectory;
import org.harpd.logging.EventLog;
import org.harpd.logging.LoggingSetup;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import org.harpd.posix.ProcessTree;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.LineReader;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * The listener's view of one worker process: BOOTING → READY → BUSY → FINISHING → (READY again, when the call
 * said so and the worker came back) … → DEAD (any state → DEAD when the process ends). One reader thread per
 * worker turns its output lines into state changes and call output; the {@link Events} it reports to (the
 * pool) decide what happens next. A worker serves calls bound as its first call only ({@link #binding()}).
 */
final class Worker {
    private static final EventLog LOG = EventLog.get("harpd.worker");

    enum State { BOOTING, READY, BUSY, FINISHING, DEAD }

    /** Called from the worker's reader thread, never with the worker's lock held. */
    interface Events {
        void ready(Worker worker);

        void bootFailed(Worker worker, String message);

        void callFinished(Worker worker);

        void exited(Worker worker, int status, State lastState);
    }

    private final Process process;
    private final long pid;
    private final OutputStream commands;
    private final Events events;
    private final Thread reader;
    private State state = State.BOOTING;
    private PooledCall call;
    /** The id of {@link #call}, from its start until the worker is ready again or gone. */
    private String callId;
    /** The call's timeout, armed until the worker is done with the call (ready again, or gone). */
    private Future<?> callTimer;
    /** The worker broke the pipe protocol and is being killed: nothing more it says counts. */
    private boolean violated;
    private String bootFailure;
    private WorkerBinding binding;
    private int callsStarted;
    private WorkerProtocol.After after = WorkerProtocol.After.EXIT;
    /** Reads of the worker's output: a pipe holds 64 KiB, so one read takes what a full pipe has. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    /** Set before the reader starts, read by it only. */
    private int maxLineBytes = WorkersConfig.DEFAULT_MAX_RESULT_SIZE;

    private Worker(Process process, Events events) {
        this.process = process;
        this.pid = process.pid();
        this.commands = process.getOutputStream();
        this.events = events;
        this.reader = new Thread(this::readUntilExit, "harpd-worker-" + pid);
        this.reader.setDaemon(true);
    }

    /** Start the process; call {@link #startReading()} once the caller is ready for its events. */
    static Worker spawn(WorkerCommand command, Events events) throws IOException {
        // from /, never from wherever the listener was started: the worker runs Jython as root
        Process process = new ProcessBuilder(command.commandLine()).directory(WorkingDirectory.ROOT.toFile()).start();
        WorkerOutput.follow(process);
        return new Worker(process, events);
    }

    /**
     * The longest line, newline included, this worker may send; a longer one gets it killed (and its call failed)
     * rather than buffered: the listener is root and serves every client, a worker is one procedure's.
     * Only before {@link #startReading()}.
     */
    void limitLineLength(int bytes) {
        if (bytes < 2) {
            throw new IllegalArgumentException("a line needs at least 2 bytes, got " + bytes);
        }
        maxLineBytes = bytes;
    }

    void startReading() {
        reader.start();
    }

    long pid() {
        return pid;
    }

    synchronized State state() {
        return state;
    }

    /** Whom and how this worker serves: null until it is given its first call, that call's from then on. */
    synchronized WorkerBinding binding() {
        return binding;
    }

    /** Take on the binding of the first call; later calls must have the same. */
    synchronized void bind(WorkerBinding callBinding) {
        if (binding == null) {
            binding = callBinding;
        } else if (!binding.equals(callBinding)) {
            throw new IllegalStateException("worker " + pid + " serves " + binding + ", not " + callBinding);
        }
    }

    /** Calls given to this worker so far, the current one included. */
    synchronized int callsStarted() {
        return callsStarted;
    }

    /** Whether the worker will report ready again after its current (or last) call. */
    synchronized boolean comesBack() {
        return after != WorkerProtocol.After.EXIT;
    }

    /**
     * READY → BUSY with {@code call}, then send it the call and what to do after it; a worker that died
     * meanwhile fails the call.
     */
    void begin(PooledCall call, WorkerProtocol.After afterCall) {
        synchronized (this) {
            if (state != State.READY) {
                // It died between being picked and being given the call.
                call.fail(new HarpError(ErrorType.SYSTEM_ERROR, "worker process died",
                        Json.MAPPER.createObjectNode().put("pid", pid)));
                return;
            }
            state = State.BUSY;
            this.call = call;
            this.callId = WorkerProtocol.newCallId();
            this.after = afterCall;
            callsStarted++;
        }
        CallJob job = call.job();
        try {
            synchronized (commands) {
                commands.write(WorkerProtocol.call(callId(), job.procedure().name(), job.arguments(), job.identity(),
                        afterCall, ProcedureOptions.of(job.procedure()), job.caller()));
                commands.flush();
            }
        } catch (IOException e) {
            // The process is gone or going; its end of output reports the call as failed.
            kill();
        }
    }

    private synchronized String callId() {
        return callId;
    }

    /**
     * Whether the worker is still on {@code which}: running it, or answered and not yet ready again. A worker's
     * answer is its own say-so; only its {@code ready} (or its death) ends the call for the pool's timers.
     */
    synchronized boolean isOn(PooledCall which) {
        return call == which && (state == State.BUSY || state == State.FINISHING);
    }

    /** Arm {@code which}'s timeout, cancelled when the worker is ready again or gone. */
    void armCallTimer(PooledCall which, Future<?> timer) {
        synchronized (this) {
            if (isOn(which)) {
                callTimer = timer;
                return;
            }
        }
        timer.cancel(false);
    }

    /** Under the lock: the worker is done with its call. */
    private void disarmCallTimer() {
        if (callTimer != null) {
            callTimer.cancel(false);
            callTimer = null;
        }
    }

    /**
     * Tell the worker that {@code timedOut}'s time is up, if it is still on that call (an answer it gave does not
     * count: the code it runs may have sent it early).
     *
     * @return whether it was, and was told
     */
    boolean signalTimeout(PooledCall timedOut) {
        String id;
        synchronized (this) {
            if (!isOn(timedOut)) {
                return false;
            }
            id = callId;
        }
        try {
            synchronized (commands) {
                commands.write(WorkerProtocol.timeout(id));
                commands.flush();
            }
            return true;
        } catch (IOException e) {
            // The process is gone or going; its end of output reports the call as failed.
            kill();
            return false;
        }
    }

    /**
     * SIGKILL every process below the worker, leaving the worker itself running (see
     * {@link ProcessTree#killDescendants}): what its call started, for a call that is being stopped.
     *
     * @return false when that was not possible (the worker is gone, or kept starting processes); the caller kills
     *     the worker instead
     */
    boolean killDescendants() {
        try {
            // only while the process is not yet reaped: until then its pid cannot name another process
            return process.isAlive() && ProcessTree.killDescendants(pid);
        } catch (PosixException e) {
            LOG.warn("cannot kill worker's descendants", "pid", pid, "error", e.getMessage());
            return false;
        }
    }

    /**
     * Let an idle worker go: closing its command pipe makes it exit by itself. Only for a worker the caller has
     * taken out of circulation, so no call can be on its way to it.
     */
    void retire() {
        synchronized (this) {
            after = WorkerProtocol.After.EXIT;
        }
        try {
            commands.close();
        } catch (IOException e) {
            kill();
        }
    }

    /** Give up on a worker that is still booting: it is killed and reported as failed with {@code why}. */
    void abandonBoot(String why) {
        synchronized (this) {
            if (state != State.BOOTING) {
                return;
            }
            if (bootFailure == null) {
                bootFailure = why;
            }
        }
        kill();
    }

    /** End the current call, if any, with {@code error} (before killing the worker). */
    void failCall(HarpError error) {
        PooledCall current;
        synchronized (this) {
            current = call;
        }
        if (current != null) {
            current.fail(error);
        }
    }

    /**
     * SIGKILL the worker and everything below it: its process tree (stopped first, so nothing in it forks away
     * meanwhile; a descendant may have left the worker's process group and session), then its process group.
     * The worker is a child subreaper, so the tree holds also what orphaned processes its calls started. Only
     * while the process is not yet reaped: until then its pid cannot name another process.
     */
    void kill() {
        synchronized (this) {
            after = WorkerProtocol.After.EXIT;
        }
        try {
            if (process.isAlive()) {
                ProcessTree.killTree(pid);
            }
        } catch (PosixException e) {
            LOG.warn("cannot kill worker's descendants", "pid", pid, "error", e.getMessage());
        }
        try {
            Posix.kill(-pid, Posix.SIGKILL);
        } catch (PosixException e) {
            LOG.warn("cannot kill worker process group", "pid", pid, "error", e.getMessage());
        }
        process.destroyForcibly();
    }

    /** @return true when the process was reaped and its reader is done within {@code timeout} */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !reader.isAlive();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void readUntilExit() {
        try (InputStream in = process.getInputStream()) {
            // the limit is on messages; a call's are framed with its id (see "Call ids" in WorkerProtocol)
            LineReader lines = new LineReader(in, maxLineBytes + WorkerProtocol.CALL_ID_CHARS + 1, READ_BUFFER_BYTES);
            try {
                byte[] line;
                while ((line = lines.next()) != null) {
                    handle(line);
                }
            } catch (LineReader.LineTooLongException e) {
                lineTooLong();
                lines.drain(); // until the killed process's end of output; its exit is reported below
            }
        } catch (IOException e) {
            // A broken pipe is an end like any other; the exit status tells the rest.
        }
        int status = waitForExit();
        State last;
        PooledCall current;
        String failure;
        synchronized (this) {
            last = state;
            current = call;
            failure = bootFailure;
            state = State.DEAD;
            disarmCallTimer();
        }
        try {
            commands.close();
        } catch (IOException ignored) {
            // nothing left to tell it
        }
        if (last == State.BOOTING) {
            events.bootFailed(this, failure != null ? failure
                    : "worker exited with status " + status + " before it was ready");
        }
        // The pool learns of the exit before the client does, so a retry finds the slot free.
        events.exited(this, status, last);
        if (last == State.BUSY && current != null) {
            current.fail(new HarpError(ErrorType.SYSTEM_ERROR, "worker process died",
                    Json.MAPPER.createObjectNode().put("exit_status", status).put("pid", pid)));
        }
    }

    /**
     * One line from the worker, checked against the state it is in and the call in flight (see "Call ids" in
     * {@link WorkerProtocol}): the worker's process runs procedures' code, so a line that does not fit is a
     * worker that cannot be trusted with another call, and no client may get a line made for another call.
     */
    private void handle(byte[] line) {
        WorkerProtocol.Frame frame = WorkerProtocol.frame(line);
        String kind = frame.kind();
        if (frame.callId() == null && WorkerProtocol.LOG.equals(kind)) {
            forwardLog(line);
            return;
        }
        State current;
        PooledCall running;
        String expected;
        synchronized (this) {
            if (violated) {
                return;
            }
            current = state;
            running = call;
            expected = callId;
        }
        String problem;
        if (frame.callId() == null) {
            if (current == State.BOOTING && WorkerProtocol.READY.equals(kind)) {
                synchronized (this) {
                    if (state == State.BOOTING) {
                        state = State.READY;
                    }
                }
                events.ready(this);
                return;
            }
            if (current == State.BOOTING && WorkerProtocol.FATAL.equals(kind)) {
                synchronized (this) {
                    bootFailure = fatalMessage(line);
                }
                return;
            }
            problem = "a message outside any call";
        } else if (current != State.BUSY && current != State.FINISHING) {
            problem = "a call's message while no call is in flight";
        } else if (!frame.callId().equals(expected)) {
            problem = "a message for another call";
        } else if (current == State.BUSY) {
            if (WorkerProtocol.STREAM.equals(kind)) {
                running.stream(frame.message());
                return;
            }
            if (isFinal(kind)) {
                synchronized (this) {
                    if (state == State.BUSY) {
                        state = State.FINISHING;
                    }
                }
                events.callFinished(this); // slot first, so a client retrying at once finds it coming free
                running.complete(frame.message());
                return;
            }
            problem = WorkerProtocol.READY.equals(kind) ? "ready before the call's final message"
                    : "an unexpected message during a call";
        } else if (WorkerProtocol.READY.equals(kind) && comesBack()) {
            synchronized (this) {
                if (state == State.FINISHING) {
                    state = State.READY;
                    call = null;
                    callId = null;
                    disarmCallTimer();
                }
            }
            events.ready(this);
            return;
        } else if (WorkerProtocol.EXITING.equals(kind)) {
            LOG.warn("worker exits instead of serving more calls", "pid", pid,
                    "reason", WorkerProtocol.parseExiting(frame.message()));
            return;
        } else {
            problem = isFinal(kind) ? "a second final message for a call"
                    : WorkerProtocol.STREAM.equals(kind) ? "a stream message after the call's final message"
                    : WorkerProtocol.READY.equals(kind) ? "ready after the call it was told to exit after"
                    : "an unexpected message after a call";
        }
        brokeProtocol(problem, kind, current, running);
    }

    /**
     * The worker sent what no honest worker sends: it is killed, and the call in flight, if not answered yet,
     * fails. Lines it sends until it is gone are dropped.
     */
    private void brokeProtocol(String problem, String kind, State current, PooledCall running) {
        synchronized (this) {
            if (violated) {
                return;
            }
            violated = true;
        }
        LOG.error("worker broke the pipe protocol, killing it", "pid", pid, "problem", problem,
                "kind", String.valueOf(kind), "state", current.name(),
                "procedure", running == null ? null : running.job().procedure().name());
        if (running != null) {
            running.fail(new HarpError(ErrorType.SYSTEM_ERROR, "worker broke the protocol",
                    Json.MAPPER.createObjectNode().put("pid", pid)));
        }
        kill();
    }

    /** The worker sent more than {@link #maxLineBytes} without a newline: its call fails and it is killed. */
    private void lineTooLong() {
        State current;
        PooledCall running;
        synchronized (this) {
            current = state;
            running = call;
            if (current == State.BOOTING && bootFailure == null) {
                bootFailure = "worker sent a message longer than " + maxLineBytes + " bytes";
            }
        }
        String procedure = running == null ? null : running.job().procedure().name();
        LOG.error("worker message longer than workers.max_result_size, killing the worker", "pid", pid,
                "procedure", procedure, "max_result_size", maxLineBytes, "state", current.name());
        if (running != null) {
            running.fail(new HarpError(ErrorType.SYSTEM_ERROR, "result too large: the procedure sent a message"
                    + " longer than " + maxLineBytes + " bytes",
                    Json.MAPPER.createObjectNode().put("max_result_size", maxLineBytes)));
        }
        kill();
    }

    /** A Python log record made in the worker goes to the listener's handlers, in any state. */
    private void forwardLog(byte[] line) {
        WorkerProtocol.LogRecord record = WorkerProtocol.parseLog(line);
        if (record == null) {
            LOG.warn("malformed log message from worker", "pid", pid);
        } else {
            LoggingSetup.forwardFromWorker(record.name(), record.levelno(), record.msg(), pid);
        }
    }

    private static boolean isFinal(String kind) {
        return WorkerProtocol.RESULT.equals(kind) || WorkerProtocol.EXCEPTION.equals(kind)
                || WorkerProtocol.ERROR.equals(kind);
    }

    private static String fatalMessage(byte[] line) {
        String message = WorkerProtocol.parseFatal(line);
        return message == null ? "worker failed to start" : message;
    }

    private int waitForExit() {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // only close() interrupts nothing here; keep waiting for the reaper
            }
        }
    }

    @Override
    public String toString() {
        return "worker " + pid;
    }
}
