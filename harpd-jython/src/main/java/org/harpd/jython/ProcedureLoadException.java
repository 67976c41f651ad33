package org.harpd.jython;

/**
 * The procedures file cannot be loaded. The message is one line naming the file and, when known, the line:
 * {@code /etc/harpd/harpd.py, line 7: ImportError: No module named foo}.
 */
public final class ProcedureLoadException extends Exception {
    public ProcedureLoadException(String message) {
        super(message);
    }
}
