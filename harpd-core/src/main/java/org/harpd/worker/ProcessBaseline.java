package org.harpd.worker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.harpd.posix.Posix;
import org.harpd.posix.ProcessAttribute;
import org.harpd.posix.PosixException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process-wide state of a worker that a call can change and a fork's child would have taken with it: file
 * mode creation mask, resource limits, working directory, signal dispositions, open file descriptors, threads
 * ({@link ThreadCensus}), the process attributes of {@link ProcessAttribute} (dumpable, nice, scheduling, ...)
 * and the CPU affinity of the thread that runs calls,
 * and the JVM's Java-wide state ({@link JvmState}). Recorded once, after the worker booted; {@link #restore} puts back what can be put back and says
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
    /** How long a descriptor the call did not open may stay open: the JVM's own reads of a file take less. */
    private static final long TRANSIENT_MS = 20;

    private final int umask;
    private final long[][] limits = new long[RLIMITS][];
    private final String workingDirectory;
    private final Map<Signal, SignalHandler> handlers = new LinkedHashMap<>();
    private final Map<Integer, FileId> descriptors = new HashMap<>();
    private final ThreadCensus threads;
    private final JvmState jvm;
    /** Recorded once the worker has taken on the identity it serves: see {@link #recordIdentity}. */
    private int[] identity;
    private int[] groups;
    private long[] attributes;
    private byte[] cpuAffinity;

    private ProcessBaseline(Thread self) {
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
        threads = ThreadCensus.take();
        jvm = JvmState.take(self);
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

    /**
     * Records the identity the worker serves calls with, and the process attributes as they are under it (the
     * switch itself clears dumpable and the parent-death signal); to be called after switching, before the call,
     * on the thread that runs calls (some attributes are the thread's).
     */
    void recordIdentity() {
        identity = Posix.identity();
        groups = sortedGroups();
        attributes = Posix.processAttributes();
        cpuAffinity = Posix.cpuAffinity();
    }

    /**
     * Puts back the process attributes a call changed, where an unprivileged process may, and clears a Yama
     * ptracer it may have named.
     *
     * @return what could not be put back
     */
    private List<String> restoreAttributes() {
        List<String> lost = new ArrayList<>();
        Posix.clearPtracer();
        if (attributes == null) {
            return lost;
        }
        if (!java.util.Arrays.equals(cpuAffinity, Posix.cpuAffinity()) && !Posix.setCpuAffinity(cpuAffinity)) {
            lost.add("CPU affinity cannot be put back");
        }
        long[] now = Posix.processAttributes();
        for (ProcessAttribute attribute : ProcessAttribute.values()) {
            long was = attributes[attribute.ordinal()];
            long is = now[attribute.ordinal()];
            if (was != is && !Posix.restore(attribute, was)) {
                lost.add(attribute.name().toLowerCase(java.util.Locale.ROOT) + " " + is + " (was " + was
                        + ") cannot be put back");
            }
        }
        return lost;
    }

    /**
     * What no call may leave behind even where module state is kept ({@code shared}): a changed identity, a
     * thread that is not the worker's own, a process attribute it cannot put back.
     *
     * @return null when the worker may serve again; else why not
     */
    String check(Thread self) {
        List<String> dirty = new ArrayList<>(restoreAttributes());
        String changed = identityChanged();
        if (changed != null) {
            dirty.add(changed);
        }
        dirty.addAll(threads.strangers(self));
        return dirty.isEmpty() ? null : String.join("; ", dirty);
    }

    private static int[] sortedGroups() {
        int[] list = Posix.getgroups();
        java.util.Arrays.sort(list);
        return list;
    }

    /** The worker as it is now; to be taken after booting, before the first call, on the thread that runs calls. */
    static ProcessBaseline take(Thread self) {
        return new ProcessBaseline(self);
    }

    /**
     * Puts back the mask, limits, working directory, signal handlers, process attributes and the JVM's Java-wide
     * state, then checks that the call left the process's identity as it was, no file descriptor open and no
     * thread that is not the worker's own.
     *
     * @return null when the worker is as recorded; else why it is not, and must be replaced
     */
    String restore(Thread self) {
        List<String> dirty = new ArrayList<>(restoreAttributes());
        dirty.addAll(jvm.restore(self));
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
        dirty.addAll(threads.strangers(self));
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
