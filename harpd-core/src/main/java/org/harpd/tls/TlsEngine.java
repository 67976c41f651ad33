package org.harpd.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * The TLS implementation the listener runs on. BoringSSL (through Netty's tcnative binding) does a full
 * handshake in a fraction of the JDK's CPU time, and every call is a new connection with a full handshake, so
 * it is preferred wherever its native library loads; the JDK's implementation is the fallback everywhere else.
 */
public enum TlsEngine {
    /** BoringSSL; reference-counted engines, so no finalizer runs per connection. */
    OPENSSL(SslProvider.OPENSSL_REFCNT),
    JDK(SslProvider.JDK);

    /** System property choosing the engine: {@code auto} (the default), {@code openssl} or {@code jdk}. */
    public static final String PROPERTY = "harpd.tls.engine";

    private final SslProvider provider;

    TlsEngine(SslProvider provider) {
        this.provider = provider;
    }

    /** Netty's name for it. */
    public SslProvider provider() {
        return provider;
    }

    /**
     * The engine {@link #PROPERTY} asks for; with {@code auto}, OpenSSL when its native library is available.
     *
     * @throws TlsConfigException the property holds something else, or asks for OpenSSL where it cannot load
     */
    public static TlsEngine selected() throws TlsConfigException {
        String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "auto", "" -> {
                return OpenSsl.isAvailable() ? OPENSSL : JDK;
            }
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new TlsConfigException("-D" + PROPERTY + "=openssl: OpenSSL is not available here: "
                            + PemFiles.reason(OpenSsl.unavailabilityCause()));
                }
                return OPENSSL;
            }
            case "jdk" -> {
                return JDK;
            }
            default -> throw new TlsConfigException("-D" + PROPERTY + "=" + wanted
                    + ": unknown TLS engine (auto, openssl or jdk)");
        }
    }

    /** For the start-up log: which implementation, and its version. */
    public String describe() {
        if (this == OPENSSL) {
            return OpenSsl.versionString() + " (netty-tcnative)";
        }
        return "the JDK's TLS (" + System.getProperty("java.vendor") + " " + Runtime.version() + ")"
                + (OpenSsl.isAvailable() ? "" : "; OpenSSL not available: "
                + PemFiles.reason(OpenSsl.unavailabilityCause()));
    }
}
