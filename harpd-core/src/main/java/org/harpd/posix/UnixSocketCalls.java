package org.harpd.posix;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc socket calls for AF_UNIX sockets, which neither the JDK (no unix datagrams in Java 17) nor
 * jnr-posix offers. Each returns what libc returns; after a failure {@link #lastError()} is its errno. Bound on
 * first use, so a process that never opens such a socket never loads the binding.
 */
public final class UnixSocketCalls {
    /** The C functions bound (public: jnr-ffi implements them in a class of its own). */
    public interface LibC {
        @SaveError int socket(int domain, int type, int protocol);

        @SaveError int connect(int fd, @In byte[] address, int length);

        @SaveError int bind(int fd, @In byte[] address, int length);

        @SaveError @ssize_t long send(int fd, @In byte[] buffer, @size_t long length, int flags);

        @SaveError @ssize_t long recv(int fd, @Out byte[] buffer, @size_t long length, int flags);

        @SaveError int setsockopt(int fd, int level, int name, @In byte[] value, int length);

        int close(int fd);

        String strerror(int errno);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private UnixSocketCalls() {
    }

    public static int socket(int domain, int type, int protocol) {
        return Holder.LIBC.socket(domain, type, protocol);
    }

    /** @param address a {@code struct sockaddr_un} */
    public static int connect(int fd, byte[] address) {
        return Holder.LIBC.connect(fd, address, address.length);
    }

    /** @param address a {@code struct sockaddr_un} */
    public static int bind(int fd, byte[] address) {
        return Holder.LIBC.bind(fd, address, address.length);
    }

    public static long send(int fd, byte[] buffer, int flags) {
        return Holder.LIBC.send(fd, buffer, buffer.length, flags);
    }

    public static long recv(int fd, byte[] buffer, int flags) {
        return Holder.LIBC.recv(fd, buffer, buffer.length, flags);
    }

    public static int setsockopt(int fd, int level, int name, byte[] value) {
        return Holder.LIBC.setsockopt(fd, level, name, value, value.length);
    }

    public static int close(int fd) {
        return Holder.LIBC.close(fd);
    }

    /** The errno the last failed call of this thread left. */
    public static int lastError() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    /** libc's description of {@code errno}, e.g. "No such file or directory". */
    public static String strerror(int errno) {
        return Holder.LIBC.strerror(errno);
    }
}
