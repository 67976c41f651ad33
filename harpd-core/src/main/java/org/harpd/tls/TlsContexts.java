package org.harpd.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** TLS contexts for the listener. */
public final class TlsContexts {
    /** The original spoke only TLSv1, which today's clients refuse; older versions than 1.2 are unsafe. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * The suites offered unless {@code network.tls_ciphers} says otherwise: for TLS 1.2 only ephemeral
     * (EC)DH key exchange, so a key that leaks later does not decrypt recorded sessions, and only AEAD ciphers,
     * never CBC with SHA-1; TLS 1.3 has nothing else. Every TLS 1.2 client library of the last decade offers
     * at least one of them (Python 2.7's ssl from OpenSSL 1.0.1 on).
     */
    public static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts() {
    }

    /**
     * A server context on the {@linkplain TlsEngine#selected() selected} engine.
     *
     * @see #server(Path, Path, TlsEngine)
     */
    public static SslContext server(Path certChainPem, Path keyPem) throws TlsConfigException {
        return server(certChainPem, keyPem, TlsEngine.selected());
    }

    /** A server context offering the {@link #DEFAULT_CIPHERS}. */
    public static SslContext server(Path certChainPem, Path keyPem, TlsEngine engine) throws TlsConfigException {
        return server(certChainPem, keyPem, engine, DEFAULT_CIPHERS);
    }

    /**
     * @return the names in {@code ciphers} that {@code engine} does not implement, in their order; a context
     * would silently leave them out
     */
    public static List<String> unsupported(List<String> ciphers, TlsEngine engine) throws TlsConfigException {
        Set<String> known;
        if (engine == TlsEngine.OPENSSL) {
            known = OpenSsl.availableJavaCipherSuites();
        } else {
            try {
                known = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            } catch (GeneralSecurityException e) {
                throw new TlsConfigException("the JDK's TLS is not usable: " + PemFiles.reason(e), e);
            }
        }
        return ciphers.stream().filter(name -> !known.contains(name)).toList();
    }

    /**
     * A server context speaking TLSv1.3 and TLSv1.2 only, with the given cipher suites.
     *
     * @param certChainPem PEM certificates, the server's own first, then the CAs that signed it
     * @param keyPem       the unencrypted private key of the first certificate: PKCS#8, PKCS#1 RSA or SEC1 EC;
     *                     may be the same file as {@code certChainPem}
     * @param ciphers      IANA names, in the server's order of preference; names the engine does not implement
     *                     are left out (see {@link #unsupported})
     * @throws TlsConfigException one line naming the file and the problem, e.g. a key that does not match
     *                            the certificate
     */
    public static SslContext server(Path certChainPem, Path keyPem, TlsEngine engine, List<String> ciphers)
            throws TlsConfigException {
        List<X509Certificate> chain = PemFiles.certificates(certChainPem);
        PrivateKey key = PemFiles.privateKey(keyPem);
        requireMatch(key, chain.get(0), certChainPem, keyPem);
        try {
            return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(engine.provider())
                    .protocols(PROTOCOLS)
                    .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException(certChainPem + ": cannot set up TLS with this certificate and key "
                    + keyPem + ": " + PemFiles.reason(e), e);
        }
    }

    /**
     * Proves the key belongs to the certificate by signing with one and verifying with the other; this works
     * the same for every key type, unlike comparing key parameters.
     */
    private static void requireMatch(PrivateKey key, X509Certificate leaf, Path certFile, Path keyFile)
            throws TlsConfigException {
        PublicKey publicKey = leaf.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new TlsConfigException(keyFile + ": unsupported key type " + key.getAlgorithm()
                    + " (use RSA or EC)");
        };
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            throw new TlsConfigException(keyFile + ": key does not match certificate " + certFile + " ("
                    + key.getAlgorithm() + " key, " + publicKey.getAlgorithm() + " certificate)");
        }
        byte[] probe = ("harpd key check " + new SecureRandom().nextLong()).getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false; // e.g. an EC key on another curve than the certificate's
        }
        if (!matches) {
            throw new TlsConfigException(keyFile + ": key does not match certificate " + certFile);
        }
    }
}
