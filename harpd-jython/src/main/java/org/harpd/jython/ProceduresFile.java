package org.harpd.jython;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.python.core.CompileMode;
import org.python.core.CompilerFlags;
import org.python.core.Py;
import org.python.core.PyBoolean;
import org.python.core.PyCode;
import org.python.core.PyException;
import org.python.core.PyFloat;
import org.python.core.PyInteger;
import org.python.core.PyList;
import org.python.core.PyLong;
import org.python.core.PyModule;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PyTuple;

/**
 * Loads the procedures file (harpd's {@code -r}) as harpd's module loader does: from any path, not through
 * {@code sys.path}, under the name {@value #MODULE_NAME}, and collects its {@code harpd.proc.Procedure} globals.
 */
public final class ProceduresFile {
    /** The name the procedures module gets; procedures must not rely on it. */
    public static final String MODULE_NAME = "harpd.__procedures__";

    private ProceduresFile() {
    }

    /**
     * Executes the file in {@code runtime} and returns its procedures.
     *
     * @throws ProcedureLoadException with one line naming the file and the line when the file is unreadable,
     *                                does not compile, raises while executing, or declares invalid options
     */
    public static JythonCatalog load(PythonRuntime runtime, Path file) throws ProcedureLoadException {
        String filename = file.toString();
        byte[] source;
        try {
            source = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ProcedureLoadException(filename + ": cannot read: " + describeIo(e));
        }
        return load(runtime, file, source);
    }

    /**
     * Executes {@code source}, read earlier from {@code file}: a worker executing the file again after it gave
     * up root may no longer be allowed to read it.
     */
    public static JythonCatalog load(PythonRuntime runtime, Path file, byte[] source) throws ProcedureLoadException {
        return load(runtime, file, compile(file, source));
    }

    /**
     * Compiles {@code source}, read earlier from {@code file}, for {@link #load(PythonRuntime, Path, PyCode)}: a
     * worker that executes the same file in many interpreter states compiles it once (code objects are immutable;
     * each execution builds a new module).
     *
     * @throws ProcedureLoadException when the file does not compile
     */
    public static PyCode compile(Path file, byte[] source) throws ProcedureLoadException {
        String filename = file.toString();
        try {
            // compile_flags reads the coding declaration from the bytes, as Python does for a source file
            return Py.compile_flags(new ByteArrayInputStream(SurrogateLiterals.rewrite(source)), filename,
                    CompileMode.exec, new CompilerFlags());
        } catch (PyException e) {
            throw new ProcedureLoadException(describe(e, filename));
        } catch (RuntimeException | StackOverflowError e) {
            throw new ProcedureLoadException(filename + ": " + e);
        }
    }

    /** Executes {@code code}, compiled by {@link #compile} from {@code file}, in {@code runtime}. */
    public static JythonCatalog load(PythonRuntime runtime, Path file, PyCode code) throws ProcedureLoadException {
        String filename = file.toString();
        try {
            return runtime.call(() -> execute(runtime, filename, code));
        } catch (ProcedureLoadException e) {
            throw e;
        } catch (PyException e) {
            throw new ProcedureLoadException(describe(e, filename));
        } catch (Exception | StackOverflowError e) {
            throw new ProcedureLoadException(filename + ": " + e);
        }
    }

    private static JythonCatalog execute(PythonRuntime runtime, String filename, PyCode code)
            throws ProcedureLoadException {
        PyObject procClass;
        PyObject streamingClass;
        PyObject introspect;
        try {
            PyObject proc = runtime.importModule("harpd.proc");
            procClass = proc.__getattr__("Procedure");
            streamingClass = proc.__getattr__("StreamingProcedure");
            introspect = runtime.importModule("harpd._introspect");
        } catch (PyException e) {
            throw new ProcedureLoadException("cannot import harpd.proc (is harpd's Python library on the path?): "
                    + PythonErrors.summary(e));
        }

        PyModule module = new PyModule(MODULE_NAME);
        PyObject globals = module.__dict__;
        globals.__setitem__("__file__", Py.newStringOrUnicode(filename));
        globals.__setitem__("__builtins__", Py.getSystemState().getBuiltins());
        // registered like any imported module, so that pickling and sys.modules[__name__] work in procedures
        Py.getSystemState().modules.__setitem__(MODULE_NAME, module);
        Py.runCode(code, globals, globals);

        Map<String, ProcedureInfo> infos = new TreeMap<>();
        Map<String, PyObject> objects = new TreeMap<>();
        for (PyObject name : globals.asIterable()) {
            PyObject value = globals.__finditem__(name);
            if (value == null || !Py.isInstance(value, procClass)) {
                continue;
            }
            String procName = name.toString();
            infos.put(procName, describeProcedure(procName, value, Py.isInstance(value, streamingClass),
                    introspect, filename));
            objects.put(procName, value);
        }
        return new JythonCatalog(infos, objects, module);
    }

    private static ProcedureInfo describeProcedure(String name, PyObject proc, boolean streaming,
                                                   PyObject introspect, String filename)
            throws ProcedureLoadException {
        Signature signature = signature(introspect, proc);
        Duration timeout = timeout(name, attribute(proc, "timeout"), filename);
        IdRef user = idRef(name, "uid", attribute(proc, "uid"), filename);
        List<IdRef> groups = new ArrayList<>();
        PyObject gid = attribute(proc, "gid");
        if (gid instanceof PyList || gid instanceof PyTuple) {
            for (PyObject g : gid.asIterable()) {
                groups.add(idRef(name, "gid", g, filename));
            }
        } else if (gid != Py.None) {
            groups.add(idRef(name, "gid", gid, filename));
        }
        return new ProcedureInfo(name, streaming, signature, timeout, user, groups, doc(introspect, proc));
    }

    /** For discovery only: a docstring that cannot be read is none. */
    private static String doc(PyObject introspect, PyObject proc) {
        try {
            PyObject doc = introspect.invoke("doc", proc);
            return doc == Py.None ? null : doc.toString();
        } catch (PyException e) {
            return null;
        }
    }

    private static PyObject attribute(PyObject proc, String name) {
        PyObject value = proc.__findattr__(name);
        return value == null ? Py.None : value;
    }

    private static Signature signature(PyObject introspect, PyObject proc) {
        PyObject spec;
        try {
            spec = introspect.invoke("signature", proc);
        } catch (PyException e) {
            return Signature.permissive();
        }
        if (spec == Py.None) {
            return Signature.permissive();
        }
        PyObject[] parts = ((PyTuple) spec).getArray();
        List<String> parameters = new ArrayList<>();
        for (PyObject p : parts[0].asIterable()) {
            parameters.add(p.toString());
        }
        int defaults = parts[1].asInt();
        String varargs = parts[2] == Py.None ? null : parts[2].toString();
        String varkw = parts[3] == Py.None ? null : parts[3].toString();
        return new Signature(parameters, defaults, varargs, varkw);
    }

    private static Duration timeout(String name, PyObject value, String filename) throws ProcedureLoadException {
        if (value == Py.None) {
            return null;
        }
        double seconds;
        if (value instanceof PyInteger || value instanceof PyLong || value instanceof PyFloat) {
            seconds = value.asDouble();
        } else {
            seconds = Double.NaN;
        }
        if (value instanceof PyBoolean || !(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new ProcedureLoadException(filename + ": procedure " + name
                    + ": timeout must be a number of seconds, not " + value.__repr__());
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static IdRef idRef(String name, String option, PyObject value, String filename)
            throws ProcedureLoadException {
        if (value == Py.None) {
            return null;
        }
        if ((value instanceof PyInteger || value instanceof PyLong) && !(value instanceof PyBoolean)) {
            BigInteger id = value instanceof PyLong l ? l.getValue()
                    : BigInteger.valueOf(((PyInteger) value).getValue());
            if (id.signum() >= 0 && id.bitLength() <= 32) {
                return IdRef.ofId(id.longValue());
            }
        } else if (value instanceof PyString s && !s.getString().isEmpty()) {
            return IdRef.ofName(s.getString());
        }
        throw new ProcedureLoadException(filename + ": procedure " + name + ": " + option
                + " must be a name or a number, not " + value.__repr__());
    }

    /** One line: where in the file it happened, then the exception as a traceback's last line shows it. */
    static String describe(PyException e, String filename) {
        int line = PythonErrors.innermostLineIn(e, filename);
        if (e.match(Py.SyntaxError)) {
            String where = PythonErrors.stringAttribute(e, "filename");
            String msg = PythonErrors.stringAttribute(e, "msg");
            int syntaxLine = PythonErrors.intAttribute(e, "lineno");
            if (filename.equals(where) && syntaxLine > 0) {
                // the file itself does not compile
                return filename + ", line " + syntaxLine + ": "
                        + cpythonWording(PythonErrors.typeName(e), msg != null ? msg : PythonErrors.message(e));
            }
        }
        String prefix = line > 0 ? filename + ", line " + line : filename;
        return prefix + ": " + PythonErrors.summary(e);
    }

    /**
     * A parse error as CPython 2.7 words it, where Jython's parser speaks of its grammar's tokens: an operator
     * migrating a procedures file knows {@code IndentationError: unexpected indent}, not {@code mismatched input
     * '  ' expecting EOF}. Jython's own messages that CPython shares (an unindent that matches no outer level)
     * are kept.
     */
    static String cpythonWording(String type, String message) {
        if (message == null) {
            return type;
        }
        if (message.endsWith("expecting INDENT")) {
            return "IndentationError: expected an indented block";
        }
        boolean grammar = message.startsWith("mismatched input ") || message.startsWith("no viable alternative")
                || message.startsWith("extraneous input ") || message.startsWith("missing ");
        if (!grammar) {
            return type + ": " + message;
        }
        // the offending input is only blanks, or the parser wanted a dedent: a line indented more than its block
        if (message.endsWith("expecting DEDENT") || message.matches("mismatched input '[ \\t]+' expecting .*")) {
            return "IndentationError: unexpected indent";
        }
        return "SyntaxError: invalid syntax";
    }

    static String describeIo(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
