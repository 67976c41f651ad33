package org.harpd.jython;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.auth.Authenticator;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyObject;
import org.python.core.PyTraceback;

/**
 * An authentication module (e.g. {@code harpd.auth.passfile}) seen as an {@link Authenticator}: its
 * {@code create(config)} is called once, then the returned object's {@code authenticate(user, password)} per
 * request. Calls may come from several threads at once; Jython has no global lock, and the shipped modules keep
 * no mutable state.
 */
public final class PythonAuthenticator implements Authenticator {
    private final PythonRuntime runtime;
    private final String moduleName;
    private final PyObject authDb;
    /** The module's source file without its extension, to find its frames in a traceback; null if unknown. */
    private final String moduleFileStem;

    private PythonAuthenticator(PythonRuntime runtime, String moduleName, PyObject authDb, String moduleFile) {
        this.runtime = runtime;
        this.moduleName = moduleName;
        this.authDb = authDb;
        this.moduleFileStem = moduleFile == null ? null : stem(moduleFile);
    }

    /**
     * Imports {@code module} and calls its {@code create(config)}.
     *
     * @param config the whole {@code authentication} mapping of the configuration ({@code module} included)
     * @throws AuthModuleException with one line naming the module when it cannot be imported, has no
     *                             {@code create}, or {@code create} raises
     */
    public static PythonAuthenticator create(PythonRuntime runtime, String module, Map<String, Object> config)
            throws AuthModuleException {
        String prefix = "authentication module " + module + ": ";
        PyObject create;
        String moduleFile;
        try {
            PyObject imported = runtime.importModule(module);
            PyObject file = imported.__findattr__("__file__");
            moduleFile = file == null || file == Py.None ? null : file.toString();
            create = imported.__findattr__("create");
        } catch (PyException e) {
            throw new AuthModuleException(prefix + "cannot import: " + PythonErrors.summary(e));
        }
        if (create == null || !create.isCallable()) {
            throw new AuthModuleException(prefix + "has no create(config) function");
        }
        PyObject authDb;
        try {
            authDb = runtime.eval(() -> create.__call__(ConfigValues.toPython(config)));
        } catch (PyException e) {
            throw new AuthModuleException(prefix + "create() failed: " + PythonErrors.summary(e));
        }
        if (runtime.eval(() -> authDb.__findattr__("authenticate")) == null) {
            throw new AuthModuleException(prefix + "create(config) returned " + runtime.eval(authDb::__repr__)
                    + ", which has no authenticate(user, password) method");
        }
        return new PythonAuthenticator(runtime, module, authDb, moduleFile);
    }

    /** The module's verdict, by Python truthiness. */
    @Override
    public boolean authenticate(String user, String password) throws AuthModuleException {
        if (user == null || password == null) {
            return false;
        }
        try {
            return runtime.eval(() -> authDb.invoke("authenticate", Py.newUnicode(user), Py.newUnicode(password))
                    .__nonzero__());
        } catch (PyException e) {
            throw new AuthModuleException("authentication module " + moduleName + " failed: " + describe(e));
        } catch (RuntimeException e) {
            StackTraceElement[] trace = e.getStackTrace();
            throw new AuthModuleException("authentication module " + moduleName + " failed: "
                    + e.getClass().getName() + (trace.length == 0 ? "" : " at " + trace[0]));
        }
    }

    /** The module's {@code groups(user)}, if it has one: an iterable of group names. */
    @Override
    public Collection<String> groups(String user) throws AuthModuleException {
        if (runtime.eval(() -> authDb.__findattr__("groups")) == null) {
            return List.of();
        }
        List<String> groups = new ArrayList<>();
        try {
            runtime.eval(() -> {
                for (PyObject group : authDb.invoke("groups", Py.newUnicode(user)).asIterable()) {
                    groups.add(group.toString());
                }
                return null;
            });
        } catch (PyException e) {
            throw new AuthModuleException("authentication module " + moduleName + " failed in groups(): "
                    + describe(e));
        }
        return groups;
    }

    /** The module's {@code authorize(user, procedure)}, if it has one: None leaves it to harpd.conf. */
    @Override
    public Optional<Boolean> authorize(String user, String procedure) throws AuthModuleException {
        if (runtime.eval(() -> authDb.__findattr__("authorize")) == null) {
            return Optional.empty();
        }
        try {
            return runtime.eval(() -> {
                PyObject verdict = authDb.invoke("authorize", Py.newUnicode(user), Py.newUnicode(procedure));
                return verdict == Py.None ? Optional.empty() : Optional.of(verdict.__nonzero__());
            });
        } catch (PyException e) {
            throw new AuthModuleException("authentication module " + moduleName + " failed in authorize(): "
                    + describe(e));
        }
    }

    /**
     * The exception's type and where it came from: the innermost frame in the module's own file, else the
     * innermost frame. Never its message: a module may put the password there in any form ({@code %r}, upper
     * case, a slice), which no search for the password would find.
     */
    private String describe(PyException e) {
        String module = PythonErrors.moduleName(e);
        String type = "exceptions".equals(module) ? PythonErrors.typeName(e) : module + "." + PythonErrors.typeName(e);
        if ("harpd.auth.UsersFileError".equals(type)) {
            // harpd's own: its file name comes from the configuration, its reason from the operating system
            return "users file " + PythonErrors.stringAttribute(e, "filename") + ": "
                    + PythonErrors.stringAttribute(e, "reason");
        }
        String innermost = null;
        String inModule = null;
        for (PyObject tb = e.traceback; tb instanceof PyTraceback t; tb = t.tb_next) {
            if (t.tb_frame == null || t.tb_frame.f_code == null) {
                continue;
            }
            String file = t.tb_frame.f_code.co_filename;
            innermost = file + ":" + t.tb_lineno;
            if (file != null && moduleFileStem != null && moduleFileStem.equals(stem(file))) {
                inModule = innermost;
            }
        }
        String where = inModule != null ? inModule : innermost;
        return where == null ? type : type + " at " + where;
    }

    /** {@code a/b.py}, {@code a/b.pyc} and {@code a/b$py.class} are one module's files. */
    private static String stem(String file) {
        for (String suffix : new String[] {"$py.class", ".pyc", ".py"}) {
            if (file.endsWith(suffix)) {
                return file.substring(0, file.length() - suffix.length());
            }
        }
        return file;
    }

    public String moduleName() {
        return moduleName;
    }
}
