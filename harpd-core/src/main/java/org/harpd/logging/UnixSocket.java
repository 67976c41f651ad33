package org.harpd.logging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.harpd.posix.UnixSocketCalls;

/**
 * An AF_UNIX socket through libc ({@link UnixSocketCalls}), because Java 17's NIO has unix stream channels but no
 * unix datagrams, and syslog's {@code /dev/log} is a datagram socket. Linux constants and {@code sockaddr_un}
 * layout.
 */
public final class UnixSocket implements AutoCloseable {
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    private static final int AF_UNIX = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SUN_PATH_MAX = 108;
    private static final int EINTR = 4;

    private final int type;
    private int fd;

    private UnixSocket(int type, int fd) {
        this.type = type;
        this.fd = fd;
    }

    public static UnixSocket open(int type) throws IOException {
        int fd = UnixSocketCalls.socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw error("socket");
        }
        return new UnixSocket(type, fd);
    }

    public int type() {
        return type;
    }

    public void connect(String path) throws IOException {
        byte[] address = address(path);
        if (UnixSocketCalls.connect(fd, address) != 0) {
            throw new IOException(reason());
        }
    }

    public void bind(String path) throws IOException {
        byte[] address = address(path);
        if (UnixSocketCalls.bind(fd, address) != 0) {
            throw new IOException(path + ": " + reason());
        }
    }

    /** Sends everything (a stream socket may take it in pieces; a datagram goes whole or fails). */
    public void send(byte[] data) throws IOException {
        int offset = 0;
        while (offset < data.length) {
            byte[] rest = offset == 0 ? data : java.util.Arrays.copyOfRange(data, offset, data.length);
            long sent = UnixSocketCalls.send(fd, rest, MSG_NOSIGNAL);
            if (sent < 0) {
                if (UnixSocketCalls.lastError() == EINTR) {
                    continue;
                }
                throw error("send");
            }
            offset += (int) sent;
        }
    }

    /** One datagram (or what a stream has); -1 when the receive timeout passed. */
    public int receive(byte[] buffer) throws IOException {
        while (true) {
            long got = UnixSocketCalls.recv(fd, buffer, 0);
            if (got >= 0) {
                return (int) got;
            }
            int errno = UnixSocketCalls.lastError();
            if (errno == 11) { // EAGAIN: SO_RCVTIMEO elapsed
                return -1;
            }
            if (errno != EINTR) {
                throw error("recv");
            }
        }
    }

    /** Bounds {@link #receive} so a reader never hangs forever. */
    public void setReceiveTimeout(long millis) throws IOException {
        ByteBuffer timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        timeval.putLong(millis / 1000).putLong((millis % 1000) * 1000);
        if (UnixSocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval.array()) != 0) {
            throw error("setsockopt");
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            UnixSocketCalls.close(fd);
            fd = -1;
        }
    }

    /** {@code struct sockaddr_un}: a native-order sa_family_t, then the NUL-terminated path. */
    private static byte[] address(String path) throws IOException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SUN_PATH_MAX) {
            throw new IOException(path + ": socket path too long");
        }
        ByteBuffer address = ByteBuffer.allocate(2 + bytes.length + 1).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX).put(bytes).put((byte) 0);
        return address.array();
    }

    private static IOException error(String what) {
        return new IOException(what + ": " + reason());
    }

    /** strerror(errno) of the last call, e.g. "No such file or directory". */
    private static String reason() {
        return UnixSocketCalls.strerror(UnixSocketCalls.lastError());
    }
}
