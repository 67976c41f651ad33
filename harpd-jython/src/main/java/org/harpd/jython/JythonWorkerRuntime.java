package org.harpd.jython;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.config.PythonPath;
import org.harpd.procedure.ProcedureOptions;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.worker.MessageEmitter;
import org.harpd.workerprotocol.Caller;
import org.harpd.worker.WorkerRuntime;
import org.python.core.CompileMode;
import org.python.core.CompilerFlags;
import org.python.core.Py;
import org.python.core.PyCode;
import org.python.core.PyException;
import org.python.core.PyObject;
import org.python.core.PyStringMap;

/**
 * The Python side of a worker process: one {@link PythonRuntime} with the procedures file loaded, and calls of
 * its procedures translated to wire messages.
 */
public final class JythonWorkerRuntime implements WorkerRuntime {
    private static final String[] NO_KEYWORDS = new String[0];
    /** What {@link #warmUp} calls: harpd's own, so no procedure runs before its first call. */
    /** The original's message for {@code shutdown}. */
    private static final String SHUTTING_DOWN = "service is shutting down";
    private static final String ECHO_SOURCE = "def echo(*args, **kwargs):\n    return [args, kwargs]\n";

    private final Path proceduresFile;
    private final PythonPath pythonPath;
    private final boolean tracebacks;
    private PythonRuntime runtime;
    private JythonCatalog catalog;
    private PyObject resultClass;
    private PyObject timeoutClass;
    private PyCode echoCode;
    private InterpreterSnapshot snapshot;
    /** Installed at {@link #checkpoint}, once the procedures file and the warm-up are done. */
    private CallScopedFinalization finalization;

    public JythonWorkerRuntime(Path proceduresFile, PythonPath pythonPath) {
        this(proceduresFile, pythonPath, false);
    }

    /** @param tracebacks whether an exception reply carries the Python traceback ({@code data.traceback}) */
    public JythonWorkerRuntime(Path proceduresFile, PythonPath pythonPath, boolean tracebacks) {
        this.proceduresFile = proceduresFile;
        this.pythonPath = pythonPath;
        this.tracebacks = tracebacks;
    }

    /**
     * Builds the interpreter state and executes the procedures file in it, once per worker: {@link #reset} puts
     * the state back instead of building another.
     *
     * @throws ProcedureLoadException naming the file and line
     */
    @Override
    public void load() throws ProcedureLoadException {
        if (runtime != null) {
            throw new IllegalStateException("loaded already");
        }
        PythonRuntime fresh = PythonRuntime.create(pythonPath);
        byte[] source;
        try {
            source = Files.readAllBytes(proceduresFile);
        } catch (IOException e) {
            throw new ProcedureLoadException(proceduresFile + ": cannot read: " + ProceduresFile.describeIo(e));
        }
        PyCode code = compileIn(fresh, source);
        JythonCatalog loaded = ProceduresFile.load(fresh, proceduresFile, code);
        resultClass = fresh.importModule("harpd.proc").__getattr__("Result");
        CallSignals.start();
        // harpd's signal module: handlers run in the call's thread, SIGXCPU's raises Timeout (also for a
        // procedures file that never imports signal), time.sleep wakes up for a signal
        PyObject signal = fresh.importModule("signal");
        if (signal.__findattr__("_deliver") == null) {
            throw new ProcedureLoadException("harpd's signal module is not first on sys.path: "
                    + signal.__findattr__("__file__") + " shadows it");
        }
        timeoutClass = fresh.importModule("harpd._timeout").__getattr__("Timeout");
        runtime = fresh;
        catalog = loaded;
    }

    /** Records every object the interpreter state reaches; see {@link InterpreterSnapshot}. */
    @Override
    public void checkpoint() {
        snapshot = runtime().eval(() -> InterpreterSnapshot.take(runtime.systemState()));
        if (finalization == null) {
            finalization = CallScopedFinalization.install();
        }
    }

    /** How many objects the checkpoint recorded, for measurements. */
    int snapshotSize() {
        return snapshot == null ? 0 : snapshot.size();
    }

    /**
     * Puts the interpreter state back as {@link #checkpoint} recorded it: module globals, imported modules,
     * {@code sys}, {@code os.environ}, the working directory Jython keeps, files left open.
     */
    @Override
    public void reset() {
        if (snapshot == null) {
            throw new IllegalStateException("checkpoint() first");
        }
        runtime.eval(snapshot::restore);
        // the JVM's default zone, which time.tzset() changed for the call
        TimeZones.restore();
    }

    /** Compiled with the state bound, as before: Jython's compiler consults the current {@code sys}. */
    private PyCode compileIn(PythonRuntime fresh, byte[] source) throws ProcedureLoadException {
        try {
            return fresh.call(() -> ProceduresFile.compile(proceduresFile, source));
        } catch (ProcedureLoadException e) {
            throw e;
        } catch (Exception e) {
            throw new ProcedureLoadException(proceduresFile + ": " + e);
        }
    }

    /** The loaded procedures; valid after {@link #load}. */
    public JythonCatalog catalog() {
        if (catalog == null) {
            throw new IllegalStateException("load() first");
        }
        return catalog;
    }

    /** The runtime the procedures live in; valid after {@link #load}. */
    public PythonRuntime runtime() {
        if (runtime == null) {
            throw new IllegalStateException("load() first");
        }
        return runtime;
    }

    @Override
    public List<String> differences(String name, ProcedureOptions expected) {
        return catalog().find(name)
                .map(loaded -> expected.differences(ProcedureOptions.of(loaded)))
                .orElse(List.of("no longer in the procedures file"));
    }

    @Override
    public void call(String procedure, JsonNode arguments, MessageEmitter out) {
        call(procedure, arguments, null, out);
    }

    /**
     * The caller is {@code harpd.proc}'s {@code _caller} for the length of the call, and None again after it, so
     * a worker that serves again ({@code shared}) never shows a call the caller of the one before.
     */
    @Override
    public void call(String procedure, JsonNode arguments, Caller caller, MessageEmitter out) {
        JythonCatalog procedures = catalog();
        Optional<PyObject> target = procedures.procedureObject(procedure);
        if (target.isEmpty()) {
            ObjectNode data = JsonNodeFactory.instance.objectNode().put("procedure", procedure);
            out.error(new HarpError(ErrorType.NO_SUCH_PROCEDURE, "no such procedure", data));
            return;
        }
        if (arguments == null || !(arguments.isArray() || arguments.isObject())) {
            out.error(new HarpError(ErrorType.INVALID_REQUEST, "invalid request"));
            return;
        }
        boolean streaming = procedures.find(procedure).orElseThrow().streaming();
        runtime.eval(() -> {
            CallSignals.beginCall();
            if (finalization != null) {
                finalization.beginCall();
            }
            PyObject proc = caller == null ? null : runtime.importModule("harpd.proc");
            try {
                if (proc != null) {
                    proc.__setattr__("_caller", proc.__getattr__("Caller").__call__(new PyObject[] {
                            Py.newUnicode(caller.user()), Py.newUnicode(caller.address()), Py.newInteger(caller.port()),
                            Py.newUnicode(caller.id())}));
                }
                run(target.get(), streaming, arguments, out);
            } finally {
                if (proc != null) {
                    proc.__setattr__("_caller", Py.None);
                }
                if (finalization != null) {
                    finalization.endCall();
                }
                CallSignals.endCall();
            }
            return null;
        });
    }

    /** Finalizers of objects that outlived their call run now; see {@link CallScopedFinalization}. */
    @Override
    public String afterCall() {
        return finalization == null ? null : runtime.eval(finalization::afterCall);
    }

    /** The original's SIGXCPU, to the thread running the call; see {@link CallSignals}. */
    @Override
    public boolean timeout() {
        return CallSignals.deliver(CallSignals.SIGXCPU);
    }

    /** {@code echo(*arguments)} on {@link #call}'s path: {@code [args, kwargs]} as the result. */
    @Override
    public void warmUp(JsonNode arguments, MessageEmitter out) {
        runtime().eval(() -> {
            if (echoCode == null) {
                echoCode = Py.compile_flags(ECHO_SOURCE, "<harpd warm-up>", CompileMode.exec, new CompilerFlags());
            }
            PyObject namespace = new PyStringMap();
            Py.runCode(echoCode, namespace, namespace);
            run(namespace.__finditem__("echo"), false, arguments, out);
            return null;
        });
    }

    private void run(PyObject proc, boolean streaming, JsonNode arguments, MessageEmitter out) {
        PyObject[] args;
        String[] keywords;
        if (arguments.isArray()) {
            args = new PyObject[arguments.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = JsonValues.toPython(arguments.get(i));
            }
            keywords = NO_KEYWORDS;
        } else {
            List<PyObject> values = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : arguments.properties()) {
                names.add(field.getKey());
                values.add(JsonValues.toPython(field.getValue()));
            }
            args = values.toArray(new PyObject[0]);
            keywords = names.toArray(NO_KEYWORDS);
        }
        try {
            if (streaming) {
                stream(proc, proc.__call__(args, keywords), out);
            } else {
                out.result(JsonValues.toJson(proc.__call__(args, keywords)));
            }
        } catch (PyException e) {
            if (timeoutClass != null && e.match(timeoutClass)) {
                // what the original answered for a Timeout its SIGXCPU handler raised and the procedure let out
                out.error(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded"));
            } else if (e.match(Py.SystemExit)) {
                // the original's call ended its process through SystemExit only when the daemon was stopping
                // (its signal handler calls sys.exit): a procedure's own sys.exit(n) gets that same answer; here
                // it only ends the call, and the interpreter carries on as after any other exception
                out.error(new HarpError(ErrorType.SHUTDOWN, SHUTTING_DOWN));
            } else {
                ObjectNode data = exceptionData(e);
                if (tracebacks) {
                    data.put("traceback", PythonErrors.traceback(e));
                }
                out.exception(PythonErrors.typeName(e), PythonErrors.message(e), data);
            }
        } catch (HarpError e) {
            out.error(e);
        }
    }

    /**
     * Every yielded value is a stream message, until a {@code Result} is yielded (its value is the result). A
     * {@code StreamingProcedure}'s own iterator consumes the {@code Result} itself and keeps it for
     * {@code result()}; a subclass's {@code __call__} may yield it through.
     */
    private void stream(PyObject proc, PyObject messages, MessageEmitter out) {
        PyObject iterator = messages.__iter__();
        for (PyObject item = iterator.__iternext__(); item != null; item = iterator.__iternext__()) {
            if (Py.isInstance(item, resultClass)) {
                out.result(JsonValues.toJson(item.__getattr__("value")));
                return;
            }
            out.stream(JsonValues.toJson(item));
        }
        PyObject result = proc.__findattr__("result");
        out.result(JsonValues.toJson(result == null ? Py.None : result.__call__()));
    }

    /** {@code {"class": ..., "module": ...}}, as the original harpd sends with an exception. */
    private static ObjectNode exceptionData(PyException e) {
        return JsonNodeFactory.instance.objectNode()
                .put("class", PythonErrors.typeName(e))
                .put("module", PythonErrors.moduleName(e));
    }
}
