package org.harpd.jython;

import org.harpd.config.PythonPath;
import org.python.core.Py;
import org.python.core.PyCode;
import org.python.core.PyDictionary;
import org.python.core.PyObject;
import org.python.core.PyStringMap;

/** One runtime shared by the tests of this module (creating one costs about a second), and snippet helpers. */
final class Python {
    private static PythonRuntime shared;

    private Python() {
    }

    static synchronized PythonRuntime runtime() {
        if (shared == null) {
            shared = PythonRuntime.create(PythonPath.NONE);
        }
        return shared;
    }

    /** Executes {@code code} in a fresh namespace and returns the namespace. */
    static PyObject exec(String code) {
        return exec(runtime(), code);
    }

    /** Executes {@code code} in a fresh namespace of {@code runtime} and returns the namespace. */
    static PyObject exec(PythonRuntime runtime, String code) {
        return runtime.eval(() -> {
            PyObject globals = new PyStringMap();
            globals.__setitem__("__builtins__", Py.getSystemState().getBuiltins());
            PyCode compiled = Py.compile_flags(code, "<test>", org.python.core.CompileMode.exec,
                    new org.python.core.CompilerFlags());
            Py.runCode(compiled, globals, globals);
            return globals;
        });
    }

    /** Evaluates one expression after executing {@code setup}. */
    static PyObject eval(String setup, String expression) {
        PyObject globals = exec(setup + "\n__value__ = (" + expression + ")\n");
        return globals.__finditem__("__value__");
    }

    static PyDictionary dict() {
        return new PyDictionary();
    }
}
