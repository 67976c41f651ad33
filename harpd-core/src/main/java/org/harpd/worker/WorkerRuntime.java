package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.workerprotocol.Caller;

/**
 * The Python side of a worker process (implemented in harpd-jython). The worker main calls {@link #load} once
 * while still privileged, {@link #warmUp}, then {@link #checkpoint}; per call it switches identity (once) and
 * calls {@link #call}; in the {@code interpreter} isolation level, {@link #reset} after every call.
 */
public interface WorkerRuntime {
    /**
     * Initialise the interpreter and execute the procedures file.
     *
     * @throws Exception with a message naming the file and line when the file cannot be loaded
     */
    void load() throws Exception;

    /**
     * How the procedure {@code name}, as this runtime loaded it, differs from {@code expected}, the listener's
     * view of it: one item per difference ({@link ProcedureOptions#differences}), or one saying it is no longer
     * there; empty when they agree. Valid after {@link #load}.
     */
    List<String> differences(String name, ProcedureOptions expected);

    /**
     * Run one procedure; every message goes to {@code out}. Must not throw for errors raised by the
     * procedure: those are {@link MessageEmitter#exception}. Unexpected failures may throw.
     */
    void call(String procedure, JsonNode arguments, MessageEmitter out) throws Exception;

    /**
     * {@link #call(String, JsonNode, MessageEmitter)}, telling the procedure who called ({@code harpd.proc.caller()})
     * for the length of the call. A runtime without the notion ignores the caller.
     *
     * @param caller who called, or null
     */
    default void call(String procedure, JsonNode arguments, Caller caller, MessageEmitter out) throws Exception {
        call(procedure, arguments, out);
    }

    /**
     * Go the way {@link #call} goes — arguments in, a function called, its value out as a result — with a
     * function of the runtime's own that returns its arguments, so that code runs once before the first call.
     */
    void warmUp(JsonNode arguments, MessageEmitter out) throws Exception;

    /** Remember the interpreter's state as it is now, booted and warmed up: what {@link #reset} goes back to. */
    void checkpoint() throws Exception;

    /**
     * Put the interpreter's state back as {@link #checkpoint} found it, so that the next call sees nothing of
     * the previous ones.
     *
     * @throws Exception when that cannot be done; the worker then serves no further call
     */
    void reset() throws Exception;

    /**
     * After every call that the worker may follow with another, before any reset: what the runtime must do
     * between calls (Jython: the finalizers of objects that outlived their call) and whether the worker may serve
     * again.
     *
     * @return why it must not, or null
     */
    default String afterCall() throws Exception {
        return null;
    }

    /**
     * The running call's time is up: deliver the original's SIGXCPU to the code running it. Called from another
     * thread than {@link #call}'s, at any moment; does nothing when no call runs. A runtime that cannot interrupt
     * its calls leaves them to be killed after the grace.
     *
     * @return whether a call was running and got it
     */
    default boolean timeout() {
        return false;
    }
}
