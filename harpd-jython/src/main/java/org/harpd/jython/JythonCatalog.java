package org.harpd.jython;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.procedure.ProcedureInfo;
import org.python.core.PyObject;

/**
 * The procedures of a loaded procedures file: what the listener needs to know of each, and the Python objects
 * to call them (valid in the {@link PythonRuntime} that loaded them).
 */
public final class JythonCatalog implements ProcedureCatalog {
    private final Map<String, ProcedureInfo> infos;
    private final Map<String, PyObject> objects;
    private final PyObject module;

    JythonCatalog(Map<String, ProcedureInfo> infos, Map<String, PyObject> objects, PyObject module) {
        this.infos = Collections.unmodifiableMap(new LinkedHashMap<>(infos));
        this.objects = Map.copyOf(objects);
        this.module = module;
    }

    @Override
    public Optional<ProcedureInfo> find(String name) {
        return Optional.ofNullable(infos.get(name));
    }

    /** In name order. */
    @Override
    public Collection<ProcedureInfo> all() {
        return infos.values();
    }

    /** The {@code harpd.proc.Procedure} instance exposed under {@code name}. */
    public Optional<PyObject> procedureObject(String name) {
        return Optional.ofNullable(objects.get(name));
    }

    /** The module the procedures file was executed as. */
    public PyObject module() {
        return module;
    }
}
