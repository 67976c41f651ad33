package org.harpd.posix;

import java.util.Arrays;
import java.util.Optional;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.posix.Group;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/**
 * The POSIX calls harpd needs (Linux), failing loudly: every call that fails throws {@link PosixException}
 * naming the call and errno, instead of returning -1 for the caller to forget.
 * jnr-posix provides most calls; {@link LinuxLibC} binds the rest (setgroups, getgroups, prctl).
 */
public final class Posix {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGSTOP = 19;

    private static final int PR_SET_PDEATHSIG = 1;
    private static final int PR_GET_PDEATHSIG = 2;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int P_ALL = 0;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int SIGINFO_SIZE = 128;
    private static final int FD_CLOEXEC = 1;

    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final LinuxLibC LIBC = LibraryLoader.create(LinuxLibC.class).load("c");
    private static final jnr.ffi.Runtime LIBC_RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Posix() {
    }

    public static int getpid() {
        return POSIX.getpid();
    }

    public static int getppid() {
        return POSIX.getppid();
    }

    public static int getuid() {
        return POSIX.getuid();
    }

    public static int geteuid() {
        return POSIX.geteuid();
    }

    public static int getgid() {
        return POSIX.getgid();
    }

    public static int getegid() {
        return POSIX.getegid();
    }

    /**
     * What a process's credentials and place among processes are: {@code {ruid, euid, suid, rgid, egid, sgid,
     * sid, pgid}}, for comparing before and after code that may change them.
     */
    public static int[] identity() {
        int[][] ids = {new int[1], new int[1], new int[1], new int[1], new int[1], new int[1]};
        if (LIBC.getresuid(ids[0], ids[1], ids[2]) != 0) {
            throw libcFailure("getresuid");
        }
        if (LIBC.getresgid(ids[3], ids[4], ids[5]) != 0) {
            throw libcFailure("getresgid");
        }
        int sid = LIBC.getsid(0);
        int pgid = LIBC.getpgid(0);
        if (sid < 0 || pgid < 0) {
            throw libcFailure("getsid/getpgid");
        }
        return new int[] {ids[0][0], ids[1][0], ids[2][0], ids[3][0], ids[4][0], ids[5][0], sid, pgid};
    }

    /** Supplementary group ids of this process. */
    public static int[] getgroups() {
        int count = LIBC.getgroups(0, null);
        if (count < 0) {
            throw libcFailure("getgroups");
        }
        int[] groups = new int[count];
        int got = LIBC.getgroups(count, groups);
        if (got < 0) {
            throw libcFailure("getgroups");
        }
        return Arrays.copyOf(groups, got);
    }

    public static void setgroups(int[] groups) {
        if (LIBC.setgroups(groups.length, groups) != 0) {
            throw libcFailure("setgroups(" + Arrays.toString(groups) + ")");
        }
    }

    public static void setgid(int gid) {
        if (POSIX.setgid(gid) != 0) {
            throw posixFailure("setgid(" + Integer.toUnsignedString(gid) + ")");
        }
    }

    public static void setuid(int uid) {
        if (POSIX.setuid(uid) != 0) {
            throw posixFailure("setuid(" + Integer.toUnsignedString(uid) + ")");
        }
    }

    /** Start a new session and process group led by this process (its pgid becomes its pid). */
    public static void setsid() {
        if (POSIX.setsid() < 0) {
            throw posixFailure("setsid");
        }
    }

    /**
     * Send a signal; a negative pid addresses the process group {@code -pid}.
     *
     * @return false when no such process (group) exists any more
     */
    public static boolean kill(long pid, int signal) {
        if (POSIX.kill(pid, signal) == 0) {
            return true;
        }
        int errno = POSIX.errno();
        if (errno == Errno.ESRCH.intValue()) {
            return false;
        }
        throw new PosixException("kill(" + pid + ", " + signal + ")", errno);
    }

    /** Larger than {@code struct sigaction} on every Linux ABI (152 bytes on x86-64 and ARM64). */
    private static final int SIGACTION_BYTES = 256;
    private static final long SIG_IGN = 1;

    /** Whether {@code signal}'s disposition is "ignore", as a process started under nohup or by {@code &} has. */
    public static boolean isSignalIgnored(int signal) {
        byte[] old = new byte[SIGACTION_BYTES];
        if (LIBC.sigaction(signal, null, old) != 0) {
            throw libcFailure("sigaction(" + signal + ")");
        }
        // sa_handler, the first field: a native-order machine word
        return java.nio.ByteBuffer.wrap(old).order(java.nio.ByteOrder.nativeOrder()).getLong(0) == SIG_IGN;
    }

    /**
     * Puts {@code signal} back to its default disposition if it is ignored; a handler in place is left alone.
     *
     * @return whether it was ignored
     */
    public static boolean stopIgnoringSignal(int signal) {
        if (!isSignalIgnored(signal)) {
            return false;
        }
        if (LIBC.sigaction(signal, new byte[SIGACTION_BYTES], null) != 0) {
            throw libcFailure("sigaction(" + signal + ", SIG_DFL)");
        }
        return true;
    }

    /** Have the kernel send {@code signal} to this process when the thread that forked it exits. */
    public static void setParentDeathSignal(int signal) {
        if (LIBC.prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0) != 0) {
            throw libcFailure("prctl(PR_SET_PDEATHSIG)");
        }
    }

    public static int getParentDeathSignal() {
        jnr.ffi.Pointer out = jnr.ffi.Memory.allocateDirect(LIBC_RUNTIME, 4);
        if (LIBC.prctl(PR_GET_PDEATHSIG, out.address(), 0, 0, 0) != 0) {
            throw libcFailure("prctl(PR_GET_PDEATHSIG)");
        }
        return out.getInt(0);
    }

    /**
     * Make this process a child subreaper: its descendants whose parent dies become its children, instead of
     * init's, so none leaves the tree under this process by double-forking or {@code setsid}.
     */
    public static void setChildSubreaper() {
        if (LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw libcFailure("prctl(PR_SET_CHILD_SUBREAPER)");
        }
    }

    private static final int PR_GET_DUMPABLE = 3;
    private static final int PR_SET_DUMPABLE = 4;
    private static final int PR_GET_KEEPCAPS = 7;
    private static final int PR_SET_KEEPCAPS = 8;
    private static final int PR_GET_SECCOMP = 21;
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final int PR_GET_CHILD_SUBREAPER = 37;
    private static final int PR_GET_NO_NEW_PRIVS = 39;
    private static final int PR_SET_THP_DISABLE = 41;
    private static final int PR_GET_THP_DISABLE = 42;
    private static final int PR_SET_PTRACER = 0x59616d61;
    private static final int PRIO_PROCESS = 0;
    private static final int IOPRIO_WHO_PROCESS = 1;
    private static final long SYS_IOPRIO_GET = "aarch64".equals(System.getProperty("os.arch")) ? 31 : 252;
    private static final long READ_PERSONALITY = 0xffffffffL;

    /**
     * The attributes of this process (or, for the per-thread ones, of the calling thread) that code running in it
     * can change and a later caller could notice or exploit, as {@link ProcessAttribute} order gives them. Each is
     * one system call; an attribute this kernel does not have reads as {@link Long#MIN_VALUE}.
     */
    public static long[] processAttributes() {
        ProcessAttribute[] all = ProcessAttribute.values();
        long[] values = new long[all.length];
        for (ProcessAttribute attribute : all) {
            values[attribute.ordinal()] = read(attribute);
        }
        return values;
    }

    private static long read(ProcessAttribute attribute) {
        return switch (attribute) {
            case DUMPABLE -> prctlValue(PR_GET_DUMPABLE);
            case KEEPCAPS -> prctlValue(PR_GET_KEEPCAPS);
            case SECCOMP -> prctlValue(PR_GET_SECCOMP);
            case TIMERSLACK -> prctlValue(PR_GET_TIMERSLACK);
            case CHILD_SUBREAPER -> prctlOut(PR_GET_CHILD_SUBREAPER);
            case NO_NEW_PRIVS -> prctlValue(PR_GET_NO_NEW_PRIVS);
            case THP_DISABLE -> prctlValue(PR_GET_THP_DISABLE);
            case PARENT_DEATH_SIGNAL -> prctlOut(PR_GET_PDEATHSIG);
            case NICE -> {
                LastError.setLastError(LIBC_RUNTIME, 0);
                int nice = LIBC.getpriority(PRIO_PROCESS, 0);
                yield nice == -1 && LastError.getLastError(LIBC_RUNTIME) != 0 ? Long.MIN_VALUE : nice;
            }
            case SCHEDULING_POLICY -> LIBC.sched_getscheduler(0);
            case IO_PRIORITY -> LIBC.syscall(SYS_IOPRIO_GET, IOPRIO_WHO_PROCESS, 0, 0);
            case PERSONALITY -> LIBC.personality(READ_PERSONALITY);
        };
    }

    private static long prctlValue(int option) {
        int value = LIBC.prctl(option, 0, 0, 0, 0);
        return value < 0 ? Long.MIN_VALUE : value;
    }

    private static long prctlOut(int option) {
        int[] out = new int[1];
        return LIBC.prctl(option, out, 0, 0, 0) != 0 ? Long.MIN_VALUE : out[0];
    }

    /**
     * Put {@code attribute} back to {@code value}, where an unprivileged process may.
     *
     * @return false when it cannot be put back (the kernel refuses, or no call sets it: seccomp, no_new_privs)
     */
    public static boolean restore(ProcessAttribute attribute, long value) {
        int result = switch (attribute) {
            case DUMPABLE -> LIBC.prctl(PR_SET_DUMPABLE, value, 0, 0, 0);
            case KEEPCAPS -> LIBC.prctl(PR_SET_KEEPCAPS, value, 0, 0, 0);
            case TIMERSLACK -> LIBC.prctl(PR_SET_TIMERSLACK, value, 0, 0, 0);
            case CHILD_SUBREAPER -> LIBC.prctl(PR_SET_CHILD_SUBREAPER, value, 0, 0, 0);
            case THP_DISABLE -> LIBC.prctl(PR_SET_THP_DISABLE, value, 0, 0, 0);
            case PARENT_DEATH_SIGNAL -> LIBC.prctl(PR_SET_PDEATHSIG, value, 0, 0, 0);
            case NICE -> LIBC.setpriority(PRIO_PROCESS, 0, (int) value);
            case PERSONALITY -> LIBC.personality(value) < 0 ? -1 : 0;
            case SECCOMP, NO_NEW_PRIVS, SCHEDULING_POLICY, IO_PRIORITY -> -1;
        };
        return result == 0 && read(attribute) == value;
    }

    /** Bytes of a CPU mask: 1024 CPUs, glibc's {@code cpu_set_t}. */
    private static final int CPU_MASK_BYTES = 128;

    /** The calling thread's CPU affinity mask. */
    public static byte[] cpuAffinity() {
        byte[] mask = new byte[CPU_MASK_BYTES];
        if (LIBC.sched_getaffinity(0, mask.length, mask) < 0) {
            throw libcFailure("sched_getaffinity");
        }
        return mask;
    }

    /** @return whether the calling thread's CPU affinity is {@code mask} now */
    public static boolean setCpuAffinity(byte[] mask) {
        return LIBC.sched_setaffinity(0, mask.length, mask) == 0 && Arrays.equals(cpuAffinity(), mask);
    }

    /**
     * Clear any process allowed to ptrace this one through Yama's {@code PR_SET_PTRACER}; it cannot be read, so
     * it is cleared whatever it was. Harmless where Yama is absent.
     */
    public static void clearPtracer() {
        LIBC.prctl(PR_SET_PTRACER, 0, 0, 0, 0);
    }

    /** Whether this process has any child, running or a zombie; one system call, nothing reaped. */
    public static boolean hasChildren() {
        byte[] info = new byte[SIGINFO_SIZE];
        while (true) {
            if (LIBC.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) == 0) {
                return true;
            }
            int errno = LastError.getLastError(LIBC_RUNTIME);
            if (errno == Errno.ECHILD.intValue()) {
                return false;
            }
            if (errno != Errno.EINTR.intValue()) {
                throw new PosixException("waitid", errno);
            }
        }
    }

    /** Reap {@code pid} if it is a child of this process that has ended; false if it is not (or not yet). */
    public static boolean reap(long pid) {
        return POSIX.waitpid(pid, new int[1], WNOHANG) == pid;
    }

    /**
     * {@code malloc_trim(0)}: returns the C heap's free pages to the kernel. The JVM frees much of what it
     * allocates natively (compiler arenas, class parsing) without glibc handing it back, so a process that has
     * been busy keeps it resident. False where there is no such function (not glibc).
     */
    public static boolean trimNativeHeap() {
        try {
            LIBC.malloc_trim(0);
            return true;
        } catch (LinkageError notGlibc) {
            return false;
        }
    }

    public static int dup(int fd) {
        int copy = POSIX.dup(fd);
        if (copy < 0) {
            throw posixFailure("dup(" + fd + ")");
        }
        return copy;
    }

    public static void dup2(int from, int to) {
        if (POSIX.dup2(from, to) < 0) {
            throw posixFailure("dup2(" + from + ", " + to + ")");
        }
    }

    /** Mark {@code fd} close-on-exec, so no program this process runs inherits it. */
    public static void setCloseOnExec(int fd) {
        int flags = POSIX.fcntl(fd, Fcntl.F_GETFD);
        if (flags < 0 || POSIX.fcntlInt(fd, Fcntl.F_SETFD, flags | FD_CLOEXEC) < 0) {
            throw posixFailure("fcntl(" + fd + ", FD_CLOEXEC)");
        }
    }

    public static int openDevNull() {
        int fd = POSIX.open("/dev/null", OpenFlags.O_RDWR.intValue(), 0);
        if (fd < 0) {
            throw posixFailure("open(/dev/null)");
        }
        return fd;
    }

    public static void close(int fd) {
        if (POSIX.close(fd) < 0) {
            throw posixFailure("close(" + fd + ")");
        }
    }

    /** read(2) into {@code buffer[0..length)}, retried on EINTR; 0 at end of file. */
    public static int read(int fd, byte[] buffer, int length) {
        while (true) {
            long n = POSIX.read(fd, buffer, (long) length);
            if (n >= 0) {
                return (int) n;
            }
            int errno = POSIX.errno();
            if (errno != Errno.EINTR.intValue()) {
                throw new PosixException("read(" + fd + ")", errno);
            }
        }
    }

    /** write(2) all of {@code buffer[offset..offset+length)}, retried on EINTR and short writes. */
    public static void writeFully(int fd, byte[] buffer, int offset, int length) {
        byte[] rest = offset == 0 ? buffer : Arrays.copyOfRange(buffer, offset, offset + length);
        int done = 0;
        while (done < length) {
            byte[] chunk = done == 0 ? rest : Arrays.copyOfRange(rest, done, length);
            long n = POSIX.write(fd, chunk, (long) (length - done));
            if (n < 0) {
                int errno = POSIX.errno();
                if (errno == Errno.EINTR.intValue()) {
                    continue;
                }
                throw new PosixException("write(" + fd + ")", errno);
            }
            done += (int) n;
        }
    }

    /** Sets the file mode creation mask and returns the previous one. */
    public static int umask(int mask) {
        return POSIX.umask(mask);
    }

    /** {@code {soft, hard}} limits of {@code resource} (RLIMIT_* numbers of Linux). */
    public static long[] getrlimit(int resource) {
        jnr.posix.RLimit limit = POSIX.getrlimit(resource);
        if (limit == null) {
            throw posixFailure("getrlimit(" + resource + ")");
        }
        return new long[] {limit.rlimCur(), limit.rlimMax()};
    }

    public static void setrlimit(int resource, long soft, long hard) {
        if (POSIX.setrlimit(resource, soft, hard) != 0) {
            throw posixFailure("setrlimit(" + resource + ")");
        }
    }

    /**
     * What an open descriptor refers to: {@code {st_dev, st_ino, st_mode}}, or null when {@code fd} is not open.
     * Unlike reading {@code /proc/self/fd}'s links, this works in a process that is not dumpable and has given
     * up root.
     */
    public static long[] fstat(int fd) {
        jnr.posix.FileStat stat = POSIX.allocateStat();
        if (POSIX.fstat(fd, stat) != 0) {
            return null;
        }
        return new long[] {stat.dev(), stat.ino(), stat.mode()};
    }

    /** {@link #fstat}'s {@code {st_dev, st_ino, st_mode}} of a path, or null when it cannot be looked up. */
    public static long[] stat(String path) {
        jnr.posix.FileStat stat = POSIX.allocateStat();
        if (POSIX.stat(path, stat) != 0) {
            return null;
        }
        return new long[] {stat.dev(), stat.ino(), stat.mode()};
    }

    /** The process's working directory as the kernel knows it. */
    public static String getcwd() {
        String cwd = POSIX.getcwd();
        if (cwd == null) {
            throw posixFailure("getcwd");
        }
        return cwd;
    }

    public static void chdir(String path) {
        if (POSIX.chdir(path) != 0) {
            throw posixFailure("chdir(" + path + ")");
        }
    }

    public static Optional<UserEntry> user(String name) {
        Passwd entry = POSIX.getpwnam(name);
        return entry == null ? Optional.empty()
                : Optional.of(new UserEntry(entry.getLoginName(), (int) entry.getUID(), (int) entry.getGID()));
    }

    public static Optional<GroupEntry> group(String name) {
        Group entry = POSIX.getgrnam(name);
        return entry == null ? Optional.empty() : Optional.of(new GroupEntry(entry.getName(), (int) entry.getGID()));
    }

    private static PosixException posixFailure(String call) {
        return new PosixException(call, POSIX.errno());
    }

    private static PosixException libcFailure(String call) {
        return new PosixException(call, LastError.getLastError(LIBC_RUNTIME));
    }
}
