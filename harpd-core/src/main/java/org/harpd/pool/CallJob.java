package org.harpd.pool;

import com.fasterxml.jackson.databind.JsonNode;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureInfo;

/**
 * One authenticated, validated call, ready for a worker.
 *
 * @param procedure  the catalog entry (already looked up, signature already checked)
 * @param arguments  JSON array or object, as the client sent it
 * @param identity   whom to run as (procedure's uid/gid with -u/-g defaults applied)
 * @param requestUser the authenticated harpd user, for logs only
 * @param client     client address "ip:port", for logs only
 */
public record CallJob(ProcedureInfo procedure, JsonNode arguments, Identity identity,
                      String requestUser, String client) {
}
