package org.harpd.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Raw TLS lines to and from the daemon, for wire-exact assertions (the client class hides the wire). */
public final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();

    private Wire() {
    }

    public static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return ctx;
    }

    public static SSLSocket connect(int port) throws Exception {
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return socket;
    }

    /** Sends {@code bytes} as they are, then reads every line until the server closes. */
    public static List<String> exchange(int port, byte[] bytes) throws Exception {
        try (SSLSocket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            return readAll(socket);
        }
    }

    public static List<String> exchange(int port, String text) throws Exception {
        return exchange(port, text.getBytes(StandardCharsets.UTF_8));
    }

    public static List<String> readAll(SSLSocket socket) throws IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
            // a close without close_notify ends the exchange too
        }
        return lines;
    }

    /** A request line for user test/secret. */
    public static String request(String procedure, String argumentsJson) {
        return "{\"harp\": 1, \"procedure\": \"" + procedure + "\", \"arguments\": " + argumentsJson
                + ", \"auth\": {\"user\": \"" + Daemon.USER + "\", \"password\": \"" + Daemon.PASSWORD + "\"}}\n";
    }

    public static JsonNode parse(String line) throws IOException {
        return JSON.readTree(line);
    }
}
