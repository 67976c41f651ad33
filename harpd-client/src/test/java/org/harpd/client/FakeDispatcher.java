package org.harpd.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted stand-in for the harpcallerd dispatcher on loopback: plain TCP, one request line per connection.
 * Each request line is recorded exactly as received; each connection is answered with the scripted lines, then
 * closed.
 */
final class FakeDispatcher implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread thread;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Function<String, List<byte[]>> replies = request -> List.of();

    FakeDispatcher() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "fake-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Every connection from now on is answered with these lines (a newline is added to each). */
    void reply(String... lines) {
        List<byte[]> bytes = new ArrayList<>();
        for (String line : lines) {
            bytes.add((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        replyRaw(bytes);
        requests.clear();
    }

    /** Every connection from now on is answered with these bytes, sent as they are. */
    void replyRaw(List<byte[]> chunks) {
        List<byte[]> copy = List.copyOf(chunks);
        replies = request -> copy;
        requests.clear();
    }

    /** Every connection from now on is answered with the line the function gives for its request line. */
    void replyBy(Function<String, String> line) {
        replies = request -> List.of((line.apply(request) + "\n").getBytes(StandardCharsets.UTF_8));
        requests.clear();
    }

    /** The request lines received since the last script, newline included. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws Exception {
        listener.close();
        thread.join(5000);
    }

    private void serve() {
        while (true) {
            try (Socket connection = listener.accept()) {
                connection.setSoTimeout(10_000);
                answer(connection);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void answer(Socket connection) throws IOException {
        InputStream in = connection.getInputStream();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        int b;
        do {
            b = in.read();
            if (b < 0) {
                return;
            }
            request.write(b);
        } while (b != '\n');
        String line = request.toString(StandardCharsets.UTF_8);
        requests.add(line);
        OutputStream out = connection.getOutputStream();
        for (byte[] chunk : replies.apply(line)) {
            out.write(chunk);
        }
        out.flush();
        // half-close and wait for the client to hang up, so no reset can destroy replies in flight
        connection.shutdownOutput();
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // drain
            }
        } catch (IOException e) {
            // the client went away
        }
    }
}
