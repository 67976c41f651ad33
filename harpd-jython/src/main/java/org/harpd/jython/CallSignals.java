package org.harpd.jython;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.TimeUnit;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyFrame;
import org.python.core.PyObject;
import org.python.core.ThreadState;
import org.python.core.TraceFunction;

/**
 * Python signal handlers run in the thread running the call, between two lines of its Python code, as CPython
 * runs them in its main thread between bytecodes: an exception a handler raises surfaces in the procedure, where
 * {@code try}/{@code finally} and {@code except} see it. Jython's own {@code signal} module runs handlers in the
 * JVM's signal thread instead, where an exception only ends that thread.
 *
 * <p>A signal is <em>delivered</em> from any thread (the listener's timeout command, an alarm timer, an operating
 * system signal): it is queued, and the call's thread gets a trace function on every frame of its stack. Jython's
 * compiled code consults the frame's trace function at every line; at the next line the trace function removes
 * itself and runs the queued signals' handlers through harpd's {@code signal} module. {@code time.sleep} and
 * {@code signal.pause} of the call's thread wait on this class's monitor and wake up for a delivered signal,
 * as CPython's wake up with EINTR; Java code running long (a blocking read) is not interrupted: the thread is
 * never {@link Thread#interrupt interrupted}, which would close the Java channel it may be reading.
 *
 * <p>One interpreter per worker process, so the state is static; calls run one at a time.
 */
public final class CallSignals {
    /** Linux's numbers, as Python's {@code signal} module has them. */
    public static final int SIGALRM = 14;
    public static final int SIGXCPU = 24;

    private static final Object LOCK = new Object();
    private static final ArrayDeque<Integer> PENDING = new ArrayDeque<>();
    /** The thread running the current call, and its Jython state; null between calls. */
    private static Thread target;
    private static ThreadState targetState;
    private static Tracer armed;
    /** harpd's {@code signal._deliver(signum, frame)}: runs the Python action for a signal. */
    private static PyObject dispatcher;
    private static Timer timer;
    private static TimerTask alarm;
    private static long alarmDueNanos;
    private static long alarmIntervalNanos;

    private CallSignals() {
    }

    /**
     * Called once at start, before the worker's threads are recorded: the timer's thread is the worker's own,
     * not one a call left running.
     */
    static void start() {
        synchronized (LOCK) {
            if (timer == null) {
                timer = new Timer("harpd-signal-timer", true);
            }
        }
    }

    /** harpd's {@code signal} module registers the function that runs a signal's Python action. */
    public static void setDispatcher(PyObject function) {
        synchronized (LOCK) {
            dispatcher = function;
        }
    }

    /** The current thread runs a call from now on: signals delivered go to it. */
    static void beginCall() {
        synchronized (LOCK) {
            target = Thread.currentThread();
            targetState = Py.getThreadState();
            PENDING.clear();
        }
    }

    /**
     * The call is over (in its thread): what it left pending or scheduled is dropped, as the original's process
     * for the call ended with it.
     */
    static void endCall() {
        synchronized (LOCK) {
            disarm();
            cancelAlarm();
            PENDING.clear();
            target = null;
            targetState = null;
        }
    }

    /**
     * Queue {@code signum} for the running call and have its thread run the handler at its next line of Python,
     * or wake it from {@code time.sleep}/{@code signal.pause}.
     *
     * @return false when no call runs (the signal is dropped)
     */
    public static boolean deliver(int signum) {
        synchronized (LOCK) {
            if (target == null) {
                return false;
            }
            PENDING.add(signum);
            arm();
            LOCK.notifyAll();
            return true;
        }
    }

    /** {@code time.sleep}: in the call's thread it ends early for a signal, whose handler runs before it returns. */
    public static void sleep(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            throw Py.IOError("Invalid argument");
        }
        if (seconds == 0) {
            Thread.yield();
            return;
        }
        long nanos = seconds >= Long.MAX_VALUE / 1e9 ? Long.MAX_VALUE : (long) (seconds * 1e9);
        try {
            if (!isCallThread()) {
                TimeUnit.NANOSECONDS.sleep(nanos);
                return;
            }
            if (!await(nanos)) {
                return;
            }
        } catch (InterruptedException e) {
            throw new PyException(Py.KeyboardInterrupt, "interrupted sleep");
        }
        runPending(Py.getFrame());
    }

    private static boolean isCallThread() {
        synchronized (LOCK) {
            return Thread.currentThread() == target;
        }
    }

    /**
     * Waits until {@code nanos} have passed or a signal is pending for the call's thread.
     *
     * @return whether a signal is pending
     */
    private static boolean await(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (LOCK) {
            while (PENDING.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(LOCK, left);
            }
            return true;
        }
    }

    /**
     * Runs the handlers of the signals queued for the call (in its thread). A handler's exception propagates;
     * the signals after it stay queued for the next line, as CPython leaves them tripped.
     */
    static void runPending(PyFrame frame) {
        ArrayDeque<Integer> signals;
        PyObject function;
        synchronized (LOCK) {
            signals = new ArrayDeque<>(PENDING);
            PENDING.clear();
            disarm();
            function = dispatcher;
        }
        while (!signals.isEmpty()) {
            int signum = signals.poll();
            if (function == null) {
                continue;
            }
            try {
                function.__call__(Py.newInteger(signum), frame == null ? Py.None : frame);
            } catch (RuntimeException | Error e) {
                if (!signals.isEmpty()) {
                    synchronized (LOCK) {
                        signals.addAll(PENDING);
                        PENDING.clear();
                        PENDING.addAll(signals);
                        arm();
                    }
                }
                throw e;
            }
        }
    }

    /** {@code signal.pause()}: waits for a signal, runs its handler, returns. */
    public static void pause() {
        if (!isCallThread()) {
            throw Py.ValueError("signal.pause() only works in the thread running the call");
        }
        try {
            await(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            throw new PyException(Py.KeyboardInterrupt, "interrupted pause");
        }
        runPending(Py.getFrame());
    }

    /**
     * {@code setitimer(ITIMER_REAL, ...)}: SIGALRM to the call after {@code delay} seconds, then every
     * {@code interval} seconds if that is more than 0; a delay of 0 cancels.
     *
     * @return the previous timer's {@code [remaining, interval]} in seconds
     */
    public static double[] setAlarm(double delay, double interval) {
        synchronized (LOCK) {
            double[] previous = alarmState();
            cancelAlarm();
            if (delay > 0) {
                long delayNanos = Math.max(1, (long) (delay * 1e9));
                alarmIntervalNanos = interval > 0 ? Math.max(1_000_000, (long) (interval * 1e9)) : 0;
                alarmDueNanos = System.nanoTime() + delayNanos;
                alarm = new TimerTask() {
                    @Override
                    public void run() {
                        synchronized (LOCK) {
                            if (alarm != this) {
                                return;
                            }
                            if (alarmIntervalNanos > 0) {
                                alarmDueNanos = System.nanoTime() + alarmIntervalNanos;
                            } else {
                                alarm = null;
                            }
                        }
                        deliver(SIGALRM);
                    }
                };
                long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos));
                if (alarmIntervalNanos > 0) {
                    timer.scheduleAtFixedRate(alarm, delayMs,
                            Math.max(1, TimeUnit.NANOSECONDS.toMillis(alarmIntervalNanos)));
                } else {
                    timer.schedule(alarm, delayMs);
                }
            }
            return previous;
        }
    }

    /** {@code getitimer(ITIMER_REAL)}: {@code [remaining, interval]} in seconds, zeros when none is set. */
    public static double[] getAlarm() {
        synchronized (LOCK) {
            return alarmState();
        }
    }

    private static double[] alarmState() {
        if (alarm == null) {
            return new double[] {0, 0};
        }
        long left = Math.max(0, alarmDueNanos - System.nanoTime());
        return new double[] {left / 1e9, alarmIntervalNanos / 1e9};
    }

    private static void cancelAlarm() {
        if (alarm != null) {
            alarm.cancel();
            alarm = null;
            alarmIntervalNanos = 0;
        }
        if (timer != null) {
            timer.purge();
        }
    }

    /** Puts a tracer on every frame of the call's stack and on frames it enters; under {@link #LOCK}. */
    private static void arm() {
        if (armed != null || targetState == null) {
            return;
        }
        Tracer tracer = new Tracer(targetState.tracefunc);
        armed = tracer;
        targetState.tracefunc = tracer;
        for (PyFrame frame = targetState.frame; frame != null; frame = frame.f_back) {
            tracer.saved.put(frame, frame.tracefunc);
            frame.tracefunc = tracer;
        }
    }

    /** Puts back the trace functions {@link #arm} replaced; under {@link #LOCK}. */
    private static void disarm() {
        Tracer tracer = armed;
        if (tracer == null) {
            return;
        }
        armed = null;
        if (targetState != null) {
            if (targetState.tracefunc == tracer) {
                targetState.tracefunc = tracer.previous;
            }
            for (PyFrame frame = targetState.frame; frame != null; frame = frame.f_back) {
                if (frame.tracefunc == tracer) {
                    frame.tracefunc = tracer.saved.get(frame);
                }
            }
        }
    }

    /** Whether a tracer is still on the call's thread; for tests. */
    static boolean armed() {
        synchronized (LOCK) {
            return armed != null;
        }
    }

    /**
     * Runs the pending handlers at the first line event in the call's thread, and otherwise passes events on to
     * the trace function (a debugger's, {@code sys.settrace}'s) it stands in for.
     */
    private static final class Tracer extends TraceFunction {
        final TraceFunction previous;
        final Map<PyFrame, TraceFunction> saved = new IdentityHashMap<>();

        Tracer(TraceFunction previous) {
            this.previous = previous;
        }

        private TraceFunction savedFor(PyFrame frame) {
            synchronized (LOCK) {
                return saved.get(frame);
            }
        }

        @Override
        public TraceFunction traceCall(PyFrame frame) {
            TraceFunction own = previous == null ? null : previous.traceCall(frame);
            synchronized (LOCK) {
                saved.put(frame, own);
            }
            return this;
        }

        @Override
        public TraceFunction traceLine(PyFrame frame, int line) {
            boolean live;
            synchronized (LOCK) {
                live = armed == this && Thread.currentThread() == target;
            }
            TraceFunction before = savedFor(frame);
            if (!live) {
                return before == null ? null : before.traceLine(frame, line);
            }
            runPending(frame);
            return before == null ? null : before.traceLine(frame, line);
        }

        @Override
        public TraceFunction traceReturn(PyFrame frame, PyObject ret) {
            TraceFunction before = savedFor(frame);
            if (before != null) {
                before.traceReturn(frame, ret);
            }
            return this;
        }

        @Override
        public TraceFunction traceException(PyFrame frame, PyException exc) {
            TraceFunction before = savedFor(frame);
            if (before != null) {
                before.traceException(frame, exc);
            }
            return this;
        }
    }
}
