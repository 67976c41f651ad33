package org.harpd.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TlsContextsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void generateCertificates() throws IOException {
        for (KeyKind kind : KeyKind.values()) {
            for (KeyFormat format : KeyFormat.values()) {
                SelfSignedCertificate.write(cert(kind, format), key(kind, format), "localhost", kind, format);
            }
        }
    }

    private static Path cert(KeyKind kind, KeyFormat format) {
        return dir.resolve(kind + "-" + format + ".crt");
    }

    private static Path key(KeyKind kind, KeyFormat format) {
        return dir.resolve(kind + "-" + format + ".key");
    }

    /** Both engines where OpenSSL loads; {@link #openSslShipsForThisPlatform} fails where it should and does not. */
    static Stream<TlsEngine> engines() {
        return OpenSsl.isAvailable() ? Stream.of(TlsEngine.values()) : Stream.of(TlsEngine.JDK);
    }

    static Stream<Arguments> keysAndProtocols() {
        return engines().flatMap(engine -> Stream.of(KeyKind.values()).flatMap(kind ->
                Stream.of(KeyFormat.values()).flatMap(format -> Stream.of("TLSv1.3", "TLSv1.2")
                        .map(protocol -> Arguments.of(engine, kind, format, protocol)))));
    }

    @Test
    void openSslShipsForThisPlatform() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").equals("Linux") && Set.of("amd64", "aarch64").contains(arch),
                "the distribution carries BoringSSL for Linux x86-64 and ARM64 only, this is "
                        + System.getProperty("os.name") + " " + arch);
        assertTrue(OpenSsl.isAvailable(), () -> "OpenSSL did not load: " + OpenSsl.unavailabilityCause());
        assertEquals(TlsEngine.OPENSSL, withEngineProperty(null, TlsEngine::selected));
        assertEquals(TlsEngine.OPENSSL, withEngineProperty("auto", TlsEngine::selected));
        assertTrue(TlsEngine.OPENSSL.describe().contains("BoringSSL"), TlsEngine.OPENSSL.describe());
    }

    @Test
    void engineCanBeChosenAndAnUnknownOneIsRefusedOnOneLine() throws Exception {
        assertEquals(TlsEngine.JDK, withEngineProperty("jdk", TlsEngine::selected));
        assertEquals(TlsEngine.JDK, withEngineProperty(" JDK ", TlsEngine::selected));
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> withEngineProperty("gnutls", TlsEngine::selected));
        assertEquals("-Dharpd.tls.engine=gnutls: unknown TLS engine (auto, openssl or jdk)", e.getMessage());
        if (OpenSsl.isAvailable()) {
            assertEquals(TlsEngine.OPENSSL, withEngineProperty("openssl", TlsEngine::selected));
        } else {
            assertThrows(TlsConfigException.class, () -> withEngineProperty("openssl", TlsEngine::selected));
        }
    }

    @ParameterizedTest(name = "{0}: {1} {2} key over {3}")
    @MethodSource("keysAndProtocols")
    void everyKeyFormatCompletesARealHandshake(TlsEngine engine, KeyKind kind, KeyFormat format, String protocol)
            throws Exception {
        String header = Files.readAllLines(key(kind, format)).get(0);
        String expectedHeader = format == KeyFormat.PKCS8 ? "-----BEGIN PRIVATE KEY-----"
                : "-----BEGIN " + kind + " PRIVATE KEY-----";
        assertEquals(expectedHeader, header);

        SslContext context = TlsContexts.server(cert(kind, format), key(kind, format), engine);
        assertEquals(protocol, handshake(context, cert(kind, format), protocol));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void serverEnginesEnableOnlyTls13And12(TlsEngine tlsEngine) throws Exception {
        SSLEngine engine = TlsContexts.server(cert(KeyKind.RSA, KeyFormat.PKCS8), key(KeyKind.RSA, KeyFormat.PKCS8),
                tlsEngine).newEngine(ByteBufAllocator.DEFAULT);
        try {
            Set<String> enabled = new java.util.HashSet<>(List.of(engine.getEnabledProtocols()));
            // Netty's OpenSSL engine always lists the SSLv2-format hello, a record layout rather than a protocol;
            // the version a hello asks for is what counts, checked with a real hello below
            enabled.remove("SSLv2Hello");
            assertEquals(Set.of("TLSv1.3", "TLSv1.2"), enabled);
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void tls11ClientHelloIsRefusedWhileTheSameHelloAsTls12IsAnswered(TlsEngine engine) throws Exception {
        SslContext context = TlsContexts.server(cert(KeyKind.RSA, KeyFormat.PKCS8), key(KeyKind.RSA, KeyFormat.PKCS8),
                engine);
        try (LoopbackTlsServer server = new LoopbackTlsServer(context)) {
            assertEquals(HANDSHAKE, firstRecordType(server.port(), 0x0303), "control: a TLSv1.2 hello is answered");
            int answer = firstRecordType(server.port(), 0x0302);
            assertNotEquals(HANDSHAKE, answer, "a TLSv1.1 hello must not get a ServerHello");
            assertTrue(answer == ALERT || answer == -1, "alert or close, got " + answer);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void tls12WithoutForwardSecrecyOrWithCbcIsRefusedByDefault(TlsEngine engine) throws Exception {
        SslContext context = TlsContexts.server(cert(KeyKind.RSA, KeyFormat.PKCS8), key(KeyKind.RSA, KeyFormat.PKCS8),
                engine);
        try (LoopbackTlsServer server = new LoopbackTlsServer(context)) {
            assertEquals(HANDSHAKE, firstRecordType(server.port(), 0x0303, 0xC02F), "control: ECDHE-RSA-AES128-GCM");
            assertEquals(HANDSHAKE, firstRecordType(server.port(), 0x0303, 0xCCA8), "control: ECDHE-RSA-CHACHA20");
            for (int suite : new int[] {RSA_AES128_GCM, RSA_AES128_CBC_SHA, RSA_AES256_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA,
                    ECDHE_RSA_AES256_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA256}) {
                int answer = firstRecordType(server.port(), 0x0303, suite);
                assertNotEquals(HANDSHAKE, answer, () -> String.format("suite 0x%04X must not get a ServerHello", suite));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void configuredSuitesAreOfferedForOldClients(TlsEngine engine) throws Exception {
        List<String> ciphers = new java.util.ArrayList<>(TlsContexts.DEFAULT_CIPHERS);
        ciphers.add("TLS_RSA_WITH_AES_128_CBC_SHA");
        assertEquals(List.of(), TlsContexts.unsupported(ciphers, engine));
        SslContext context = TlsContexts.server(cert(KeyKind.RSA, KeyFormat.PKCS8), key(KeyKind.RSA, KeyFormat.PKCS8),
                engine, ciphers);
        try (LoopbackTlsServer server = new LoopbackTlsServer(context)) {
            assertEquals(HANDSHAKE, firstRecordType(server.port(), 0x0303, RSA_AES128_CBC_SHA));
            assertNotEquals(HANDSHAKE, firstRecordType(server.port(), 0x0303, RSA_AES256_CBC_SHA), "not configured");
        }
        assertEquals("TLSv1.3", handshake(context, cert(KeyKind.RSA, KeyFormat.PKCS8), "TLSv1.3"));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void unsupportedSuiteNamesAreReported(TlsEngine engine) throws Exception {
        assertEquals(List.of(), TlsContexts.unsupported(TlsContexts.DEFAULT_CIPHERS, engine));
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA257"), TlsContexts.unsupported(
                List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA257"), engine));
    }

    @Test
    void combinedFileWithEcParametersBlockServesAsCertificateAndKey() throws Exception {
        Path combined = dir.resolve("combined.pem");
        String ecParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        Files.writeString(combined, ecParameters + Files.readString(key(KeyKind.EC, KeyFormat.PKCS1))
                + Files.readString(cert(KeyKind.EC, KeyFormat.PKCS1)));
        assertEquals("TLSv1.3", handshake(TlsContexts.server(combined, combined), combined, "TLSv1.3"));
    }

    @Test
    void chainKeepsEveryCertificateLeafFirst() throws Exception {
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(cert(KeyKind.RSA, KeyFormat.PKCS8))
                + Files.readString(cert(KeyKind.EC, KeyFormat.PKCS8)));
        List<X509Certificate> certificates = PemFiles.certificates(chain);
        assertEquals(2, certificates.size());
        assertEquals("RSA", certificates.get(0).getPublicKey().getAlgorithm());
        assertEquals("TLSv1.2", handshake(TlsContexts.server(chain, key(KeyKind.RSA, KeyFormat.PKCS8)),
                cert(KeyKind.RSA, KeyFormat.PKCS8), "TLSv1.2"));
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws IOException {
        Path otherCert = dir.resolve("other.crt");
        Path otherKey = dir.resolve("other.key");
        SelfSignedCertificate.write(otherCert, otherKey, "localhost", KeyKind.RSA, KeyFormat.PKCS8);
        Path cert = cert(KeyKind.RSA, KeyFormat.PKCS8);
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(cert, otherKey));
        assertEquals(otherKey + ": key does not match certificate " + cert, e.getMessage());
    }

    @Test
    void keyOfAnotherTypeIsRefused() {
        Path cert = cert(KeyKind.RSA, KeyFormat.PKCS8);
        Path ecKey = key(KeyKind.EC, KeyFormat.PKCS8);
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(cert, ecKey));
        assertEquals(ecKey + ": key does not match certificate " + cert + " (EC key, RSA certificate)",
                e.getMessage());
    }

    @Test
    void keyFileWithoutKeyIsRefused() {
        Path cert = cert(KeyKind.RSA, KeyFormat.PKCS8);
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(cert, cert));
        assertTrue(e.getMessage().startsWith(cert + ": no private key found"), e.getMessage());
    }

    @Test
    void certificateFileWithoutCertificateIsRefused() throws IOException {
        Path key = key(KeyKind.RSA, KeyFormat.PKCS8);
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(key, key));
        assertTrue(e.getMessage().startsWith(key + ": no certificate found"), e.getMessage());
        Path text = dir.resolve("text.pem");
        Files.writeString(text, "hello\n");
        e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(text, key));
        assertTrue(e.getMessage().startsWith(text + ": no certificate found"), e.getMessage());
    }

    @Test
    void corruptPemIsRefusedOnOneLine() throws IOException {
        Path broken = dir.resolve("broken.crt");
        Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n");
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> TlsContexts.server(broken, key(KeyKind.RSA, KeyFormat.PKCS8)));
        assertTrue(e.getMessage().startsWith(broken + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("missing.crt");
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> TlsContexts.server(missing, key(KeyKind.RSA, KeyFormat.PKCS8)));
        assertEquals(missing + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void encryptedKeysAreRefusedInBothForms() throws Exception {
        Path cert = cert(KeyKind.RSA, KeyFormat.PKCS8);
        PrivateKey key = PemFiles.privateKey(key(KeyKind.RSA, KeyFormat.PKCS8));
        char[] password = "secret".toCharArray();
        var bc = new org.bouncycastle.jce.provider.BouncyCastleProvider(); // not registered globally

        StringWriter pkcs8 = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pkcs8)) {
            writer.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                    PKCS8Generator.AES_256_CBC).setProvider(bc).setPassword(password).build()));
        }
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(key, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(bc).build(password));
        }
        for (String pem : List.of(pkcs8.toString(), traditional.toString())) {
            Path encrypted = dir.resolve("encrypted.key");
            Files.writeString(encrypted, pem);
            TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.server(cert, encrypted));
            assertTrue(e.getMessage().startsWith(encrypted + ": encrypted private keys are not supported"),
                    e.getMessage());
        }
    }

    private static <T> T withEngineProperty(String value, Callable<T> body) throws Exception {
        String previous = System.getProperty(TlsEngine.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(TlsEngine.PROPERTY);
            } else {
                System.setProperty(TlsEngine.PROPERTY, value);
            }
            return body.call();
        } finally {
            if (previous == null) {
                System.clearProperty(TlsEngine.PROPERTY);
            } else {
                System.setProperty(TlsEngine.PROPERTY, previous);
            }
        }
    }

    // --- a JDK client, as the Java client library uses ---

    /** @return the negotiated protocol, after one byte went through and came back */
    private static String handshake(SslContext context, Path trustedCert, String protocol) throws Exception {
        try (LoopbackTlsServer server = new LoopbackTlsServer(context);
             Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port());
             SSLSocket socket = (SSLSocket) clientContext(trustedCert).getSocketFactory()
                     .createSocket(plain, "localhost", server.port(), true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // checks the certificate's names too
            parameters.setServerNames(List.of(new SNIHostName("localhost")));
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            socket.getOutputStream().write('x');
            socket.getOutputStream().flush();
            assertEquals('x', socket.getInputStream().read());
            return socket.getSession().getProtocol();
        }
    }

    private static SSLContext clientContext(Path trustedCert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(trustedCert)) {
            // the trusted certificate is the last one in combined files
            var certificates = CertificateFactory.getInstance("X.509").generateCertificates(
                    new java.io.ByteArrayInputStream(certificatesOnly(in.readAllBytes())));
            int i = 0;
            for (var certificate : certificates) {
                trust.setCertificateEntry("c" + i++, certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static byte[] certificatesOnly(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        StringBuilder out = new StringBuilder();
        int start = text.indexOf("-----BEGIN CERTIFICATE-----");
        while (start >= 0) {
            String end = "-----END CERTIFICATE-----";
            int stop = text.indexOf(end, start) + end.length();
            out.append(text, start, stop).append('\n');
            start = text.indexOf("-----BEGIN CERTIFICATE-----", stop);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // --- a hand-made ClientHello, so the client side's own protocol restrictions play no part ---

    private static final int HANDSHAKE = 22;
    private static final int ALERT = 21;
    private static final int RSA_AES128_GCM = 0x009C;
    private static final int RSA_AES128_CBC_SHA = 0x002F;
    private static final int RSA_AES256_CBC_SHA = 0x0035;
    private static final int ECDHE_RSA_AES128_CBC_SHA = 0xC013;
    private static final int ECDHE_RSA_AES256_CBC_SHA = 0xC014;
    private static final int ECDHE_RSA_AES128_CBC_SHA256 = 0xC027;

    /** Sends a minimal ClientHello claiming {@code version} and returns the content type of the answer. */
    private static int firstRecordType(int port, int version) throws IOException {
        return firstRecordType(port, version, 0xC02F, 0xC013, 0xC014, 0x002F, 0x0035); // ECDHE_RSA GCM/CBC, RSA CBC
    }

    /** The same, offering only the given cipher suites. */
    private static int firstRecordType(int port, int version, int... suites) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello(version, suites));
            out.flush();
            return new DataInputStream(socket.getInputStream()).read();
        }
    }

    private static byte[] clientHello(int version, int[] suites) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        body.writeBytes(new byte[32]); // random
        body.write(0); // no session id
        u16(body, suites.length * 2);
        for (int suite : suites) {
            u16(body, suite);
        }
        body.write(1);
        body.write(0); // null compression
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        extension(extensions, 0x000a, new int[] {0x00, 0x04, 0x00, 0x17, 0x00, 0x1d}); // groups: P-256, x25519
        extension(extensions, 0x000b, new int[] {0x01, 0x00}); // uncompressed points
        extension(extensions, 0x000d, new int[] {0x00, 0x04, 0x04, 0x01, 0x08, 0x04}); // rsa sha256, pss
        u16(body, extensions.size());
        body.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1); // client_hello
        handshake.write(0);
        u16(handshake, body.size());
        handshake.writeBytes(body.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(HANDSHAKE);
        u16(record, version);
        u16(record, handshake.size());
        record.writeBytes(handshake.toByteArray());
        return record.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, int[] data) {
        u16(out, type);
        u16(out, data.length);
        for (int b : data) {
            out.write(b);
        }
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value & 0xff);
    }
}
