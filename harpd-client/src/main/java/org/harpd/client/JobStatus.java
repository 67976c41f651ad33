package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job's call and times as the dispatcher's {@code get_status} reports them.
 *
 * @param host       the target host
 * @param procedure  the procedure called
 * @param arguments  a JSON array (positional) or object (keyword arguments)
 * @param submitTime unix time of submission
 * @param startTime  unix time the job started, or null while queued (and for a job cancelled in its queue)
 * @param endTime    unix time the job ended (returned, failed or was cancelled), or null before
 * @param info       the {@code info} given at submission (a JSON null when none was)
 */
public record JobStatus(String host, String procedure, JsonNode arguments, long submitTime, Long startTime,
        Long endTime, JsonNode info) {

    /** Whether the job has ended. */
    public boolean ended() {
        return endTime != null;
    }
}
