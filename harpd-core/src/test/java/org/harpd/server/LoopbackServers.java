package org.harpd.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.util.ArrayList;
import java.util.List;
import org.harpd.auth.AccessPolicy;
import org.harpd.auth.Authenticator;
import org.harpd.metrics.Metrics;
import org.harpd.pool.CallExecutor;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.tls.TlsEngine;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Listeners a test class starts on loopback, with the TLS engine the daemon would choose here (BoringSSL where it
 * loads) and one self-signed certificate for the class; each listener is closed after its test. Register as a
 * static {@code @RegisterExtension} field.
 */
final class LoopbackServers implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final List<HarpServer> servers = new ArrayList<>();
    private SelfSignedCertificate certificate;
    private SslContext serverTls;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        certificate = new SelfSignedCertificate("localhost");
        serverTls = SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey())
                .sslProvider(TlsEngine.selected().provider()).protocols("TLSv1.3", "TLSv1.2").build();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        servers.forEach(HarpServer::close);
        servers.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        certificate.delete();
    }

    /** The certificate the listeners present, for a client that checks it. */
    SelfSignedCertificate certificate() {
        return certificate;
    }

    /** The listeners started in this test, in order. */
    List<HarpServer> running() {
        return List.copyOf(servers);
    }

    /** Starts a listener without a default user or group. @return its port */
    int start(ServerSettings settings, Authenticator authenticator, ProcedureCatalog catalog, CallExecutor executor)
            throws Exception {
        HarpServer server = new HarpServer(settings, serverTls, authenticator, AccessPolicy.ALLOW_ALL, catalog, executor,
                null, null, Metrics.NONE);
        servers.add(server);
        return server.start();
    }
}
