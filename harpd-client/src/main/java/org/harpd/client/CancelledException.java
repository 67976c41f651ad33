package org.harpd.client;

/** The job has no result because it was cancelled, like {@code harp.CancelledException} of the Python client. */
public class CancelledException extends HarpClientException {
    public CancelledException(String message) {
        super(message);
    }
}
