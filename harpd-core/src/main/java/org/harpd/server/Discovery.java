package org.harpd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.harpd.auth.AccessPolicy;
import org.harpd.logging.EventLog;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.harpd.protocol.CallRequest;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.Messages;

/**
 * The built-in procedures, answered by the listener without a worker, after authentication like any call, and
 * open to every authenticated user: {@value #PROCEDURES}{@code ()} lists the procedures the caller may call,
 * {@value #DESCRIBE}{@code (name)} describes one of them. Their names have a dot, which no global variable of a
 * procedures file can have, so they never hide a procedure. The reply is a plain call's: the acknowledgement,
 * then {@code {"result": ...}}.
 */
final class Discovery {
    static final String PROCEDURES = "harpd.procedures";
    static final String DESCRIBE = "harpd.describe";

    private static final EventLog LOG = EventLog.get("harpd");

    private Discovery() {
    }

    static boolean isBuiltIn(String procedure) {
        return PROCEDURES.equals(procedure) || DESCRIBE.equals(procedure);
    }

    /**
     * The reply's lines. Runs on an authentication thread: the access policy may ask the authentication module
     * about every procedure.
     */
    static List<byte[]> answer(CallRequest request, ProcedureCatalog catalog, AccessPolicy access) {
        JsonNode arguments = request.arguments();
        if (PROCEDURES.equals(request.procedure())) {
            if (!arguments.isEmpty()) {
                return List.of(badArguments(PROCEDURES, "()", "takes no arguments"));
            }
            ArrayNode list = Json.MAPPER.createArrayNode();
            catalog.all().stream()
                    .filter(p -> access.allows(request.user(), p.name()))
                    .sorted(Comparator.comparing(ProcedureInfo::name))
                    .forEach(p -> list.add(describe(p)));
            return result(list);
        }
        JsonNode name = arguments.isArray() ? arguments.get(0) : arguments.get("name");
        if (name == null || !name.isTextual() || arguments.size() != 1) {
            return List.of(badArguments(DESCRIBE, "(name)", "takes exactly one argument, a procedure name"));
        }
        Optional<ProcedureInfo> found = catalog.find(name.asText())
                .filter(p -> access.allows(request.user(), p.name()));
        if (found.isEmpty()) {
            // the same answer for a procedure that exists but is not the caller's: discovery tells nothing more
            ObjectNode data = Json.MAPPER.createObjectNode().put("procedure", name.asText());
            return List.of(Messages.error(new HarpError(ErrorType.NO_SUCH_PROCEDURE, "no such procedure", data)));
        }
        return result(describe(found.get()));
    }

    /** Sends the reply's lines, the last one ending the exchange. */
    static void send(Channel channel, CallRequest request, ClientAddress client, List<byte[]> lines) {
        LOG.info("built-in procedure",
                client.logContext("procedure", request.procedure(), "user", request.user()));
        for (int i = 0; i < lines.size() - 1; i++) {
            ConnectionReply.send(channel, lines.get(i));
        }
        ConnectionReply.finish(channel, lines.get(lines.size() - 1));
    }

    /** What discovery tells of one procedure. */
    static ObjectNode describe(ProcedureInfo procedure) {
        ObjectNode description = Json.MAPPER.createObjectNode();
        Signature signature = procedure.signature();
        description.put("name", procedure.name());
        description.put("kind", procedure.streaming() ? "streaming" : "plain");
        description.put("signature", procedure.name() + signature.describe());
        ArrayNode parameters = description.putArray("parameters");
        signature.parameters().forEach(parameters::add);
        description.put("defaults", signature.defaults());
        description.put("varargs", signature.varargs());
        description.put("varkw", signature.varkw());
        description.put("doc", procedure.doc());
        if (procedure.timeout() == null) {
            description.putNull("timeout");
        } else {
            description.put("timeout", procedure.timeout().toNanos() / 1e9);
        }
        description.set("uid", procedure.user() == null ? null : idRef(procedure.user()));
        ArrayNode groups = description.putArray("gid");
        procedure.groups().forEach(g -> groups.add(idRef(g)));
        return description;
    }

    private static JsonNode idRef(IdRef ref) {
        return ref.isName() ? Json.MAPPER.getNodeFactory().textNode(ref.name())
                : Json.MAPPER.getNodeFactory().numberNode(ref.id());
    }

    private static List<byte[]> result(JsonNode value) {
        List<byte[]> lines = new ArrayList<>(2);
        lines.add(Messages.ack(false));
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.set("result", value);
        lines.add(Json.line(result));
        return lines;
    }

    private static byte[] badArguments(String procedure, String signature, String problem) {
        ObjectNode data = Json.MAPPER.createObjectNode().put("procedure", procedure).put("signature", signature);
        return Messages.error(new HarpError(ErrorType.INVALID_ARGUMENT_LIST, problem, data));
    }
}
