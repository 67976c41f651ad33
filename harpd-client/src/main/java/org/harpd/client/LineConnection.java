package org.harpd.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.harpd.protocol.LineReader;

/** One connection (TLS to harpd, plain TCP to the dispatcher) carrying newline-terminated lines. */
final class LineConnection implements Closeable {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Socket plain;
    private final Socket socket;
    private final LineReader in;
    private final OutputStream out;

    private LineConnection(Socket plain, Socket socket) throws IOException {
        this.plain = plain;
        this.socket = socket;
        // No limit, as Python's harp client reads a reply: the daemon the caller chose to trust decides its size.
        this.in = new LineReader(socket.getInputStream(), LineReader.UNBOUNDED, 8192);
        this.out = socket.getOutputStream();
    }

    static LineConnection open(SSLContext tls, String host, int port, Duration timeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Socket plain = new Socket();
        try {
            // A handshake's last flight then the request line: with Nagle on, the line would wait for the
            // daemon's delayed ACK (40 ms on Linux) on every call.
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), millis);
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
            List<String> supported = Arrays.asList(socket.getSupportedProtocols());
            socket.setEnabledProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
            socket.setSoTimeout(millis);
            socket.startHandshake();
            return new LineConnection(plain, socket);
        } catch (IOException e) {
            closeQuietly(plain);
            throw new CommunicationError("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * A plain TCP connection, as the dispatcher's protocol uses.
     *
     * @param connectTimeout for connecting
     * @param readTimeout    for each read; zero waits for ever (a job's result may be hours away)
     */
    static LineConnection openPlain(String host, int port, Duration connectTimeout, Duration readTimeout) {
        Socket plain = new Socket();
        try {
            // one request line right after the handshake: do not hold it back for the server's delayed ACK
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            return new LineConnection(plain, plain);
        } catch (IOException e) {
            closeQuietly(plain);
            throw new CommunicationError("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new CommunicationError("cannot send: " + e.getMessage(), e);
        }
    }

    /**
     * Half-close: the server sees the end of the request stream but can still answer. At the TCP level (a
     * FIN), not TLS's: after a close_notify some TLS implementations (BoringSSL) close both directions.
     */
    void shutdownOutput() {
        try {
            plain.shutdownOutput();
        } catch (IOException e) {
            throw new CommunicationError("cannot shut down output: " + e.getMessage(), e);
        }
    }

    /** @return the next line without its newline, or null at end of stream */
    String readLine() {
        try {
            byte[] line = in.next();
            if (line == null) {
                if (in.endedMidLine()) {
                    throw new CommunicationError("connection closed in the middle of a message");
                }
                return null;
            }
            return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommunicationError("cannot receive: " + e.getMessage(), e);
        }
    }

    /** Every remaining line until the server closes. */
    List<String> readAll() {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); line != null; line = readLine()) {
            lines.add(line);
        }
        return lines;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do for a connection being abandoned
        }
    }
}
