package org.harpd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.DecoderException;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.harpd.it.Daemon;
import org.harpd.it.Wire;

/**
 * One call of a procedure over a new TLS connection, as the protocol requires. No TLS session is resumed: every
 * call pays a full handshake, like a client without a session cache (the Python client, for one).
 */
public final class Call {
    /** The client's TLS implementation. */
    public enum Client {
        /** BoringSSL through Netty, about a C client's cost; the default where it loads */
        OPENSSL,
        /** the JDK's SSLSocket, as {@code org.harpd.client.HarpClient} uses; a new SSLContext per call */
        JDK
    }

    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Longer than any queueing the daemon should impose; a call waiting longer counts as a timeout. */
    static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final byte[] request;
    private final Client client;
    private final OpenSslClient openSsl;

    public Call(int port, String procedure, Client client) {
        this.port = port;
        this.client = client;
        this.openSsl = client == Client.OPENSSL ? new OpenSslClient() : null;
        this.request = ("{\"harp\": 1, \"procedure\": \"" + procedure + "\", \"arguments\": [], \"auth\": {\"user\": \""
                + Daemon.USER + "\", \"password\": \"" + Daemon.PASSWORD + "\"}}\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * How a call ended.
     *
     * @param error     null on success, otherwise the kind of failure (an error kind to count)
     * @param workerPid the worker's process id the procedure returned, -1 if none
     */
    public record Outcome(String error, long workerPid) {
        static Outcome failed(String error) {
            return new Outcome(error, -1);
        }
    }

    /** Runs the call (the procedure is expected to return its process id). */
    public Outcome run() {
        return client == Client.OPENSSL ? runOnOpenSsl() : runOnJdk();
    }

    private Outcome runOnOpenSsl() {
        try {
            return outcome(parse(openSsl.exchange(port, request, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS)));
        } catch (TimeoutException e) {
            return Outcome.failed("timeout");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof DecoderException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            if (cause instanceof EOFException) {
                return Outcome.failed("closed before result");
            }
            return failure(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        } catch (Exception e) {
            return Outcome.failed("client: " + e);
        }
    }

    private static Outcome outcome(JsonNode message) {
        String verdict = verdict(message);
        return verdict.isEmpty() ? new Outcome(null, message.get("result").asLong(-1)) : Outcome.failed(verdict);
    }

    static JsonNode parse(String line) throws IOException {
        return JSON.readTree(line);
    }

    private Outcome runOnJdk() {
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket()) {
            // Without it, the client's Finished and its request line are two small writes: Nagle holds the second
            // until the daemon's delayed ACK (40 ms on Linux), a wait that measures the client, not the daemon.
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode message = parse(line);
                if (verdict(message) != null) {
                    return outcome(message);
                }
            }
            return Outcome.failed("closed before result");
        } catch (Exception e) {
            return failure(e);
        }
    }

    /** The kind of failure an exception from either client stands for. */
    private static Outcome failure(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return Outcome.failed("timeout");
        }
        if (e instanceof ConnectException) {
            return Outcome.failed("connect refused");
        }
        if (e instanceof SSLException) {
            return Outcome.failed("tls: " + e.getMessage());
        }
        if (e instanceof SocketException) {
            String message = String.valueOf(e.getMessage());
            return Outcome.failed(message.contains("reset") ? "reset"
                    : message.contains("Broken pipe") ? "broken pipe" : "socket: " + message);
        }
        if (e instanceof IOException) {
            return Outcome.failed("io: " + e);
        }
        return Outcome.failed("client: " + e);
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
        if (client == Client.OPENSSL) {
            try {
                return openSsl.negotiated(port) + " (client: BoringSSL)";
            } catch (Exception e) {
                return "unknown (" + e + ")";
            }
        }
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite() + " (client: JDK)";
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }
}
