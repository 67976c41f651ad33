package org.harpd.tls;

/** Key algorithm of a generated certificate. */
public enum KeyKind {
    /** RSA, 2048 bits. */
    RSA,
    /** ECDSA on the NIST P-256 curve. */
    EC
}
