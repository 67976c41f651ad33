package org.harpd.jython;

import org.python.core.Py;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PySystemState;
import org.python.core.PyType;

/**
 * Jython's {@code sys} reporting {@code sys.byteorder} as CPython 2.7 on x86-64 Linux does ("little"), and
 * {@code sys.float_info} as harpd._platform sets it in the module's dict (CPython's).
 *
 * <p>Jython holds {@code byteorder} as a Java constant that attribute lookup finds before the module's dict, so
 * neither assignment nor the dict can change it; this subclass answers the name itself. The value goes with the
 * native byte order of {@code struct} that harpd gives procedures (python-lib/daemon/harpd/_linux/struct.py) and with
 * the native UTF-16/UTF-32 codecs (python-lib/daemon/harpd/_platform.py): Jython's own library pairs them
 * (json's NaN/Infinity constants, the UTF-16/UTF-32 incremental encoders), so all three change together.
 * {@code sys.maxint} is not changed: Jython's built-ins (xrange, islice, str.split, file.read, re.sub, ...)
 * take only Java ints, so CPython's 2**63-1 would break code that passes it as "no limit".
 */
final class LinuxSystemState extends PySystemState {
    private static final PyString LITTLE = Py.newString("little");

    LinuxSystemState() {
        // the dict a subclass starts with holds only the subclass's own members: dir(sys) and vars(sys) need the
        // ones of sys itself
        PyObject hooks = __dict__.__finditem__("displayhook");
        PyObject excepthook = __dict__.__finditem__("excepthook");
        __dict__.invoke("update", PyType.fromClass(PySystemState.class).fastGetDict());
        __dict__.__setitem__("displayhook", hooks);
        __dict__.__setitem__("excepthook", excepthook);
        __dict__.__setitem__("byteorder", LITTLE);
    }

    @Override
    public PyObject __findattr_ex__(String name) {
        if ("byteorder".equals(name)) {
            return LITTLE;
        }
        if ("float_info".equals(name)) {
            // a Java constant too; harpd._platform puts CPython's (dig 15, C's exponents) into the dict
            PyObject floatInfo = __dict__.__finditem__(name);
            if (floatInfo != null) {
                return floatInfo;
            }
        }
        return super.__findattr_ex__(name);
    }
}
