package org.harpd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.harpd.it.Daemon;
import org.harpd.it.Wire;

/**
 * One call of a procedure over a new TLS connection, as the protocol requires. Each call builds its own
 * {@code SSLContext}, so no TLS session is resumed: every call pays a full handshake, like a client without a
 * session cache (the Python client, for one).
 */
public final class Call {
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Longer than any queueing the daemon should impose; a call waiting longer counts as a timeout. */
    static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final byte[] request;

    public Call(int port, String procedure) {
        this.port = port;
        this.request = ("{\"harp\": 1, \"procedure\": \"" + procedure + "\", \"arguments\": [], \"auth\": {\"user\": \""
                + Daemon.USER + "\", \"password\": \"" + Daemon.PASSWORD + "\"}}\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the call; returns null on success, otherwise the kind of failure (an error kind to count). */
    public String run() {
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String verdict = verdict(JSON.readTree(line));
                if (verdict != null) {
                    return verdict.isEmpty() ? null : verdict;
                }
            }
            return "closed before result";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (ConnectException e) {
            return "connect refused";
        } catch (SSLException e) {
            return "tls: " + e.getMessage();
        } catch (SocketException e) {
            String message = String.valueOf(e.getMessage());
            return message.contains("reset") ? "reset" : message.contains("Broken pipe") ? "broken pipe" : "socket: " + message;
        } catch (IOException e) {
            return "io: " + e;
        } catch (Exception e) {
            return "client: " + e;
        }
    }

    /** "" for a result, the failure's kind for an error or exception, null for a line that does not end the call. */
    static String verdict(JsonNode message) {
        if (message.has("result")) {
            return "";
        }
        if (message.has("error")) {
            return "error " + message.path("error").path("type").asText("?");
        }
        if (message.has("exception")) {
            return "exception " + message.path("exception").path("type").asText("?");
        }
        return null;
    }

    /** The protocol and cipher suite a connection to the daemon negotiates, for the report's header. */
    public String negotiated() {
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite();
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }
}
