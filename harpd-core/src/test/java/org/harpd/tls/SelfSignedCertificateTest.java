package org.harpd.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
    @TempDir
    Path dir;

    private static X509Certificate read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void keyIsPrivateAndCertificateIsReadable() throws IOException {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        SelfSignedCertificate.write(cert, key, "localhost", KeyKind.EC, KeyFormat.PKCS8);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)));
        try (var leftovers = Files.list(dir)) {
            assertEquals(Set.of(cert, key), leftovers.collect(Collectors.toSet()), "no temporary files left");
        }
    }

    @Test
    void theRootDirectoryAsAFileIsAnErrorNamingIt() {
        IOException e = assertThrows(IOException.class,
                () -> SelfSignedCertificate.write(dir.resolve("c.pem"), Path.of("/"), "localhost", KeyKind.EC,
                        KeyFormat.PKCS8));
        assertEquals("/: not a file name", e.getMessage());
    }

    @Test
    void certificateNamesLoopbackAndTheCommonNameForTenYears() throws Exception {
        Path cert = dir.resolve("c.pem");
        SelfSignedCertificate.write(cert, dir.resolve("k.pem"), "harpd.example.org", KeyKind.RSA, KeyFormat.PKCS1);
        X509Certificate certificate = read(cert);
        assertEquals("CN=harpd.example.org", certificate.getSubjectX500Principal().getName());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        certificate.verify(certificate.getPublicKey());
        Set<String> names = certificate.getSubjectAlternativeNames().stream()
                .map(entry -> String.valueOf(entry.get(1))).collect(Collectors.toSet());
        assertEquals(Set.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "harpd.example.org"), names);
        Duration validity = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
        assertTrue(validity.toDays() > 3640 && validity.toDays() < 3660, validity.toString());
        assertEquals(-1, certificate.getBasicConstraints(), "an end-entity certificate");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());
    }

    @Test
    void ipAddressCommonNameBecomesAnIpAlternativeName() throws Exception {
        Path cert = dir.resolve("c.pem");
        SelfSignedCertificate.write(cert, dir.resolve("k.pem"), "192.0.2.7", KeyKind.EC, KeyFormat.PKCS1);
        assertTrue(read(cert).getSubjectAlternativeNames().contains(List.of(7, "192.0.2.7")));
    }

    @Test
    void toolCreatesAnRsaPkcs8PairWhenTheCertificateIsMissing() throws Exception {
        Path cert = dir.resolve("harpd.cert.pem");
        Path key = dir.resolve("harpd.key.pem");
        CertificateTool.main(new String[] {cert.toString(), key.toString()});
        assertEquals("-----BEGIN PRIVATE KEY-----", Files.readAllLines(key).get(0));
        assertEquals("RSA", read(cert).getPublicKey().getAlgorithm());
        assertEquals("CN=localhost", read(cert).getSubjectX500Principal().getName());
        TlsContexts.server(cert, key);
    }

    @Test
    void toolLeavesAnExistingCertificateAlone() throws Exception {
        Path cert = dir.resolve("harpd.cert.pem");
        Path key = dir.resolve("harpd.key.pem");
        Files.writeString(cert, "operator's certificate");
        CertificateTool.main(new String[] {cert.toString(), key.toString(), "host"});
        assertEquals("operator's certificate", Files.readString(cert));
        assertTrue(Files.notExists(key));
    }
}
