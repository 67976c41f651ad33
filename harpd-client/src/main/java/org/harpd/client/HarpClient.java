package org.harpd.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.harpd.protocol.Json;

/**
 * A synchronous client for harpd, the Java counterpart of the Python {@code harp.HarpServer}: one TLS
 * connection per call, as the protocol wants.
 *
 * <pre>
 * HarpClient client = HarpClient.builder().host("localhost").user("u").password("p").caFile(ca).build();
 * JsonNode time = client.call("current_time");
 * </pre>
 *
 * Like the Python client, certificate checking verifies the chain only, not the host name.
 * Instances are immutable and may be shared between threads.
 */
public final class HarpClient {
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Duration timeout;
    private final SSLContext tls;

    private HarpClient(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.timeout = b.timeout;
        this.tls = b.tls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls with positional arguments. Arguments are converted as Jackson converts Java values
     * ({@link JsonNode}s pass as they are).
     *
     * @return the result; for a streaming procedure the final result, the streamed values being dropped
     */
    public JsonNode call(String procedure, Object... positionalArgs) {
        return callRaw(procedure, Json.MAPPER.valueToTree(Arrays.asList(positionalArgs))).value();
    }

    /** Calls with keyword arguments. */
    public JsonNode callKw(String procedure, Map<String, ?> kwargs) {
        return callRaw(procedure, Json.MAPPER.valueToTree(kwargs)).value();
    }

    /**
     * The procedures this client's user may call, sorted by name, each described as {@link #describe} does:
     * harpd's built-in {@code harpd.procedures}, answered without running any procedure.
     *
     * @throws RemoteError {@code no_such_procedure} from a harpd without discovery
     */
    public List<JsonNode> procedures() {
        List<JsonNode> descriptions = new ArrayList<>();
        call("harpd.procedures").forEach(descriptions::add);
        return descriptions;
    }

    /**
     * One procedure this client's user may call: harpd's built-in {@code harpd.describe}. The description is an
     * object: {@code name}, {@code kind} ({@code plain} or {@code streaming}), {@code signature} (e.g.
     * {@code add(a, b=..., *rest)}), {@code parameters}, {@code defaults} (how many trailing parameters have
     * one), {@code varargs} and {@code varkw} (names or null), {@code doc}, {@code timeout} (seconds or null),
     * {@code uid} (or null) and {@code gid} (a list).
     *
     * @throws RemoteError {@code no_such_procedure} when there is none, or the user may not call it
     */
    public JsonNode describe(String procedure) {
        return call("harpd.describe", procedure);
    }

    /**
     * Sends the call and collects every message until the server closes the connection.
     * Errors and exceptions are returned, not thrown (use {@link CallResult#value()} to throw them).
     *
     * @param arguments a JSON array (positional) or object (keyword)
     */
    public CallResult callRaw(String procedure, JsonNode arguments) {
        try (LineConnection connection = connect()) {
            connection.write(requestLine(procedure, arguments));
            List<String> lines = connection.readAll();
            List<JsonNode> messages = new ArrayList<>(lines.size());
            for (String line : lines) {
                messages.add(parse(line));
            }
            return new CallResult(messages, lines);
        }
    }

    /**
     * Starts a call and returns once it is acknowledged; streamed values are then read as they come.
     *
     * @throws RemoteError when the server refuses the call (the acknowledgement is replaced by an error)
     */
    public CallStream stream(String procedure, JsonNode arguments) {
        LineConnection connection = connect();
        try {
            connection.write(requestLine(procedure, arguments));
            return new CallStream(connection);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Sends arbitrary bytes and returns every message the server sent until it closed. */
    public List<JsonNode> sendRaw(byte[] bytes) {
        return sendRaw(bytes, false);
    }

    /**
     * @param halfClose shut down the sending side after the bytes (the server sees the end of input)
     */
    public List<JsonNode> sendRaw(byte[] bytes, boolean halfClose) {
        List<JsonNode> messages = new ArrayList<>();
        for (String line : sendRawLines(bytes, halfClose)) {
            messages.add(parse(line));
        }
        return messages;
    }

    /** As {@link #sendRaw(byte[], boolean)}, returning the exact lines (newline stripped). */
    public List<String> sendRawLines(byte[] bytes, boolean halfClose) {
        try (LineConnection connection = connect()) {
            if (bytes.length > 0) {
                connection.write(bytes);
            }
            if (halfClose) {
                connection.shutdownOutput();
            }
            return connection.readAll();
        }
    }

    /** The request line as the protocol defines it. */
    public byte[] requestLine(String procedure, JsonNode arguments) {
        ObjectNode auth = Json.MAPPER.createObjectNode().put("user", user).put("password", password);
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.set("arguments", arguments);
        request.set("auth", auth);
        request.put("harp", 1);
        request.put("procedure", procedure);
        return Json.line(request);
    }

    @Override
    public String toString() {
        return "HarpClient[" + user + "@" + host + ":" + port + "]";
    }

    private LineConnection connect() {
        return LineConnection.open(tls, host, port, timeout);
    }

    static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new CommunicationError("server sent a line that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Settings for {@link HarpClient}. Host, user and password are required. */
    public static final class Builder {
        private String host;
        private int port = 4306;
        private String user;
        private String password;
        private Duration timeout = Duration.ofSeconds(60);
        private SSLContext tls;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Default 4306, as the Python client's. */
        public Builder port(int port) {
            this.port = BuilderChecks.port(port);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** For connecting and for every read (a silent server fails the call after this long). Default 60 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = BuilderChecks.positiveTimeout(timeout);
            return this;
        }

        /** Accept any server certificate (the Python client's behaviour without {@code ca_file}). */
        public Builder trustAll() {
            this.tls = context(new TrustManager[] {new TrustEverything()});
            return this;
        }

        /** Accept servers whose certificate chains to one in this PEM file. */
        public Builder caFile(Path pemFile) {
            try (InputStream in = Files.newInputStream(pemFile)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + n++, certificate);
                }
                if (n == 0) {
                    throw new IllegalArgumentException("no certificate in " + pemFile);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                this.tls = context(factory.getTrustManagers());
                return this;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read CA certificates from " + pemFile + ": "
                        + e.getMessage(), e);
            }
        }

        /** Default when neither {@link #trustAll()} nor {@link #caFile} is given: the JVM's trusted CAs. */
        public HarpClient build() {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (tls == null) {
                tls = context(null);
            }
            return new HarpClient(this);
        }

        private static SSLContext context(TrustManager[] trust) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JVM offers no TLS", e);
            }
        }
    }

    /** For {@link Builder#trustAll()}: the caller has chosen not to authenticate the server. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
