package org.harpd.pool;

import com.fasterxml.jackson.databind.JsonNode;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.workerprotocol.Caller;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * One authenticated, validated call, ready for a worker.
 *
 * @param procedure  the catalog entry (already looked up, signature already checked)
 * @param arguments  JSON array or object, as the client sent it
 * @param identity   whom to run as (procedure's uid/gid with -u/-g defaults applied)
 * @param requestUser the authenticated harpd user, for logs only
 * @param client     client address "ip:port", for logs and for the procedure's {@link Caller}
 * @param callerId   the call's id as its procedure learns it; not the id framing its lines on the worker's pipes
 */
public record CallJob(ProcedureInfo procedure, JsonNode arguments, Identity identity,
                      String requestUser, String client, String callerId) {
    /** With a fresh caller's id. */
    public CallJob(ProcedureInfo procedure, JsonNode arguments, Identity identity, String requestUser, String client) {
        this(procedure, arguments, identity, requestUser, client, WorkerProtocol.newCallId());
    }

    /** Who called, for the procedure; null when the job names no user (pool tests). */
    public Caller caller() {
        return requestUser == null || client == null ? null : Caller.of(requestUser, client, callerId);
    }
}
