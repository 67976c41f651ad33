package org.harpd.pool;

/** A submitted call. */
public interface CallHandle {
    /** The client went away: stop the call (its worker is killed). No sink method is called afterwards. */
    void cancel();
}
