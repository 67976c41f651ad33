package org.harpd.caller;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.harpd.config.ConfigException;

/**
 * How harpd's certificate is checked: with {@code ca_file} it must chain to one of those CAs; with
 * {@code known_certs_file} it may instead be one listed there (the file is read again when it changes, so
 * no restart is needed); with neither, any certificate is accepted. Host names are not checked, as the
 * harp clients do not check them.
 */
public final class TrustPolicy implements X509TrustManager {
    private final X509TrustManager caTrust;
    private final Path knownCertsFile;
    private volatile KnownCerts known = new KnownCerts(null, List.of());
    private final SSLContext context;

    private record KnownCerts(Object version, List<X509Certificate> certs) {
    }

    private TrustPolicy(X509TrustManager caTrust, Path knownCertsFile) {
        this.caTrust = caTrust;
        this.knownCertsFile = knownCertsFile;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {this}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no TLS", e);
        }
    }

    /** @throws ConfigException when ca_file cannot be read (one line naming the file) */
    public static TrustPolicy of(CallerConfig config) throws ConfigException {
        X509TrustManager ca = null;
        if (config.caFile() != null) {
            try (InputStream in = Files.newInputStream(config.caFile())) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + n++, c);
                }
                if (n == 0) {
                    throw new ConfigException(config.file() + ": ca_file: no certificate in " + config.caFile());
                }
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(store);
                ca = (X509TrustManager) f.getTrustManagers()[0];
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigException(config.file() + ": ca_file: cannot read " + config.caFile() + ": "
                        + e.getMessage());
            }
        }
        return new TrustPolicy(ca, config.knownCertsFile());
    }

    public SSLContext context() {
        return context;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (caTrust == null && knownCertsFile == null) {
            return;
        }
        CertificateException caProblem = null;
        if (caTrust != null) {
            try {
                caTrust.checkServerTrusted(chain, authType);
                return;
            } catch (CertificateException e) {
                caProblem = e;
            }
        }
        if (knownCertsFile != null && chain.length > 0 && knownCerts().contains(chain[0])) {
            return;
        }
        if (caProblem != null && knownCertsFile == null) {
            throw caProblem;
        }
        throw new CertificateException("harpd's certificate is " + (caTrust != null ? "neither signed by ca_file's CAs nor " : "not ")
                + "listed in known_certs_file");
    }

    private List<X509Certificate> knownCerts() {
        Object modified;
        try {
            // time, size and inode: a rewrite within the file system's time resolution still shows
            BasicFileAttributes a = Files.readAttributes(knownCertsFile, BasicFileAttributes.class);
            modified = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return List.of();
        }
        KnownCerts current = known;
        if (!modified.equals(current.version())) {
            List<X509Certificate> certs = new ArrayList<>();
            try (InputStream in = Files.newInputStream(knownCertsFile)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    certs.add((X509Certificate) c);
                }
            } catch (IOException | GeneralSecurityException e) {
                // an unreadable or half-written file trusts nothing until it is readable again
                return List.of();
            }
            current = new KnownCerts(modified, List.copyOf(certs));
            known = current;
        }
        return current.certs();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return caTrust == null ? new X509Certificate[0] : caTrust.getAcceptedIssuers();
    }
}
