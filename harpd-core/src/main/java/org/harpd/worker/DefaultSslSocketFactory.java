package org.harpd.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The JDK's default SSL socket factory, looked up at first use: what {@code HttpsURLConnection} would use anyway.
 * A worker sets it as {@code HttpsURLConnection}'s default at boot so that {@link JvmState} can tell, by identity
 * and without initialising TLS in every worker (tens of milliseconds), whether a call replaced it.
 */
final class DefaultSslSocketFactory extends SSLSocketFactory {
    private SSLSocketFactory delegate;

    private synchronized SSLSocketFactory delegate() {
        if (delegate == null) {
            delegate = (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        return delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return delegate().createSocket();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return delegate().createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return delegate().createSocket(address, port, localAddress, localPort);
    }
}
