package org.harpd.jython;

import java.util.Map;
import org.harpd.auth.Authenticator;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyObject;

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

    private PythonAuthenticator(PythonRuntime runtime, String moduleName, PyObject authDb) {
        this.runtime = runtime;
        this.moduleName = moduleName;
        this.authDb = authDb;
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
        try {
            create = runtime.importModule(module).__findattr__("create");
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
        return new PythonAuthenticator(runtime, module, authDb);
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
            throw new AuthModuleException("authentication module " + moduleName + " failed: "
                    + PythonErrors.summary(e));
        }
    }

    public String moduleName() {
        return moduleName;
    }
}
