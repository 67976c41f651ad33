package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * What a job's call to harpd reports, to whoever runs the job (the {@link Dispatcher}): the call knows nothing
 * else of it. Called from the call's event loop.
 */
interface JobEvents {
    /** A value the procedure streamed; a job's packets are reported in order. */
    void packet(Job job, JsonNode data);

    /**
     * The job's end: {@code {"result": …}}, {@code {"exception": …}} or {@code {"error": …}}. Only the first end
     * of a job counts.
     *
     * @return true once this end is stored, false if the job had ended already
     */
    CompletableFuture<Boolean> end(Job job, ObjectNode outcome);
}
