package org.harpd.worker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process-wide state of a worker that a call can change and a fork's child would have taken with it: file
 * mode creation mask, resource limits, working directory, signal dispositions, open file descriptors and
 * threads. Recorded once, after the worker booted; {@link #restore} puts back what can be put back and says
 * what cannot, in which case the worker must not serve another call.
 *
 * <p>Environment variables need no entry here: Jython keeps them in {@code os.environ} only (its {@code putenv}
 * writes there, and child processes get {@code os.environ}), which the interpreter snapshot restores.
 */
final class ProcessBaseline {
    /** Linux's RLIMIT_CPU .. RLIMIT_RTTIME. */
    private static final int RLIMITS = 16;
    /**
     * Signals a procedure may handle through Python's {@code signal} module (the JVM refuses the ones it uses
     * itself, such as SEGV and QUIT, and KILL and STOP cannot be handled).
     */
    private static final List<String> SIGNALS = List.of("HUP", "INT", "TERM", "USR1", "USR2", "ALRM", "CHLD",
            "CONT", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "PIPE",
            "SYS", "TRAP", "ABRT");
    /**
     * How long threads a call started may take to finish after it returned: helpers that copy a child process's
     * output end soon after the child, later on a busy machine. Waited for only while such a thread is alive,
     * after the answer has gone out.
     */
    private static final long THREAD_GRACE_MS = 1_000;
    /** How long a descriptor the call did not open may stay open: the JVM's own reads of a file take less. */
    private static final long TRANSIENT_MS = 20;

    private final int umask;
    private final long[][] limits = new long[RLIMITS][];
    private final String workingDirectory;
    private final Map<Signal, SignalHandler> handlers = new LinkedHashMap<>();
    private final Map<Integer, FileId> descriptors = new HashMap<>();
    private final Set<Thread> threads = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ThreadGroup callThreads;
    /** Recorded once the worker has taken on the identity it serves: see {@link #recordIdentity}. */
    private int[] identity;
    private int[] groups;

    private ProcessBaseline() {
        umask = readUmask();
        for (int resource = 0; resource < RLIMITS; resource++) {
            try {
                limits[resource] = Posix.getrlimit(resource);
            } catch (PosixException e) {
                limits[resource] = null; // not on this kernel
            }
        }
        workingDirectory = Posix.getcwd();
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                // the JVM tells a signal's handler only by replacing it: swap and swap back
                SignalHandler current = Signal.handle(signal, SignalHandler.SIG_DFL);
                Signal.handle(signal, current);
                handlers.put(signal, current);
            } catch (IllegalArgumentException reservedOrUnknown) {
                // the JVM keeps it: no procedure can change it either
            }
        }
        for (int fd : openDescriptors()) {
            long[] stat = Posix.fstat(fd);
            if (stat != null) { // the listing's own descriptor shows in it and is closed by now
                descriptors.put(fd, new FileId(stat[0], stat[1]));
            }
        }
        callThreads = Thread.currentThread().getThreadGroup();
        threads.addAll(threadsIn(callThreads));
    }

    /**
     * Whether the call changed the process's user or group ids (real, effective, saved), supplementary groups,
     * session or process group, which a procedure running as root can do through os.setuid() and the like:
     * none can be put back for certain (a dropped root is gone), and the next call must not run with them.
     *
     * @return null when unchanged, else what changed
     */
    String identityChanged() {
        if (identity == null) {
            return null;
        }
        int[] now = Posix.identity();
        List<String> changed = new ArrayList<>();
        String[] names = {"uid", "euid", "saved uid", "gid", "egid", "saved gid", "session", "process group"};
        for (int i = 0; i < names.length; i++) {
            if (now[i] != identity[i]) {
                changed.add(names[i] + " " + Integer.toUnsignedString(identity[i]) + " -> "
                        + Integer.toUnsignedString(now[i]));
            }
        }
        if (!java.util.Arrays.equals(groups, sortedGroups())) {
            changed.add("supplementary groups");
        }
        return changed.isEmpty() ? null : "the call changed the process's " + String.join(", ", changed);
    }

    /** Records the identity the worker serves calls with; to be called after switching to it, before the call. */
    void recordIdentity() {
        identity = Posix.identity();
        groups = sortedGroups();
    }

    private static int[] sortedGroups() {
        int[] list = Posix.getgroups();
        java.util.Arrays.sort(list);
        return list;
    }

    /** The worker as it is now; to be taken after booting, before the first call. */
    static ProcessBaseline take() {
        return new ProcessBaseline();
    }

    /**
     * Puts back the mask, limits, working directory and signal handlers, then checks that the call left the
     * process's identity as it was, no file descriptor open and no thread running.
     *
     * @return null when the worker is as recorded; else why it is not, and must be replaced
     */
    String restore() {
        List<String> dirty = new ArrayList<>();
        Posix.umask(umask); // setting it is as cheap as reading it, which umask(2) does only by setting
        for (int resource = 0; resource < RLIMITS; resource++) {
            long[] saved = limits[resource];
            if (saved == null) {
                continue;
            }
            long[] now = Posix.getrlimit(resource);
            if (now[0] != saved[0] || now[1] != saved[1]) {
                try {
                    Posix.setrlimit(resource, saved[0], saved[1]);
                } catch (PosixException e) {
                    // a lowered hard limit cannot be raised again without privileges
                    dirty.add("resource limit " + resource + " lowered for good");
                }
            }
        }
        if (!workingDirectory.equals(Posix.getcwd())) {
            try {
                Posix.chdir(workingDirectory);
            } catch (PosixException e) {
                dirty.add("working directory cannot be restored");
            }
        }
        handlers.forEach(Signal::handle);
        String changed = identityChanged();
        if (changed != null) {
            dirty.add(changed);
        }
        int leftThreads = threadsLeftRunning();
        if (leftThreads > 0) {
            dirty.add("the call left " + leftThreads + " thread(s) running");
        }
        List<String> leftOpen = descriptorsLeftOpen();
        if (!leftOpen.isEmpty()) {
            dirty.add("the call left file descriptor(s) open: " + String.join(", ", leftOpen));
        }
        return dirty.isEmpty() ? null : String.join("; ", dirty);
    }

    private static int readUmask() {
        int mask = Posix.umask(022);
        Posix.umask(mask);
        return mask;
    }

    /**
     * Threads started since the baseline in the worker's own thread group (where Python's {@code threading}
     * creates them; the JVM's own helpers, such as the process reaper, live in the system group), given a
     * moment to end: a thread that has done its work may still be on its way out.
     */
    private int threadsLeftRunning() {
        long deadline = System.nanoTime() + THREAD_GRACE_MS * 1_000_000;
        int left = 0;
        for (Thread thread : threadsIn(callThreads)) {
            if (threads.contains(thread) || thread == Thread.currentThread()) {
                continue;
            }
            long wait = (deadline - System.nanoTime()) / 1_000_000;
            if (wait > 0) {
                try {
                    thread.join(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (thread.isAlive()) {
                left++;
            }
        }
        return left;
    }

    /**
     * The live threads of {@code group} and its subgroups. Enumerating thread groups, unlike
     * {@code Thread.getAllStackTraces}, does not stop every thread to walk its stack; this runs after every
     * call. The array has room to spare, so a full one means: look again.
     */
    static List<Thread> threadsIn(ThreadGroup group) {
        Thread[] found;
        int n;
        do {
            found = new Thread[group.activeCount() * 2 + 16];
            n = group.enumerate(found, true);
        } while (n == found.length);
        List<Thread> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (found[i].isAlive()) {
                list.add(found[i]);
            }
        }
        return list;
    }

    /**
     * Descriptors open now that were not open at the baseline, or that now refer to another file. Those the JVM
     * opens for itself on first use (its own files, the class path's jars, the random devices, its selectors'
     * event queues) stay open in any process once opened: they join the baseline instead of counting against
     * the call. Compared by device and inode ({@code fstat}), since a worker that gave up root cannot read the
     * links in its own {@code /proc/self/fd}.
     */
    private List<String> descriptorsLeftOpen() {
        Map<Integer, FileId> candidates = new HashMap<>();
        for (int fd : openDescriptors()) {
            long[] stat = Posix.fstat(fd);
            if (stat == null) {
                continue; // closed meanwhile (the listing's own descriptor, for one)
            }
            FileId id = new FileId(stat[0], stat[1]);
            if (id.equals(descriptors.get(fd))) {
                continue;
            }
            if (ownedByTheJvm(id, (int) stat[2])) {
                descriptors.put(fd, id);
            } else {
                candidates.put(fd, id);
            }
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        // The JVM's own threads open files for a moment (the compiler and collector read /proc and cgroup
        // files): only a descriptor still open a little later is the call's.
        try {
            Thread.sleep(TRANSIENT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> left = new ArrayList<>();
        candidates.forEach((fd, id) -> {
            long[] stat = Posix.fstat(fd);
            if (stat != null && id.equals(new FileId(stat[0], stat[1]))) {
                left.add(fd + " (" + kind((int) stat[2]) + ")");
            }
        });
        return left;
    }

    private record FileId(long device, long inode) {
    }

    private static final int S_IFMT = 0170000;

    private static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case 0140000 -> "socket";
            case 0120000 -> "symbolic link";
            case 0100000 -> "file";
            case 0060000 -> "block device";
            case 0040000 -> "directory";
            case 0020000 -> "character device";
            case 0010000 -> "pipe";
            default -> "anonymous inode";
        };
    }

    /** Files the JVM may open lazily and keep: its own installation, the class path, the random devices. */
    private static final Set<FileId> JVM_FILES = jvmFiles();

    private static Set<FileId> jvmFiles() {
        Set<FileId> files = new HashSet<>();
        List<String> paths = new ArrayList<>(List.of("/dev/random", "/dev/urandom"));
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                paths.add(entry);
            }
        }
        try (var walk = Files.walk(Paths.get(System.getProperty("java.home"), "lib"))) {
            walk.filter(Files::isRegularFile).forEach(path -> paths.add(path.toString()));
        } catch (IOException | UncheckedIOException e) {
            // without them, a JDK file opened lazily makes one worker exit early: safe, and said in the log
        }
        for (String path : paths) {
            long[] stat = Posix.stat(path);
            if (stat != null) {
                files.add(new FileId(stat[0], stat[1]));
            }
        }
        return files;
    }

    /** An anonymous inode (no file type) is an event queue or event counter: only the JVM's selectors make them. */
    private static boolean ownedByTheJvm(FileId id, int mode) {
        return (mode & S_IFMT) == 0 || JVM_FILES.contains(id);
    }

    private static Set<Integer> openDescriptors() {
        Set<Integer> open = new HashSet<>();
        String[] names = new File("/proc/self/fd").list();
        if (names != null) {
            for (String name : names) {
                open.add(Integer.parseInt(name));
            }
        }
        return open;
    }
}
