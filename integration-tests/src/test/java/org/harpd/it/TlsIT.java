package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.harpd.tls.KeyFormat;
import org.harpd.tls.KeyKind;
import org.harpd.tls.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Certificates and keys in the formats operators have, and only modern TLS. */
class TlsIT {
    @ParameterizedTest(name = "{0} key in {1}")
    @CsvSource({"RSA, PKCS8", "RSA, PKCS1", "EC, PKCS8", "EC, PKCS1"})
    void servesTls12And13WithEveryKeyFormat(String kind, String format) throws Exception {
        Path dir = Files.createTempDirectory("harpd-tls");
        SelfSignedCertificate.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), "localhost",
                KeyKind.valueOf(kind), KeyFormat.valueOf(format));
        try (Daemon daemon = Daemon.builder().dir(dir).certificate(false).start()) {
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket("127.0.0.1", daemon.port())) {
                    socket.setEnabledProtocols(new String[] {protocol});
                    socket.startHandshake();
                    assertEquals(protocol, socket.getSession().getProtocol());
                    socket.getOutputStream().write(Wire.request("echo", "[\"x\"]").getBytes());
                    assertEquals("{\"result\": [\"x\"]}", Wire.readAll(socket).get(1));
                }
            }
            assertThrows(SSLHandshakeException.class, () -> {
                try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket("127.0.0.1", daemon.port())) {
                    socket.setEnabledProtocols(new String[] {"TLSv1.1"});
                    socket.startHandshake();
                }
            });
        }
    }

    @Test
    void tls12WithoutForwardSecrecyIsRefusedUnlessConfigured() throws Exception {
        String rsaKeyExchange = "TLS_RSA_WITH_AES_128_GCM_SHA256";
        try (Daemon daemon = Daemon.builder().start()) {
            assertThrows(SSLHandshakeException.class, () -> handshake(daemon, rsaKeyExchange));
            assertThrows(SSLHandshakeException.class, () -> handshake(daemon, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
            assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    handshake(daemon, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        }
        try (Daemon daemon = Daemon.builder().network("  tls_ciphers: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
                + rsaKeyExchange + "]\n").start()) {
            assertEquals(rsaKeyExchange, handshake(daemon, rsaKeyExchange));
        }
    }

    /** A TLS 1.2 handshake offering one suite, then a call; returns the suite the daemon chose. */
    private static String handshake(Daemon daemon, String suite) throws Exception {
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket("127.0.0.1", daemon.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.startHandshake();
            socket.getOutputStream().write(Wire.request("echo", "[\"x\"]").getBytes());
            assertEquals("{\"result\": [\"x\"]}", Wire.readAll(socket).get(1));
            return socket.getSession().getCipherSuite();
        }
    }
}
