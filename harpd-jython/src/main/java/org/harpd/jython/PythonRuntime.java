package org.harpd.jython;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.harpd.config.PythonPath;
import org.harpd.posix.Posix;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyList;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PySystemState;
import org.python.core.imp;

/**
 * One embedded Python interpreter state: its own {@code sys} (path, modules), shared Jython machinery.
 * Several runtimes may live in one JVM; each imports its modules afresh.
 *
 * <p>Jython has no global interpreter lock and binds the current {@code sys} to the calling thread, so every
 * entry into Python goes through {@link #call}, which binds this runtime's {@code sys} for the duration and
 * restores the thread's previous one. Calls from several threads at once are fine as long as the Python code
 * itself is thread-safe.
 */
public final class PythonRuntime {
    /** System property naming the directory that holds harpd's Python package and compatibility modules. */
    public static final String PYTHON_LIB_PROPERTY = "harpd.python.lib";

    private static boolean jythonInitialised;

    private final PySystemState sys;

    private PythonRuntime(PySystemState sys) {
        this.sys = sys;
    }

    /**
     * @param pythonPath {@code python.path} of the configuration
     */
    public static PythonRuntime create(PythonPath pythonPath) {
        return create(pythonLibDirectory(), pythonPath);
    }

    /**
     * @param pythonLib directory put first on {@code sys.path}, so that harpd's own {@code crypt} shadows
     *                  Jython's broken one
     */
    public static PythonRuntime create(Path pythonLib, PythonPath pythonPath) {
        initialiseJython();
        PySystemState sys = newSystemState();
        // Jython takes its working directory from Java's user.dir as the JVM started, which the listener has
        // left: os.getcwd() and relative paths in Python go by the process's real one
        sys.setCurrentWorkingDir(Posix.getcwd());
        // The Python code run here never needs .class files written beside sources: the directories may be
        // read-only or shared with other users, and the procedures file is compiled in memory anyway.
        sys.dont_write_bytecode = true;
        sys.argv = new PyList(new PyObject[] {Py.newString("harpd")});
        List<PyObject> entries = new ArrayList<>();
        entries.add(Py.newStringOrUnicode(pythonLib.toString()));
        pythonPath.prepend().forEach(p -> entries.add(Py.newStringOrUnicode(p)));
        for (PyObject entry : sys.path.asIterable()) {
            // Jython's default path ends in two markers, __classpath__ (Java packages and classes by the package
            // manager) and __pyclasspath__/ (Python modules in class path resources), and may hold "": all three
            // are also taken as directories relative to the working directory, where Jython's class loader and
            // import look for NAME.class and NAME.py on every import miss. Root must load nothing from wherever
            // the daemon was started, so only absolute entries are kept. harpd's Python needs neither marker:
            // Java packages are still found by the class loaders after a miss (imp's JavaImportHelper), and no
            // Python module is shipped as a class path resource.
            if (new File(entry.toString()).isAbsolute()) {
                entries.add(entry);
            }
        }
        pythonPath.append().forEach(p -> entries.add(Py.newStringOrUnicode(p)));
        sys.path = new PyList(entries);
        // modules are executed afresh in every state, but compiled once per JVM: see CompiledModules
        CachingImporter.install(sys);
        PythonRuntime runtime = new PythonRuntime(sys);
        // before any user code: procedures written for CPython expect os.getgroups() and friends
        runtime.importModule("harpd._jython_os");
        // sys.platform, os.name, struct's native order and the native UTF-16/32 codecs as CPython 2.7 on x86-64
        // Linux has them, once Jython's own modules that read them at import time have been imported
        runtime.importModule("harpd._platform");
        // Python logging calls reach harpd's configured handlers (levels are applied there); the bridge is
        // installed when the interpreter first imports logging, so code that never logs does not pay for it
        runtime.eval(() -> runtime.importModule("harpd._logging_hook").invoke("install_on_first_import"));
        return runtime;
    }

    /**
     * A new {@code sys}, whose {@code sys.path} class loader (Jython makes the thread's context class loader its
     * parent) asks the application class loader through {@link ClassPathMisses}.
     */
    private static PySystemState newSystemState() {
        ClassPathMisses misses = ClassPathMisses.get();
        if (misses == null) {
            return new LinuxSystemState();
        }
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(misses);
        try {
            return new LinuxSystemState();
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /**
     * {@code -Dharpd.python.lib}, else {@code ${harpd.home}/lib/python-daemon}: harpd's own modules, apart from
     * the client's {@code lib/python}.
     */
    public static Path pythonLibDirectory() {
        String explicit = System.getProperty(PYTHON_LIB_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            return Paths.get(explicit).toAbsolutePath().normalize();
        }
        String home = System.getProperty("harpd.home");
        if (home == null || home.isEmpty()) {
            throw new IllegalStateException("neither " + PYTHON_LIB_PROPERTY + " nor harpd.home is set: "
                    + "cannot find harpd's Python library");
        }
        Path lib = Paths.get(home, "lib", "python-daemon").toAbsolutePath().normalize();
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("harpd's Python library not found at " + lib);
        }
        return lib;
    }

    private static synchronized void initialiseJython() {
        if (jythonInitialised) {
            return;
        }
        Properties settings = new Properties();
        // Scanning every jar on the class path for Java packages is Jython's slowest start-up step, and
        // writes a cache directory; harpd's Python imports Java classes by full name only.
        settings.setProperty("python.cachedir.skip", "true");
        settings.setProperty("python.import.site", "false");
        settings.setProperty("python.console.encoding", "UTF-8");
        settings.setProperty("python.io.encoding", "UTF-8");
        // a Python exception that reaches Java must not print a Java stack trace as well
        settings.setProperty("python.options.showJavaExceptions", "false");
        PySystemState.initialize(System.getProperties(), settings, new String[] {"harpd"},
                PythonRuntime.class.getClassLoader());
        jythonInitialised = true;
    }

    /** Runs {@code body} with this runtime's {@code sys} bound to the current thread. */
    public <T> T call(Callable<T> body) throws Exception {
        PySystemState previous = Py.setSystemState(sys);
        try {
            return body.call();
        } finally {
            Py.setSystemState(previous);
        }
    }

    /** {@link #call} for bodies that throw only unchecked exceptions (Python exceptions are unchecked). */
    public <T> T eval(PythonBody<T> body) {
        PySystemState previous = Py.setSystemState(sys);
        try {
            return body.run();
        } finally {
            Py.setSystemState(previous);
        }
    }

    /** A piece of work done inside the runtime that throws only {@link PyException} and other unchecked ones. */
    @FunctionalInterface
    public interface PythonBody<T> {
        T run();
    }

    /**
     * Imports a module by its dotted name, as {@code import a.b.c} would, and returns {@code a.b.c} itself.
     *
     * @throws PyException ImportError and whatever the module raises while loading
     */
    public PyObject importModule(String dottedName) {
        return eval(() -> imp.importName(dottedName, false));
    }

    /**
     * Ends this interpreter state as an interpreter exit would: exit functions run, files it opened are closed.
     * The runtime is not to be used afterwards.
     */
    public void close() {
        eval(() -> {
            sys.close();
            return null;
        });
    }

    /** The {@code sys} of this runtime, for tests and diagnostics. */
    public PySystemState systemState() {
        return sys;
    }

    /** {@code sys.path} as strings. */
    public List<String> path() {
        List<String> path = new ArrayList<>();
        for (PyObject entry : sys.path.asIterable()) {
            path.add(entry instanceof PyString s ? s.getString() : entry.toString());
        }
        return path;
    }
}
