package org.harpd.daemon;

/** The pid file cannot be taken; the message is one line naming the file. */
public final class PidFileException extends Exception {
    public PidFileException(String message) {
        super(message);
    }
}
