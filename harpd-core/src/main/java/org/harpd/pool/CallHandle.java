package org.harpd.pool;

/** A submitted call. */
public interface CallHandle {
    /**
     * The client went away: stop the call. No sink method is called afterwards.
     *
     * @return true if this stopped the call; false if it had ended already (its last message on its way)
     */
    boolean cancel();
}
