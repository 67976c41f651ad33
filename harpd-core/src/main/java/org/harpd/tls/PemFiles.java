package org.harpd.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files harpd.conf names. Other PEM blocks in the same file are skipped, so that a combined
 * certificate-and-key file, or a key preceded by {@code EC PARAMETERS}, works as it does with OpenSSL.
 * Keys are converted with the JDK's own providers, so the TLS stack gets the key types it knows.
 */
final class PemFiles {
    private PemFiles() {
    }

    /** All certificates in the file, in file order (for a chain: leaf first). */
    static List<X509Certificate> certificates(Path file) throws TlsConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsConfigException(file + ": invalid certificate: " + reason(e), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException(file + ": no certificate found (expected a PEM 'BEGIN CERTIFICATE' block)");
        }
        return certificates;
    }

    /** The first private key in the file: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted. */
    static PrivateKey privateKey(Path file) throws TlsConfigException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : objects(file)) {
            try {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            } catch (IOException | RuntimeException e) {
                throw new TlsConfigException(file + ": unusable private key: " + reason(e), e);
            }
            if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new TlsConfigException(file + ": encrypted private keys are not supported"
                        + " (harpd starts unattended; store the key unencrypted with mode 0600)");
            }
        }
        throw new TlsConfigException(file + ": no private key found (expected a PEM 'BEGIN PRIVATE KEY',"
                + " 'BEGIN RSA PRIVATE KEY' or 'BEGIN EC PRIVATE KEY' block)");
    }

    private static List<Object> objects(Path file) throws TlsConfigException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(file + ": cannot read: no such file", e);
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(file + ": cannot read: permission denied", e);
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports malformed PEM/DER with runtime exceptions as well as IOExceptions
            throw new TlsConfigException(file + ": not a usable PEM file: " + reason(e), e);
        }
        return objects;
    }

    static String reason(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return message.replaceAll("\\s+", " ").strip();
    }
}
