package org.harpd.jython;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyObject;
import org.python.core.PyTuple;
import org.python.core.io.FileIO;
import org.python.core.io.StreamIO;

/**
 * The Linux C library calls behind the parts of CPython 2.7's {@code os}, {@code fcntl}, {@code resource},
 * {@code syslog}, {@code select}, {@code termios} and {@code pty} that Jython lacks (python-lib/daemon/harpd/_linux_os.py and the modules next to
 * it). Each call that fails raises Python's {@code OSError(errno, strerror)}, as CPython does, with glibc's
 * message; structures come back as arrays of longs in the C field order of x86-64 Linux.
 */
public final class LinuxCalls {
    /** The functions bound, by jnr-ffi. Variadic ones ({@code fcntl}, {@code ioctl}) take one machine word. */
    public interface Native {
        int waitpid(int pid, @Out int[] status, int options);

        int wait4(int pid, @Out int[] status, int options, Pointer rusage);

        int waitid(int idtype, int id, Pointer info, int options);

        int statvfs(String path, Pointer buffer);

        int getspnam_r(@In byte[] name, Pointer entry, Pointer buffer, @size_t long length, Pointer result);

        int getspent_r(Pointer entry, Pointer buffer, @size_t long length, Pointer result);

        void setspent();

        void endspent();

        int fstatvfs(int fd, Pointer buffer);

        int getsid(int pid);

        int getpgid(int pid);

        int setpgid(int pid, int pgid);

        int setsid();

        int setuid(int uid);

        int setgid(int gid);

        int seteuid(int uid);

        int setegid(int gid);

        int setreuid(int ruid, int euid);

        int setregid(int rgid, int egid);

        int setgroups(@size_t long size, @In int[] list);

        int initgroups(String user, int group);

        int nice(int increment);

        int flock(int fd, int operation);

        int lockf(int fd, int command, long length);

        int fcntl(int fd, int command, long argument);

        int ioctl(int fd, long request, Pointer argument);

        int getrusage(int who, Pointer usage);

        int getpagesize();

        void openlog(Pointer ident, int option, int facility);

        void syslog(int priority, String format, String message);

        void closelog();

        int setlogmask(int mask);

        int poll(Pointer fds, long count, int timeoutMillis);

        String strerror(int errno);

        int tcgetattr(int fd, Pointer termios);

        int tcsetattr(int fd, int when, Pointer termios);

        int cfsetispeed(Pointer termios, int speed);

        int cfsetospeed(Pointer termios, int speed);

        int cfgetispeed(Pointer termios);

        int cfgetospeed(Pointer termios);

        int tcsendbreak(int fd, int duration);

        int tcdrain(int fd);

        int tcflush(int fd, int queue);

        int tcflow(int fd, int action);

        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        int ptsname_r(int fd, Pointer buffer, @size_t long size);

        int ttyname_r(int fd, Pointer buffer, @size_t long size);

        int isatty(int fd);

        int open(String path, int flags, int mode);

        int close(int fd);

        int socket(int domain, int type, int protocol);

        @ssize_t long read(int fd, Pointer buffer, @size_t long count);
    }

    private static final Native LIBC = LibraryLoader.create(Native.class).load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    private static final jnr.posix.POSIX POSIX = jnr.posix.POSIXFactory.getNativePOSIX();
    private static final int EINTR = 4;
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int EBADF = 9;
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0400;
    private static final int O_CLOEXEC = 02000000;
    /** {@code sizeof(siginfo_t)} and the offset of {@code si_pid} in it, x86-64 Linux. */
    private static final int SIGINFO_SIZE = 128;
    /** {@code struct termios} of glibc on x86-64: four tcflag_t, c_line, c_cc[32], c_ispeed, c_ospeed. */
    private static final int TERMIOS_SIZE = 60;
    private static final int TERMIOS_CC = 17;
    private static final int NCCS = 32;
    private static final int PATH_MAX = 4096;
    private static final int SI_PID = 16;
    private static final int STATVFS_SIZE = 112;
    /** {@code struct spwd} on x86-64: two pointers, seven longs. */
    private static final int SPWD_SIZE = 72;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int ERANGE = 34;
    private static final int MAX_NSS_BUFFER = 1 << 20;
    /** getspent_r walks one position per process: one walk at a time. */
    private static final Object SHADOW_WALK = new Object();
    private static final int RUSAGE_SIZE = 144;
    private static final java.util.Set<Integer> SPAWNED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** glibc keeps the pointer openlog() is given, so the identifier must outlive the call. */
    private static Pointer syslogIdent;

    static {
        // jnr-ffi frees direct memory from a thread it starts at the first allocation, in the thread group of
        // the caller: started here, while the worker boots (harpd._linux_os loads this class), it is part of
        // the worker, not a thread a call left running
        Memory.allocateDirect(RUNTIME, 8, true);
    }

    private LinuxCalls() {
    }

    /** Loads this class, so that its start-up work happens now. */
    public static void load() {
    }

    /** OSError(errno, strerror(errno)) for the errno the last call on this thread left. */
    private static PyException failure() {
        return error(LastError.getLastError(RUNTIME));
    }

    public static PyException error(int errno) {
        return new PyException(Py.OSError, new PyTuple(Py.newInteger(errno), Py.newString(LIBC.strerror(errno))));
    }

    private static int check(int result) {
        if (result < 0) {
            throw failure();
        }
        return result;
    }

    /**
     * Starts {@code argv} (the program looked up as given, no PATH search) with {@code env}, sharing this
     * process's descriptors 0-2 only, and returns its pid for {@link #waitpid}. Unlike a Java
     * {@link java.lang.Process}, no JVM thread reaps it, so its wait status is the kernel's, signals included.
     * The descriptors above 2 are marked close-on-exec first, as a Java child would not get them either.
     */
    public static int spawn(String[] argv, String[] env) {
        return spawn(argv[0], argv, env);
    }

    /** {@link #spawn(String[], String[])} of the program at {@code path}, which need not be {@code argv[0]}. */
    public static int spawn(String path, String[] argv, String[] env) {
        closeOnExecAbove2();
        long pid = POSIX.posix_spawnp(path, List.of(), List.of(argv), List.of(env));
        if (pid <= 0) {
            throw error(POSIX.errno());
        }
        SPAWNED.add((int) pid);
        return (int) pid;
    }

    /**
     * Whether {@link #spawn} started {@code pid} and it was not waited for yet: the other children of a JVM are
     * {@link java.lang.Process}es, which a JVM thread reaps; a wait for any child must leave those to it.
     */
    public static boolean spawned(int pid) {
        return SPAWNED.contains(pid);
    }

    private static void closeOnExecAbove2() {
        java.io.File[] open = new java.io.File("/proc/self/fd").listFiles();
        if (open == null) {
            return;
        }
        for (java.io.File entry : open) {
            int fd;
            try {
                fd = Integer.parseInt(entry.getName());
            } catch (NumberFormatException e) {
                continue;
            }
            if (fd > 2) {
                int flags = LIBC.fcntl(fd, F_GETFD, 0);
                if (flags >= 0 && (flags & FD_CLOEXEC) == 0) {
                    LIBC.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
                }
            }
        }
    }

    /** {@code {pid, status}}; pid 0 when {@code WNOHANG} found no child that changed state. Retried on EINTR. */
    public static int[] waitpid(int pid, int options) {
        int[] status = new int[1];
        while (true) {
            int got = LIBC.waitpid(pid, status, options);
            if (got >= 0) {
                if (got > 0 && !stopOrContinue(status[0])) {
                    SPAWNED.remove(got);
                }
                return new int[] {got, status[0]};
            }
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    /** {@code {pid, status, ru_utime µs, ru_stime µs, 14 more struct rusage fields...}}. */
    public static long[] wait4(int pid, int options) {
        int[] status = new int[1];
        Pointer usage = Memory.allocateDirect(RUNTIME, RUSAGE_SIZE, true);
        while (true) {
            int got = LIBC.wait4(pid, status, options, usage);
            if (got >= 0) {
                if (got > 0 && !stopOrContinue(status[0])) {
                    SPAWNED.remove(got);
                }
                long[] fields = rusage(usage);
                long[] result = new long[fields.length + 2];
                result[0] = got;
                result[1] = status[0];
                System.arraycopy(fields, 0, result, 2, fields.length);
                return result;
            }
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    private static boolean stopOrContinue(int status) {
        return (status & 0xff) == 0x7f || status == 0xffff;
    }

    /**
     * The pid of a child that has exited (or changed state as {@code options} ask) without reaping it
     * ({@code WNOWAIT}), 0 when {@code WNOHANG} is given and none has: lets a wait for any child tell which one
     * before deciding who reaps it.
     */
    public static int peekChild(int idtype, int id, int options) {
        Pointer info = Memory.allocateDirect(RUNTIME, SIGINFO_SIZE, true);
        while (true) {
            if (LIBC.waitid(idtype, id, info, options) == 0) {
                return info.getInt(SI_PID);
            }
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    /**
     * The {@code struct stat} fields Jython's {@code stat_result} lacks: {@code {st_blksize, st_blocks, st_rdev}},
     * of the file at {@code path} ({@code lstat} if not {@code follow}) or, if {@code path} is null, open on
     * {@code fd}; null if the file cannot be examined.
     */
    public static long[] statExtras(String path, boolean follow, int fd) {
        jnr.posix.FileStat stat = POSIX.allocateStat();
        try {
            int result = path == null ? POSIX.fstat(fd, stat) : follow ? POSIX.stat(path, stat) : POSIX.lstat(path, stat);
            if (result < 0) {
                return null;
            }
        } catch (RuntimeException e) {
            // jnr's default handler throws for some errors instead of answering -1
            return null;
        }
        return new long[] {stat.blockSize(), stat.blocks(), stat.rdev()};
    }

    /** The errno of {@code stat} ({@code lstat} if not {@code follow}) of {@code path}; 0 if it succeeds. */
    public static int statErrno(String path, boolean follow) {
        jnr.posix.FileStat stat = POSIX.allocateStat();
        try {
            return (follow ? POSIX.stat(path, stat) : POSIX.lstat(path, stat)) < 0 ? POSIX.errno() : 0;
        } catch (RuntimeException e) {
            return POSIX.errno();
        }
    }

    /**
     * The shadow entry of {@code name} from the C library's {@code getspnam_r} (NSS: files, LDAP, whatever
     * nsswitch.conf names, as CPython's {@code spwd.getspnam} asks), as {@link #shadowEntry} gives it; null when
     * there is none or it may not be read. {@code name} holds bytes, one per character (a Python str).
     */
    public static PyTuple getspnam(String name) {
        byte[] key = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        for (int size = 1024; ; size *= 2) {
            Pointer entry = Memory.allocateDirect(RUNTIME, SPWD_SIZE, true);
            Pointer buffer = Memory.allocateDirect(RUNTIME, size, true);
            Pointer result = Memory.allocateDirect(RUNTIME, 8, true);
            int error = LIBC.getspnam_r(key, entry, buffer, size, result);
            if (error == ERANGE && size < MAX_NSS_BUFFER) {
                continue;
            }
            return error == 0 && result.getAddress(0) != 0 ? shadowEntry(entry) : null;
        }
    }

    /** Every shadow entry the C library's {@code getspent_r} walks (then {@code endspent}), as {@link #getspnam}. */
    public static List<PyTuple> getspall() {
        List<PyTuple> entries = new java.util.ArrayList<>();
        synchronized (SHADOW_WALK) {
            LIBC.setspent();
            try {
                int size = 1024;
                while (true) {
                    Pointer entry = Memory.allocateDirect(RUNTIME, SPWD_SIZE, true);
                    Pointer buffer = Memory.allocateDirect(RUNTIME, size, true);
                    Pointer result = Memory.allocateDirect(RUNTIME, 8, true);
                    int error = LIBC.getspent_r(entry, buffer, size, result);
                    if (error == ERANGE && size < MAX_NSS_BUFFER) {
                        size *= 2;
                        continue;
                    }
                    if (error != 0 || result.getAddress(0) == 0) {
                        return entries;
                    }
                    entries.add(shadowEntry(entry));
                }
            } finally {
                LIBC.endspent();
            }
        }
    }

    /** {@code struct spwd}: name and password as str (bytes), then the seven numbers as C longs. */
    private static PyTuple shadowEntry(Pointer entry) {
        PyObject[] fields = new PyObject[9];
        for (int i = 0; i < 2; i++) {
            Pointer text = entry.getPointer(i * 8L);
            byte[] bytes = new byte[text == null ? 0 : text.indexOf(0, (byte) 0)];
            if (text != null) {
                text.get(0, bytes, 0, bytes.length);
            }
            fields[i] = Py.newString(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        for (int i = 2; i < 9; i++) {
            fields[i] = Py.newInteger(entry.getLong(i * 8L));
        }
        return new PyTuple(fields);
    }

    /** {@code struct statvfs}: bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax. */
    public static long[] statvfs(String path) {
        Pointer buffer = Memory.allocateDirect(RUNTIME, STATVFS_SIZE, true);
        check(LIBC.statvfs(path, buffer));
        return longs(buffer, 11);
    }

    public static long[] fstatvfs(int fd) {
        Pointer buffer = Memory.allocateDirect(RUNTIME, STATVFS_SIZE, true);
        check(LIBC.fstatvfs(fd, buffer));
        return longs(buffer, 11);
    }

    public static int getsid(int pid) {
        return check(LIBC.getsid(pid));
    }

    public static int getpgid(int pid) {
        return check(LIBC.getpgid(pid));
    }

    public static void setpgid(int pid, int pgid) {
        check(LIBC.setpgid(pid, pgid));
    }

    public static void setsid() {
        check(LIBC.setsid());
    }

    public static void setuid(int uid) {
        check(LIBC.setuid(uid));
    }

    public static void setgid(int gid) {
        check(LIBC.setgid(gid));
    }

    public static void seteuid(int uid) {
        check(LIBC.seteuid(uid));
    }

    public static void setegid(int gid) {
        check(LIBC.setegid(gid));
    }

    public static void setreuid(int ruid, int euid) {
        check(LIBC.setreuid(ruid, euid));
    }

    public static void setregid(int rgid, int egid) {
        check(LIBC.setregid(rgid, egid));
    }

    public static void setgroups(int[] groups) {
        check(LIBC.setgroups(groups.length, groups));
    }

    public static void initgroups(String user, int group) {
        check(LIBC.initgroups(user, group));
    }

    /** nice(2) may return -1 on success: errno tells failure apart, so it is cleared first. */
    public static int nice(int increment) {
        LastError.setLastError(RUNTIME, 0);
        int result = LIBC.nice(increment);
        if (result == -1 && LastError.getLastError(RUNTIME) != 0) {
            throw failure();
        }
        return result;
    }

    public static void flock(int fd, int operation) {
        while (LIBC.flock(fd, operation) < 0) {
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    public static void lockf(int fd, int command, long length) {
        while (LIBC.lockf(fd, command, length) < 0) {
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    public static int fcntl(int fd, int command, long argument) {
        return check(LIBC.fcntl(fd, command, argument));
    }

    /** fcntl with a buffer argument, as CPython's {@code fcntl(fd, op, str)}: returns the buffer after the call. */
    public static byte[] fcntlBuffer(int fd, int command, byte[] argument) {
        Pointer buffer = Memory.allocateDirect(RUNTIME, Math.max(argument.length, 1), true);
        buffer.put(0, argument, 0, argument.length);
        check(LIBC.fcntl(fd, command, buffer.address()));
        byte[] out = new byte[argument.length];
        buffer.get(0, out, 0, out.length);
        return out;
    }

    /** ioctl with an integer argument, passed as the machine word the variadic call takes. */
    public static int ioctl(int fd, long request, long argument) {
        return check(LIBC.ioctl(fd, request, Pointer.wrap(RUNTIME, argument)));
    }

    /** ioctl with a buffer argument (CPython's {@code ioctl(fd, op, str)}): the buffer as the call left it. */
    public static byte[] ioctlBuffer(int fd, long request, byte[] argument) {
        Pointer buffer = Memory.allocateDirect(RUNTIME, Math.max(argument.length, 1), true);
        buffer.put(0, argument, 0, argument.length);
        check(LIBC.ioctl(fd, request, buffer));
        byte[] out = new byte[argument.length];
        buffer.get(0, out, 0, out.length);
        return out;
    }

    /**
     * {@link #ioctlBuffer} of an interface request ({@code SIOCGIF*}) on a datagram socket of the C library's,
     * opened for the call and closed after: Jython's sockets are Java channels whose descriptors Python code
     * cannot reach, and these requests answer the same whatever socket asks.
     */
    public static byte[] interfaceIoctl(long request, byte[] argument) {
        int fd = check(LIBC.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        try {
            return ioctlBuffer(fd, request, argument);
        } finally {
            LIBC.close(fd);
        }
    }

    /** {@code struct rusage}: ru_utime and ru_stime in microseconds, then its 14 long fields. */
    public static long[] getrusage(int who) {
        Pointer usage = Memory.allocateDirect(RUNTIME, RUSAGE_SIZE, true);
        check(LIBC.getrusage(who, usage));
        return rusage(usage);
    }

    public static int getpagesize() {
        return LIBC.getpagesize();
    }

    public static synchronized void openlog(String ident, int option, int facility) {
        if (ident == null) {
            syslogIdent = null;
        } else {
            byte[] bytes = ident.getBytes(StandardCharsets.ISO_8859_1);
            Pointer copy = Memory.allocateDirect(RUNTIME, bytes.length + 1, true);
            copy.put(0, bytes, 0, bytes.length);
            syslogIdent = copy;
        }
        // glibc now points at the new copy, so the previous one may be freed
        LIBC.openlog(syslogIdent, option, facility);
    }

    public static synchronized void syslog(int priority, String message) {
        LIBC.syslog(priority, "%s", message);
    }

    public static synchronized void closelog() {
        LIBC.closelog();
        syslogIdent = null;
    }

    public static int setlogmask(int mask) {
        return LIBC.setlogmask(mask);
    }

    /**
     * poll(2) on {@code fds} with {@code events}; the {@code revents} of each, in order. A negative timeout
     * waits without limit. EINTR answers with no descriptor ready, as an interrupted select() in CPython
     * raises — here the caller retries.
     */
    public static short[] poll(int[] fds, short[] events, int timeoutMillis) {
        Pointer array = Memory.allocateDirect(RUNTIME, Math.max(fds.length, 1) * 8, true);
        for (int i = 0; i < fds.length; i++) {
            array.putInt(i * 8L, fds[i]);
            array.putShort(i * 8L + 4, events[i]);
        }
        int ready = LIBC.poll(array, fds.length, timeoutMillis);
        if (ready < 0) {
            if (LastError.getLastError(RUNTIME) == EINTR) {
                return null;
            }
            throw failure();
        }
        short[] revents = new short[fds.length];
        for (int i = 0; i < fds.length; i++) {
            revents[i] = array.getShort(i * 8L + 6);
        }
        return revents;
    }

    /**
     * The C descriptor behind what a Jython {@code fileno()} returns (an int, a {@link FileIO} of an ordinary
     * file, or a {@link StreamIO} around a pipe such as a subprocess's stdout), or -1 when there is none, e.g.
     * a stream whose pipe Java already drained and closed.
     */
    public static int descriptor(Object source) {
        if (source instanceof PyObject py && py.isInteger()) {
            return py.asInt();
        }
        if (source instanceof Number number) {
            return number.intValue();
        }
        if (source instanceof PyObject py) {
            Object java = py.__tojava__(Object.class);
            if (java != Py.NoConversion && java != source) {
                return descriptor(java);
            }
        }
        try {
            if (source instanceof FileIO file) {
                // a FileIO made around a channel (os.openpty's) has no Java stream to ask
                Object channel = field(FileIO.class, "fileChannel").get(file);
                return channel != null ? descriptor(channel) : intOf(file.getFD());
            }
            if (source instanceof FileDescriptor fd) {
                return intOf(fd);
            }
            if (source instanceof StreamIO stream) {
                Object input = field(StreamIO.class, "inputStream").get(stream);
                if (input instanceof InputStream in) {
                    return descriptor(in);
                }
                Object output = field(StreamIO.class, "outputStream").get(stream);
                if (output instanceof OutputStream out) {
                    return descriptor(out);
                }
                Object channel = field(StreamIO.class, "readChannel").get(stream);
                if (channel == null) {
                    channel = field(StreamIO.class, "writeChannel").get(stream);
                }
                return channel == null ? -1 : descriptor(channel);
            }
            if (source instanceof FileInputStream in) {
                return intOf(in.getFD());
            }
            if (source instanceof FileOutputStream out) {
                return intOf(out.getFD());
            }
            if (source instanceof FilterInputStream in) {
                return descriptor(field(FilterInputStream.class, "in").get(in));
            }
            if (source instanceof FilterOutputStream out) {
                return descriptor(field(FilterOutputStream.class, "out").get(out));
            }
            if (source != null) {
                // NIO channels of the JDK (pipes, sockets, files) carry their descriptor as getFDVal()
                for (Class<?> type : List.of(source.getClass().getInterfaces())) {
                    if (type.getName().equals("sun.nio.ch.SelChImpl")) {
                        Method value = type.getMethod("getFDVal");
                        value.setAccessible(true);
                        return (Integer) value.invoke(source);
                    }
                }
                try {
                    Field fd = source.getClass().getDeclaredField("fd");
                    fd.setAccessible(true);
                    if (fd.get(source) instanceof FileDescriptor descriptor) {
                        return intOf(descriptor);
                    }
                } catch (NoSuchFieldException notAChannel) {
                    return -1;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Bytes a Jython stream holds that its descriptor no longer shows: what a {@link java.io.BufferedInputStream}
     * (a subprocess's stdout) read ahead. A select() must call such a stream readable even when its pipe is not.
     */
    public static int buffered(Object source) {
        try {
            if (source instanceof PyObject py) {
                Object java = py.__tojava__(Object.class);
                if (java != Py.NoConversion && java != source) {
                    return buffered(java);
                }
                return 0;
            }
            if (source instanceof StreamIO stream
                    && field(StreamIO.class, "inputStream").get(stream) instanceof InputStream in
                    && !(in instanceof FileInputStream)) {
                return in.available();
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            return 0;
        }
        return 0;
    }

    private static int intOf(FileDescriptor fd) throws ReflectiveOperationException {
        if (fd == FileDescriptor.in) {
            return 0;
        }
        if (fd == FileDescriptor.out) {
            return 1;
        }
        if (fd == FileDescriptor.err) {
            return 2;
        }
        return field(FileDescriptor.class, "fd").getInt(fd);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static long[] longs(Pointer buffer, int count) {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = buffer.getLong(i * 8L);
        }
        return values;
    }

    private static long[] rusage(Pointer usage) {
        long[] values = new long[16];
        values[0] = usage.getLong(0) * 1_000_000L + usage.getLong(8);
        values[1] = usage.getLong(16) * 1_000_000L + usage.getLong(24);
        for (int i = 0; i < 14; i++) {
            values[2 + i] = usage.getLong(32 + i * 8L);
        }
        return values;
    }

    /**
     * {@code tcgetattr(3)}: {@code {iflag, oflag, cflag, lflag, ispeed, ospeed, cc[0], ..., cc[31]}}, the speeds as
     * {@code cfgetispeed}/{@code cfgetospeed} answer them (the B* constants).
     */
    public static long[] tcgetattr(int fd) {
        Pointer termios = Memory.allocateDirect(RUNTIME, TERMIOS_SIZE, true);
        check(LIBC.tcgetattr(fd, termios));
        long[] values = new long[6 + NCCS];
        for (int i = 0; i < 4; i++) {
            values[i] = termios.getInt(i * 4L) & 0xffffffffL;
        }
        values[4] = LIBC.cfgetispeed(termios) & 0xffffffffL;
        values[5] = LIBC.cfgetospeed(termios) & 0xffffffffL;
        for (int i = 0; i < NCCS; i++) {
            values[6 + i] = termios.getByte(TERMIOS_CC + i) & 0xff;
        }
        return values;
    }

    /**
     * {@code tcsetattr(3)} with {@code values} laid out as {@link #tcgetattr} answers them. The structure is read
     * from the terminal first, so what Python does not set (c_line) stays as it is, as CPython's termios does.
     */
    public static void tcsetattr(int fd, int when, long[] values) {
        if (values.length != 6 + NCCS) {
            throw new IllegalArgumentException("termios values: " + values.length);
        }
        Pointer termios = Memory.allocateDirect(RUNTIME, TERMIOS_SIZE, true);
        check(LIBC.tcgetattr(fd, termios));
        for (int i = 0; i < 4; i++) {
            termios.putInt(i * 4L, (int) values[i]);
        }
        check(LIBC.cfsetispeed(termios, (int) values[4]));
        check(LIBC.cfsetospeed(termios, (int) values[5]));
        for (int i = 0; i < NCCS; i++) {
            termios.putByte(TERMIOS_CC + i, (byte) values[6 + i]);
        }
        check(LIBC.tcsetattr(fd, when, termios));
    }

    public static void tcsendbreak(int fd, int duration) {
        check(LIBC.tcsendbreak(fd, duration));
    }

    public static void tcdrain(int fd) {
        while (LIBC.tcdrain(fd) < 0) {
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    public static void tcflush(int fd, int queue) {
        check(LIBC.tcflush(fd, queue));
    }

    public static void tcflow(int fd, int action) {
        check(LIBC.tcflow(fd, action));
    }

    /**
     * A new pseudo-terminal as {@code openpty(3)} makes one: {@code {master, slave}}, both opened read-write
     * without becoming the controlling terminal and close-on-exec (Python's descriptors are not inherited), the
     * slave unlocked. Nothing is left open when a step fails.
     */
    public static int[] openpty() {
        int master = check(LIBC.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
        try {
            check(LIBC.grantpt(master));
            check(LIBC.unlockpt(master));
            String slavePath = ptsname(master);
            int slave = check(LIBC.open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC, 0));
            return new int[] {master, slave};
        } catch (RuntimeException e) {
            LIBC.close(master);
            throw e;
        }
    }

    /** The path of the slave of master pseudo-terminal {@code fd}. */
    public static String ptsname(int fd) {
        return name(fd, true);
    }

    /** The path of the terminal open on {@code fd} ({@code ttyname(3)}). */
    public static String ttyname(int fd) {
        return name(fd, false);
    }

    private static String name(int fd, boolean pts) {
        Pointer buffer = Memory.allocateDirect(RUNTIME, PATH_MAX, true);
        int error = pts ? LIBC.ptsname_r(fd, buffer, PATH_MAX) : LIBC.ttyname_r(fd, buffer, PATH_MAX);
        if (error != 0) {
            // both return the error number rather than setting errno alone
            throw error(error > 0 ? error : LastError.getLastError(RUNTIME));
        }
        return buffer.getString(0, PATH_MAX, StandardCharsets.ISO_8859_1);
    }

    public static boolean isatty(int fd) {
        return LIBC.isatty(fd) == 1;
    }

    /**
     * read(2) of at most {@code count} bytes, retried on EINTR: what {@code os.read} does where Jython's reports
     * every failure as EBADF (a pseudo-terminal whose other side is closed answers EIO, which callers test for).
     */
    public static byte[] read(int fd, int count) {
        if (count < 0) {
            throw error(22);
        }
        Pointer buffer = Memory.allocateDirect(RUNTIME, Math.max(count, 1), true);
        while (true) {
            long got = LIBC.read(fd, buffer, count);
            if (got >= 0) {
                byte[] data = new byte[(int) got];
                buffer.get(0, data, 0, data.length);
                return data;
            }
            if (LastError.getLastError(RUNTIME) != EINTR) {
                throw failure();
            }
        }
    }

    /** open(2) with Python's flags and mode, close-on-exec added (Python's descriptors are not inherited). */
    public static int open(String path, int flags, int mode) {
        return check(LIBC.open(path, flags | O_CLOEXEC, mode));
    }

    /** close(2) of a descriptor {@link #openpty} opened. */
    public static void close(int fd) {
        check(LIBC.close(fd));
    }

    /**
     * A Jython file object (what its {@code os.open} answers) for descriptor {@code fd}, readable and writable,
     * which then owns the descriptor: closing it, or its being collected, closes {@code fd}. The JDK makes channels
     * around a bare descriptor only through its own {@code FileChannelImpl.open}.
     */
    public static FileIO fileOf(int fd, String path) {
        FileChannel channel;
        try {
            FileDescriptor descriptor = new FileDescriptor();
            field(FileDescriptor.class, "fd").setInt(descriptor, fd);
            Method open = Class.forName("sun.nio.ch.FileChannelImpl").getMethod("open", FileDescriptor.class,
                    String.class, boolean.class, boolean.class, boolean.class, Object.class);
            channel = (FileChannel) open.invoke(null, descriptor, path, true, true, false, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no channel owns the descriptor yet
            LIBC.close(fd);
            throw Py.OSError("cannot make a file object for descriptor " + fd + ": " + e);
        }
        return new FileIO(channel, "r+");
    }

    /** Raised for a descriptor that is not open, as CPython's select and fcntl do. */
    public static PyException badDescriptor() {
        return error(EBADF);
    }
}
