package org.harpd.caller;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;

/** Removes finished jobs (and their stream packets) that ended before a moment. */
final class Pruning {
    private Pruning() {
    }

    /** @return how many jobs were removed */
    static int prune(JobStore store, long endedBeforeMs) throws SQLException {
        try {
            return store.write(c -> {
                JobStore.update(c, "DELETE FROM packets WHERE job_id IN "
                        + "(SELECT id FROM jobs WHERE state = 'done' AND end_ms < ?)", endedBeforeMs);
                return JobStore.update(c, "DELETE FROM jobs WHERE state = 'done' AND end_ms < ?", endedBeforeMs);
            }).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getCause());
        }
    }
}
