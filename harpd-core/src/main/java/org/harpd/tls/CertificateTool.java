package org.harpd.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code CertificateTool CERT KEY [CN]}: creates a self-signed RSA certificate and PKCS#8 key, unless CERT
 * exists already, so that a start script can call it on every start and only the first run generates.
 * The common name defaults to {@code localhost}. Exit status: 0 done or nothing to do, 1 failure, 2 usage.
 */
public final class CertificateTool {
    private CertificateTool() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: CertificateTool CERT KEY [COMMON_NAME]");
            System.exit(2);
        }
        Path cert = Path.of(args[0]);
        Path key = Path.of(args[1]);
        String commonName = args.length == 3 ? args[2] : "localhost";
        if (Files.exists(cert)) {
            return;
        }
        try {
            SelfSignedCertificate.write(cert, key, commonName, KeyKind.RSA, KeyFormat.PKCS8);
            System.err.println("created self-signed certificate " + cert + " and key " + key
                    + " for " + commonName);
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot create certificate " + cert + ": " + PemFiles.reason(e));
            System.exit(1);
        }
    }
}
