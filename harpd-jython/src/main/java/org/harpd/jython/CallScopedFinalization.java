package org.harpd.jython;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.python.core.PyObject;
import org.python.core.finalization.FinalizeTrigger;
import org.python.core.finalization.FinalizeTriggerFactory;

/**
 * Python {@code __del__} methods of a reused worker, kept to the call that made their objects. Jython runs
 * {@code __del__} in the JVM's finalizer thread, whenever a collection finds the object: an object a call left
 * behind could otherwise run code in the middle of a later call (and leave a new such object each time). Under
 * CPython, and the original's fork per call, an object dies with its last reference or with the call's process.
 *
 * <p>Installed as Jython's finalize-trigger factory before the first call. Every trigger remembers the epoch it
 * was made in: each call is an epoch, and so is each gap between calls. A trigger found in its own call's
 * epoch runs at once, as before. One found later is kept and run by {@link #afterCall} on the worker's call
 * thread, between calls, when no call's data is in flight. An object whose {@code __del__} makes new finalizable
 * objects outside any call (one that revives itself), a factory replaced by a call, or a finalizer still running
 * when a call ends (the worker's thread check sees it) makes the worker retire.
 */
final class CallScopedFinalization implements FinalizeTriggerFactory {
    /** Epochs: even between calls, odd during a call. */
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong madeBetweenCalls = new AtomicLong();
    private final Queue<Scoped> late = new ConcurrentLinkedQueue<>();

    private CallScopedFinalization() {
    }

    /** Install a new instance as Jython's trigger factory; before the first call. */
    static CallScopedFinalization install() {
        CallScopedFinalization scoped = new CallScopedFinalization();
        setFactory(scoped);
        return scoped;
    }

    /** Jython's factory is one static field, set here only. */
    private static void setFactory(CallScopedFinalization scoped) {
        FinalizeTrigger.factory = scoped;
    }

    @Override
    public FinalizeTrigger makeTrigger(PyObject toFinalize) {
        long now = epoch.get();
        if (now % 2 == 0 && now > 0) {
            madeBetweenCalls.incrementAndGet();
        }
        return new Scoped(toFinalize, now);
    }

    void beginCall() {
        epoch.incrementAndGet();
    }

    void endCall() {
        epoch.incrementAndGet();
    }

    /**
     * Between calls, on the call thread: run the finalizers of objects that outlived their call.
     *
     * @return why the worker must not serve again, or null
     */
    String afterCall() {
        if (FinalizeTrigger.factory != this) {
            setFactory(this);
            return "the call replaced Python's finalizer factory";
        }
        for (Scoped trigger = late.poll(); trigger != null; trigger = late.poll()) {
            trigger.runNow();
        }
        long made = madeBetweenCalls.getAndSet(0);
        return made == 0 ? null : "finalizers made " + made + " new object(s) to finalize between calls";
    }

    /** A trigger that runs only in the epoch it was made in, and is kept for {@link #afterCall} otherwise. */
    private final class Scoped extends FinalizeTrigger {
        private final long born;

        Scoped(PyObject toFinalize, long born) {
            super(toFinalize);
            this.born = born;
        }

        @Override
        public void performFinalization() {
            // made while the procedures file loaded (epoch 0), or in the call still running: as Jython does
            if (born == 0 || born == epoch.get()) {
                super.performFinalization();
            } else {
                late.add(this);
            }
        }

        void runNow() {
            super.performFinalization();
        }
    }
}
