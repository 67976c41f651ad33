package org.harpd.tls;

/** PEM layout of a written private key. */
public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}, for any algorithm. */
    PKCS8,
    /** The traditional OpenSSL form: {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC1). */
    PKCS1
}
