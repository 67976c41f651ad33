package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client's request line, parsed once by {@link ClientRequestParser}: the authentication token, if any, and what
 * is asked.
 *
 * @param token the {@code token} string, or null
 * @param tokenSent whether the request had a {@code token} key at all (for the log of a refusal)
 */
record ClientRequest(String token, boolean tokenSent, Operation operation) {
    /** What a request asks; {@link Invalid} when the request names an operation but gets it wrong. */
    sealed interface Operation permits Submit, GetResult, Status, ReadStream, Cancel, Invalid {
    }

    /**
     * A call to run.
     *
     * @param argumentsText {@code arguments} as stored (and counted against {@code limits.max_job_bytes})
     * @param infoText {@code info} as stored, or null when absent
     * @param queueKey {@link Canonical} JSON of the queue's name, or null without a queue
     */
    record Submit(String host, String procedure, JsonNode arguments, String argumentsText, Integer timeout,
                  Integer maxExec, String queueKey, int concurrency, String infoText) implements Operation {
        /** The bytes {@code limits.max_job_bytes} counts at submission. */
        long size() {
            return argumentsText.length() + (infoText == null ? 0 : infoText.length());
        }
    }

    /** {@code get_result}; {@code waitForEnd} false ({@code "wait": false}) answers {@code no_result} at once for a job not ended. */
    record GetResult(String jobId, boolean waitForEnd) implements Operation {
    }

    record Status(String jobId) implements Operation {
    }

    /**
     * {@code follow_stream} or {@code read_stream}: from packet {@code since}, or the {@code recent} last ones
     * (-1 for the one not given).
     */
    record ReadStream(String jobId, boolean follow, long since, long recent) implements Operation {
    }

    record Cancel(String jobId) implements Operation {
    }

    /**
     * A request that names an operation but is malformed. Answered only after authentication, as before
     * parsing was split from handling: a client without credentials learns nothing more than "unauthorized".
     */
    record Invalid(String message) implements Operation {
    }
}
