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
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.harpd.config.ConfigException;

/**
 * How harpd's certificate is checked: with {@code ca_file} it must chain to one of those CAs; with
 * {@code known_certs_file} it may instead be one listed there (the file is read again when it changes, so
 * no restart is needed); with neither, any certificate is accepted (and the dispatcher warns at start).
 *
 * <p>A CA vouches for names, not for hosts: with {@code ca_file} and {@code verify_hostname} (the default), a
 * certificate accepted through the CA must also name the host's registered name or address (a subject
 * alternative name, or the common name when it has no DNS names), else any certificate of that CA would get
 * every host's credentials. {@code verify_hostname = false} is the original's CA-only check. A certificate
 * listed in {@code known_certs_file} is pinned to no name: listing it is the operator's decision.
 */
public final class TrustPolicy implements X509TrustManager {
    private final X509TrustManager caTrust;
    private final Path knownCertsFile;
    private final boolean verifyHostname;
    private volatile KnownCerts known = new KnownCerts(null, List.of());
    private final SSLContext context;

    private record KnownCerts(Object version, List<X509Certificate> certs) {
    }

    private TrustPolicy(X509TrustManager caTrust, Path knownCertsFile, boolean verifyHostname) {
        this.caTrust = caTrust;
        this.knownCertsFile = knownCertsFile;
        this.verifyHostname = verifyHostname;
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
        return new TrustPolicy(ca, config.knownCertsFile(), config.verifyHostname());
    }

    /**
     * After a handshake this policy accepted, before anything is sent: whether the certificate names the host.
     *
     * @return null when harpd may have the host's credentials, else why not
     */
    String nameProblem(SSLSession session, HostRegistry.Host host) {
        if (caTrust == null || !verifyHostname) {
            return null;
        }
        X509Certificate leaf;
        try {
            leaf = (X509Certificate) session.getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return "harpd presented no certificate";
        }
        if (knownCertsFile != null && knownCerts().contains(leaf)) {
            return null;
        }
        List<String> names = new ArrayList<>();
        List<byte[]> addresses = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> n : alternatives) {
                    if (Integer.valueOf(2).equals(n.get(0)) && n.get(1) instanceof String dns) {
                        names.add(dns);
                    } else if (Integer.valueOf(7).equals(n.get(0)) && n.get(1) instanceof String ip) {
                        byte[] b = NetUtil.createByteArrayFromIpAddressString(ip);
                        if (b != null) {
                            addresses.add(b);
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return "harpd's certificate has unreadable alternative names";
        }
        if (names.isEmpty()) {
            commonName(leaf).ifPresent(names::add);
        }
        if (matches(host.hostname(), names, addresses) || matches(host.address(), names, addresses)) {
            return null;
        }
        return "harpd's certificate names neither " + host.hostname() + " nor " + host.address() + " (it names "
                + names + (addresses.isEmpty() ? "" : " and " + addresses.size() + " addresses") + ")";
    }

    /** An address against the certificate's addresses; a name against its names (a wildcard for one label). */
    static boolean matches(String target, List<String> names, List<byte[]> addresses) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(target);
        if (ip != null) {
            return addresses.stream().anyMatch(a -> Arrays.equals(a, ip));
        }
        String t = stripDot(target.toLowerCase(Locale.ROOT));
        for (String name : names) {
            String n = stripDot(name.toLowerCase(Locale.ROOT));
            if (n.equals(t)) {
                return true;
            }
            int dot = t.indexOf('.');
            // "*.example.net" stands for exactly one label, and never for a name with fewer than three labels
            if (n.startsWith("*.") && n.indexOf('.', 2) > 0 && dot > 0 && n.substring(1).equals(t.substring(dot))) {
                return true;
            }
        }
        return false;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static java.util.Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return java.util.Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
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
