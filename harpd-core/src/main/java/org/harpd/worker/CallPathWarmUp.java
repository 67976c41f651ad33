package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Runs the code a call runs, once, while the worker boots — with a function of the runtime's own instead of a
 * procedure, no identity switch and nothing sent — so that the first real call does not pay for loading,
 * linking and first-time set-up, which was most of a fresh worker's time in its first call: Jackson's first
 * tree for the call command, the interpreter's path into a procedure and back, and glibc's name-service modules
 * for the identity switch (what is left of the switch is glibc changing every thread's credentials). The
 * warm-up is a small part of a boot (harpd-jython/STARTUP.md has the figures). Once per JVM, before the checkpoint that {@code interpreter}-level calls start
 * from, so that what it loads and links stays loaded for every call.
 */
final class CallPathWarmUp {
    /** One value of every kind the wire carries, so that each conversion has run once, both ways. */
    private static final String SAMPLE_ARGUMENTS =
            "[1, -2.5, \"text\", \"\\u00e9\", true, null, [1, [2]], {\"key\": {\"nested\": []}}, 123456789012345678901234]";
    private static final String SAMPLE_KEYWORDS = "{\"number\": 1, \"list\": [\"a\"], \"map\": {\"b\": null}}";

    private CallPathWarmUp() {
    }

    /** The whole path, with the identity lookups; once per JVM, after the procedures file is loaded. */
    static void run(WorkerRuntime runtime) throws Exception {
        Identity someone = new Identity(IdRef.ofName("root"), List.of(IdRef.ofId(0)));
        WorkerProtocol.CallCommand call = parse(SAMPLE_ARGUMENTS, someone);
        IdentityResolver.warmUp();
        interpreter(runtime, call.arguments());
        interpreter(runtime, parse(SAMPLE_KEYWORDS, Identity.UNCHANGED).arguments());
    }

    private static WorkerProtocol.CallCommand parse(String arguments, Identity identity) throws IOException {
        byte[] line = WorkerProtocol.call("warm-up", Json.MAPPER.readTree(arguments), identity,
                WorkerProtocol.After.RELOAD);
        return WorkerProtocol.parseCall(Json.MAPPER.readTree(line));
    }

    private static void interpreter(WorkerRuntime runtime, JsonNode arguments) throws Exception {
        List<byte[]> lines = new ArrayList<>();
        runtime.warmUp(arguments, new WireEmitter(lines::add, null));
        byte[] last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
        if (last == null || !WorkerProtocol.RESULT.equals(WorkerProtocol.kind(last))) {
            throw new IllegalStateException("the warm-up call ended with "
                    + (last == null ? "nothing" : new String(last, StandardCharsets.UTF_8).trim()));
        }
    }
}
