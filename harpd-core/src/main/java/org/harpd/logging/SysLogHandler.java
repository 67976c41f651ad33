package org.harpd.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * {@code logging.handlers.SysLogHandler} as in Python 2.7: each record goes out as
 * {@code "<PRI>" + formatted message + "\0"} with PRI = facility * 8 + severity.
 * A unix socket is tried as a datagram socket, then as a stream socket (unless a type was given), and
 * is reconnected once when a send fails, so a restarted syslogd is picked up again.
 */
public final class SysLogHandler extends PythonHandler {
    private static final Map<String, Integer> FACILITIES = Map.ofEntries(
            Map.entry("kern", 0), Map.entry("user", 1), Map.entry("mail", 2), Map.entry("daemon", 3),
            Map.entry("auth", 4), Map.entry("security", 4), Map.entry("syslog", 5), Map.entry("lpr", 6),
            Map.entry("news", 7), Map.entry("uucp", 8), Map.entry("cron", 9), Map.entry("authpriv", 10),
            Map.entry("ftp", 11), Map.entry("local0", 16), Map.entry("local1", 17), Map.entry("local2", 18),
            Map.entry("local3", 19), Map.entry("local4", 20), Map.entry("local5", 21), Map.entry("local6", 22),
            Map.entry("local7", 23));
    public static final int DAEMON = 3;
    public static final int USER = 1;

    private final int facility;
    private final Transport transport;

    private SysLogHandler(int facility, Transport transport) {
        this.facility = facility;
        this.transport = transport;
    }

    public static Optional<Integer> facility(String name) {
        return Optional.ofNullable(FACILITIES.get(name));
    }

    /** @param socketType null (datagram, falling back to stream), or a {@link UnixSocket} type */
    public static SysLogHandler unix(String path, int facility, Integer socketType) throws IOException {
        UnixTransport transport = new UnixTransport(path, socketType);
        transport.connect();
        return new SysLogHandler(facility, transport);
    }

    public static SysLogHandler udp(String host, int port, int facility) throws IOException {
        return new SysLogHandler(facility, new UdpTransport(new InetSocketAddress(host, port)));
    }

    public static SysLogHandler tcp(String host, int port, int facility) throws IOException {
        TcpTransport transport = new TcpTransport(new InetSocketAddress(host, port));
        transport.connect();
        return new SysLogHandler(facility, transport);
    }

    /** Python's priority_map, falling back to "warning". */
    static int severity(int levelno) {
        switch (levelno) {
            case PythonLevels.DEBUG: return 7;
            case PythonLevels.INFO: return 6;
            case PythonLevels.WARNING: return 4;
            case PythonLevels.ERROR: return 3;
            case PythonLevels.CRITICAL: return 2;
            default: return 4;
        }
    }

    @Override
    protected void emit(PythonLogRecord record, String formatted) throws IOException {
        String message = "<" + (facility * 8 + severity(record.levelno())) + ">" + formatted + "\0";
        transport.send(message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void close() {
        transport.close();
    }

    private interface Transport {
        void send(byte[] message) throws IOException;

        void close();
    }

    private static final class UnixTransport implements Transport {
        private final String path;
        private final Integer requestedType;
        private UnixSocket socket;

        UnixTransport(String path, Integer requestedType) {
            this.path = path;
            this.requestedType = requestedType;
        }

        synchronized void connect() throws IOException {
            close();
            int first = requestedType == null ? UnixSocket.SOCK_DGRAM : requestedType;
            try {
                socket = connected(first);
            } catch (IOException e) {
                if (requestedType != null) {
                    throw e;
                }
                socket = connected(UnixSocket.SOCK_STREAM);
            }
        }

        private UnixSocket connected(int type) throws IOException {
            UnixSocket candidate = UnixSocket.open(type);
            try {
                candidate.connect(path);
                return candidate;
            } catch (IOException e) {
                candidate.close();
                throw e;
            }
        }

        @Override
        public synchronized void send(byte[] message) throws IOException {
            try {
                if (socket == null) {
                    connect();
                }
                socket.send(message);
            } catch (IOException e) {
                connect();
                socket.send(message);
            }
        }

        @Override
        public synchronized void close() {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }

    private static final class UdpTransport implements Transport {
        private final InetSocketAddress target;
        private final DatagramSocket socket;

        UdpTransport(InetSocketAddress target) throws IOException {
            if (target.isUnresolved()) {
                throw new IOException("cannot resolve " + target.getHostString());
            }
            this.target = target;
            this.socket = new DatagramSocket();
        }

        @Override
        public void send(byte[] message) throws IOException {
            socket.send(new DatagramPacket(message, message.length, target));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static final class TcpTransport implements Transport {
        private final InetSocketAddress target;
        private Socket socket;
        private OutputStream out;

        TcpTransport(InetSocketAddress target) {
            this.target = target;
        }

        synchronized void connect() throws IOException {
            close();
            socket = new Socket();
            socket.connect(target);
            out = socket.getOutputStream();
        }

        @Override
        public synchronized void send(byte[] message) throws IOException {
            try {
                if (socket == null) {
                    connect();
                }
                out.write(message);
                out.flush();
            } catch (IOException e) {
                connect();
                out.write(message);
                out.flush();
            }
        }

        @Override
        public synchronized void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing left to release
                }
                socket = null;
            }
        }
    }
}
