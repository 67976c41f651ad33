package org.harpd.cli;

/** The command line cannot be used; the message is one line saying why (without a "harpd:" prefix). */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
