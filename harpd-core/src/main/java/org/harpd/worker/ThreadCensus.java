package org.harpd.worker;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every thread of the worker process, counted two ways: the Java threads the JVM knows of (from every thread
 * group, not only the call's: a call can reach the root group and start a thread there) and the kernel's tasks in
 * {@code /proc/self/task} (a thread started natively, through libc, has no Java object). Taken once at boot, as
 * the worker's own threads; after a call, {@link #strangers} says which threads are not the worker's own.
 *
 * <p>What is the worker's own: the threads alive at boot, provided none of the JVM's is running Python code at
 * the check (a Python {@code __del__} runs in the JVM's finalizer thread);
 * and the JDK's process reaper threads, which the JDK starts for subprocesses and keeps idle for a while, provided
 * their stack holds JDK frames only. The JVM's hidden threads (the VM thread, compiler threads) have no Java
 * object: the difference between the kernel's count and the Java count is recorded at boot and must stay the
 * same, which holds while compiler threads are not added and removed on the fly
 * ({@code -XX:-UseDynamicNumberOfCompilerThreads}, see the worker's JVM options).
 */
final class ThreadCensus {
    /** How long new threads a call started may take to end after it returned (helpers copying a child's output). */
    private static final long THREAD_GRACE_MS = 1_000;
    /** Tries to see both counts agree, for a thread that is starting or ending between the two readings. */
    private static final int COUNT_TRIES = 20;

    private final Set<Thread> own = Collections.newSetFromMap(new IdentityHashMap<>());
    private final int hidden;

    private ThreadCensus() {
        int tries = 0;
        int difference;
        do {
            Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
            own.clear();
            own.addAll(all.keySet());
            difference = tasks() - all.size();
        } while (difference != stableDifference() && ++tries < COUNT_TRIES);
        hidden = difference;
    }

    private int stableDifference() {
        return tasks() - Thread.getAllStackTraces().size();
    }

    static ThreadCensus take() {
        return new ThreadCensus();
    }

    /**
     * Threads that are not the worker's own, after new ones had {@link #THREAD_GRACE_MS} to end; {@code self}, the
     * thread that runs calls, is the worker's own whatever it runs.
     *
     * @return what is wrong, one entry per finding; empty when every thread is the worker's own
     */
    List<String> strangers(Thread self) {
        long deadline = System.nanoTime() + THREAD_GRACE_MS * 1_000_000;
        List<String> found = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            found.clear();
            Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
            List<Thread> waitFor = new ArrayList<>();
            for (Map.Entry<Thread, StackTraceElement[]> entry : all.entrySet()) {
                Thread thread = entry.getKey();
                if (thread == self) {
                    continue;
                }
                if (own.contains(thread)) {
                    // The JVM's own threads run Python only for a call (a finalizer, a handler it installed);
                    // threads of the worker's thread group may be the procedures file's, which run on by design.
                    if (thread.getThreadGroup() != self.getThreadGroup() && runsPython(entry.getValue())) {
                        found.add("the worker's thread \"" + thread.getName() + "\" runs Python code");
                    }
                } else if (!isIdleProcessReaper(thread, entry.getValue())) {
                    waitFor.add(thread);
                    found.add("the call left thread \"" + thread.getName() + "\" running");
                }
            }
            int unknown = tasks() - all.size() - hidden;
            if (unknown > 0) {
                found.add("the call left " + unknown + " thread(s) the JVM does not know of");
            }
            if (found.isEmpty() || System.nanoTime() > deadline || attempt > COUNT_TRIES && waitFor.isEmpty()) {
                return found;
            }
            // a thread on its way out, or counted between its start and its Java object's
            for (Thread thread : waitFor) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left > 0) {
                    try {
                        thread.join(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return found;
                    }
                }
            }
            if (waitFor.isEmpty()) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    /** A class of Jython's runtime or of compiled Python code ({@code module$py}, {@code ...$py$...}). */
    static boolean runsPython(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (type.startsWith("org.python.") || type.contains("$py")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JDK's reaper threads wait for subprocesses and stay idle for a minute after; one is the JDK's only if it
     * lives in the root group, as a daemon, and only JDK code is on its stack, a pool's. One that looks the same but belongs
     * to a pool of the call's making can run code only when given a task, which takes a thread of the call's that
     * is still alive (and found here) or a finalizer of the worker's running Python (found here too).
     */
    static boolean isIdleProcessReaper(Thread thread, StackTraceElement[] stack) {
        if (!"process reaper".equals(thread.getName()) || !thread.isDaemon()) {
            return false;
        }
        ThreadGroup group = thread.getThreadGroup();
        if (group == null || group.getParent() != null) {
            return false;
        }
        boolean pooled = false;
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (!(type.startsWith("java.") || type.startsWith("jdk.internal.") || type.startsWith("sun."))) {
                return false;
            }
            pooled |= type.equals("java.util.concurrent.ThreadPoolExecutor");
        }
        // an empty stack is a thread not started yet, running anything
        return pooled;
    }

    private static int tasks() {
        String[] names = new File("/proc/self/task").list();
        return names == null ? 0 : names.length;
    }
}
