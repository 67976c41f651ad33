package org.harpd.tls;

/** The certificate or key cannot be used; the message is one line naming the file and the problem. */
public final class TlsConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public TlsConfigException(String oneLineMessage) {
        super(oneLineMessage);
    }

    public TlsConfigException(String oneLineMessage, Throwable cause) {
        super(oneLineMessage, cause);
    }
}
