package org.harpd.posix;

import jnr.constants.platform.Errno;

/** A failed system call: the call, what it was applied to, and the errno description. */
public final class PosixException extends RuntimeException {
    private final int errno;

    public PosixException(String call, int errno) {
        super(call + ": " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    static String describe(int errno) {
        Errno known = Errno.valueOf(errno);
        return known == null || known == Errno.__UNKNOWN_CONSTANT__
                ? "errno " + errno : known.description() + " (" + known.name() + ")";
    }
}
