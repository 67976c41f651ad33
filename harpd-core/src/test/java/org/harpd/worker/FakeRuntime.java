package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.harpd.config.PythonPath;
import org.harpd.logging.PythonLogBridge;
import org.harpd.posix.Posix;
import org.harpd.protocol.Json;

/**
 * A pure-Java {@link WorkerRuntime} so the pool can be tested with real worker JVMs but without Jython.
 * A procedures file starting with {@code fail:} fails to load with the rest of its first line as message.
 * Its "module state" is {@code counter}, reset by every {@link #load}; {@code loads} counts them per process,
 * {@code warmUps} the warm-up calls. A procedures file containing a line {@code warm-up: fail} fails warm-ups;
 * {@code reload_slowly(seconds)} makes the next load take that long.
 */
public final class FakeRuntime implements WorkerRuntime {
    private static int loads;
    private static int warmUps;
    private static long nextLoadMillis;

    private final Path procedures;
    private int counter;

    public FakeRuntime(Path procedures, PythonPath pythonPath) {
        this.procedures = procedures;
    }

    @Override
    public void load() throws Exception {
        String text = Files.readString(procedures, StandardCharsets.UTF_8);
        if (text.startsWith("fail:")) {
            throw new Exception(text.substring(5).lines().findFirst().orElse("").trim());
        }
        if (nextLoadMillis > 0) {
            Thread.sleep(nextLoadMillis);
            nextLoadMillis = 0;
        }
        loads++;
        counter = 0;
    }

    /** Nothing to remember: {@link #reset} loads again, which resets the counter. */
    @Override
    public void checkpoint() {
    }

    @Override
    public void reset() throws Exception {
        load();
    }

    @Override
    public void warmUp(JsonNode arguments, MessageEmitter out) throws Exception {
        warmUps++;
        if (Files.readAllLines(procedures, StandardCharsets.UTF_8).contains("warm-up: fail")) {
            out.exception("RuntimeError", "warm-up refused", null);
        } else {
            out.result(arguments);
        }
    }

    /** The fake has no procedures file to edit: it always agrees with the listener. */
    @Override
    public java.util.List<String> differences(String name, org.harpd.procedure.ProcedureOptions expected) {
        return java.util.List.of();
    }

    @Override
    public void call(String procedure, JsonNode arguments, MessageEmitter out) throws Exception {
        switch (procedure) {
            case "echo" -> out.result(arguments);
            case "counter" -> out.result(Json.MAPPER.createObjectNode().put("counter", ++counter)
                    .put("loads", loads).put("warmUps", warmUps).put("pid", Posix.getpid()));
            case "leave_thread" -> {
                Thread left = new Thread(() -> {
                    try {
                        Thread.sleep(300_000);
                    } catch (InterruptedException e) {
                        // ends with the process
                    }
                }, "left-behind");
                left.start();
                out.result(Json.MAPPER.getNodeFactory().numberNode(Posix.getpid()));
            }
            case "stream" -> {
                int n = arguments.path(0).asInt();
                for (int i = 0; i < n; i++) {
                    out.stream(Json.MAPPER.getNodeFactory().numberNode(i));
                }
                out.result(Json.MAPPER.getNodeFactory().textNode("done"));
            }
            case "reload_slowly" -> {
                nextLoadMillis = (long) (arguments.path(0).asDouble() * 1000);
                out.result(Json.MAPPER.getNodeFactory().numberNode(Posix.getpid()));
            }
            case "sleep" -> {
                Thread.sleep((long) (arguments.path(0).asDouble() * 1000));
                out.result(Json.MAPPER.getNodeFactory().textNode("slept"));
            }
            case "crash" -> Runtime.getRuntime().halt(3);
            case "whoami" -> {
                ObjectNode who = Json.MAPPER.createObjectNode();
                who.put("pid", Posix.getpid()).put("uid", Posix.getuid()).put("euid", Posix.geteuid())
                        .put("gid", Posix.getgid()).put("egid", Posix.getegid());
                ArrayNode groups = who.putArray("groups");
                int[] ids = Posix.getgroups();
                Arrays.sort(ids);
                Arrays.stream(ids).forEach(groups::add);
                out.result(who);
            }
            case "print" -> {
                // Looks like protocol on purpose: none of it may reach the listener as a message.
                System.out.println("{\"result\": \"forged by print\"}");
                System.out.flush();
                new ProcessBuilder("echo", "{\"result\": \"forged by a subprocess\"}").inheritIO().start().waitFor();
                out.result(Json.MAPPER.getNodeFactory().textNode("printed"));
            }
            case "raise" -> out.exception("ValueError", "bad value",
                    Json.MAPPER.createObjectNode().put("class", "ValueError").put("module", "exceptions"));
            case "spawn_child" -> {
                Process child = new ProcessBuilder("sleep", "300").start();
                out.stream(Json.MAPPER.getNodeFactory().numberNode(child.pid()));
                Thread.sleep(300_000);
            }
            case "nothing" -> {
            }
            case "log" -> {
                // as harpd/_logging_bridge.py does for logging.getLogger(name).warning(message)
                PythonLogBridge.record(arguments.path(0).asText(), 30, arguments.path(1).asText(),
                        System.currentTimeMillis() / 1e3, 0);
                out.result(Json.MAPPER.getNodeFactory().textNode("logged"));
            }
            default -> out.exception("NameError", "no procedure " + procedure, null);
        }
    }
}
