package org.harpd.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Writes a fresh self-signed server certificate and its key, for first runs and tests. The certificate
 * names {@code localhost}, {@code 127.0.0.1} and {@code ::1} (plus the common name) as subject alternative
 * names, so loopback clients that check host names accept it, and it is valid for about ten years.
 * It is an end-entity certificate that clients trust by listing it as their CA file.
 */
public final class SelfSignedCertificate {
    private static final Duration VALIDITY = Duration.ofDays(3652);
    /** Tolerates clocks of clients running somewhat behind. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private SelfSignedCertificate() {
    }

    /**
     * Generates a key pair and certificate and writes them as PEM; the key file gets mode 0600 before
     * any key material is written to it. Existing files are replaced.
     *
     * @throws IOException if a file cannot be written
     */
    public static void write(Path certFile, Path keyFile, String commonName, KeyKind kind, KeyFormat format)
            throws IOException {
        try {
            KeyPair pair = generate(kind);
            X509Certificate certificate = certificate(pair, commonName, kind);
            writeAtomically(keyFile, pem(keyPem(pair, format)), "rw-------");
            writeAtomically(certFile, pem(new PemObject("CERTIFICATE", certificate.getEncoded())), "rw-r--r--");
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("the JDK cannot generate a " + kind + " certificate", e);
        }
    }

    private static KeyPair generate(KeyKind kind) throws GeneralSecurityException {
        KeyPairGenerator generator;
        if (kind == KeyKind.RSA) {
            generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
        } else {
            generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(KeyPair pair, String commonName, KeyKind kind)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                extensions.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                extensions.createAuthorityKeyIdentifier(pair.getPublic()));
        int usage = kind == KeyKind.RSA ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature;
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(commonName));
        String signature = kind == KeyKind.RSA ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));
    }

    private static GeneralNames alternativeNames(String commonName) {
        List<GeneralName> names = new ArrayList<>(List.of(
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")));
        if (!List.of("localhost", "127.0.0.1", "::1").contains(commonName) && !commonName.isEmpty()) {
            names.add(IPAddress.isValid(commonName) ? new GeneralName(GeneralName.iPAddress, commonName)
                    : new GeneralName(GeneralName.dNSName, commonName));
        }
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static PemObject keyPem(KeyPair pair, KeyFormat format) throws IOException {
        PrivateKey key = pair.getPrivate();
        if (format == KeyFormat.PKCS8) {
            return new PemObject("PRIVATE KEY", key.getEncoded());
        }
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        if (key instanceof ECPrivateKey ec) {
            // The JDK's inner EC structure leaves out the curve and public key, which OpenSSL needs
            // in a stand-alone SEC1 file; rebuild it complete.
            SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    ec.getParams().getOrder().bitLength(), ec.getS(), publicKey.getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
        }
        return new PemObject("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
    }

    private static byte[] pem(PemObject object) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Written to a private temporary file first, so the target is never seen half written or too open. */
    private static void writeAtomically(Path target, byte[] content, String mode) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null) {
            throw new IOException(target + ": not a file name");
        }
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temporary, content);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(mode));
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
