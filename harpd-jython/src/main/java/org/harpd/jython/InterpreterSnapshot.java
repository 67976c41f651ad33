package org.harpd.jython;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentMap;
import org.python.core.BaseSet;
import org.python.core.Py;
import org.python.core.PyCell;
import org.python.core.PyClass;
import org.python.core.PyCode;
import org.python.core.PyDictionary;
import org.python.core.PyFrozenSet;
import org.python.core.PyFunction;
import org.python.core.PyInstance;
import org.python.core.PyList;
import org.python.core.PyObject;
import org.python.core.PyStringMap;
import org.python.core.PySystemState;
import org.python.core.PyType;
import org.python.core.ThreadState;
import org.python.core.Traverseproc;
import org.python.core.TraverseprocDerived;
import org.python.core.Visitproc;

/**
 * Everything Python can reach from one interpreter state ({@code sys}: its modules, path, hooks, streams and
 * attributes), recorded once so that it can be put back as it was, in place, after every call: what a forked
 * child changes is gone with the child, and this is how a long-lived worker gives its next call the same.
 *
 * <p>The walk follows Jython's own reference traversal ({@link Traverseproc}) from {@code sys} and records the
 * shallow contents of every mutable container it meets: lists, dicts (module, class and instance namespaces
 * included), sets, function defaults and code, closure cells, classic instances' class. Restoring writes those
 * contents back where they differ, so a module-level list appended to, an attribute set on {@code os}, a new
 * entry in {@code sys.modules} or {@code os.environ}, a handler added to a logger — all are undone, and objects
 * the call created become unreachable. Containers created by the call are not recorded, and need not be: after
 * the restore nothing recorded refers to them.
 *
 * <p>Not covered (the worker cannot see such state change): the internal state of objects implemented in Java
 * — {@code collections.deque}, {@code bytearray}, {@code array}, a random generator's state, a file's position,
 * {@code threading.local} values — and {@code __slots__} values and an instance's reassigned {@code __class__}
 * of new-style classes. Built-in types are skipped: Python cannot change them.
 */
final class InterpreterSnapshot {
    private static final MethodHandle LIST_ITEMS;
    private static final MethodHandle TYPE_IS_BUILTIN;
    private static final Field SYS_CLOSER;
    private static final Field CLOSER_RESOURCES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            // PyList's item list is package-private; its public java.util.List face converts items to Java.
            LIST_ITEMS = MethodHandles.privateLookupIn(PyList.class, lookup)
                    .findGetter(PyList.class, "list", List.class);
            TYPE_IS_BUILTIN = MethodHandles.privateLookupIn(PyType.class, lookup)
                    .findGetter(PyType.class, "builtin", boolean.class);
            SYS_CLOSER = PySystemState.class.getDeclaredField("closer");
            SYS_CLOSER.setAccessible(true);
            CLOSER_RESOURCES = SYS_CLOSER.getType().getDeclaredField("resourceClosers");
            CLOSER_RESOURCES.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PySystemState sys;
    private final Record[] records;
    private final SysFields sysFields;
    private final Set<Callable<Void>> openFiles;

    private InterpreterSnapshot(PySystemState sys, Record[] records, Set<Callable<Void>> openFiles) {
        this.sys = sys;
        this.records = records;
        this.sysFields = new SysFields(sys);
        this.openFiles = openFiles;
    }

    /** Records {@code sys} and everything reachable from it; call with no Python code running in that state. */
    static InterpreterSnapshot take(PySystemState sys) {
        List<Record> records = new ArrayList<>();
        Map<PyObject, Boolean> seen = new IdentityHashMap<>(1 << 16);
        ArrayDeque<PyObject> pending = new ArrayDeque<>();
        Visitproc visit = (object, arg) -> {
            if (object != null && seen.put(object, Boolean.TRUE) == null) {
                pending.push(object);
            }
            return 0;
        };
        visit.visit(sys, null);
        while (!pending.isEmpty()) {
            PyObject object = pending.pop();
            if (object instanceof PyType type && isBuiltin(type)) {
                continue;
            }
            Record record = recordOf(object);
            if (record != null) {
                records.add(record);
            }
            if (object instanceof Traverseproc traversable) {
                traversable.traverse(visit, null);
            }
            if (object instanceof TraverseprocDerived derived) {
                derived.traverseDerived(visit, null);
            }
        }
        // A class's namespace is restored through the class, so that its attribute caches are invalidated.
        Set<Object> namespaces = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Record record : records) {
            if (record instanceof ClassRecord owner) {
                namespaces.add(owner.namespace().map);
            }
        }
        records.removeIf(r -> r instanceof MapRecord m && namespaces.contains(m.map));
        return new InterpreterSnapshot(sys, records.toArray(new Record[0]), copyOpenFiles(sys));
    }

    /** How many objects the walk recorded. */
    int size() {
        return records.length;
    }

    /**
     * Closes the files the state opened since the snapshot, then puts every recorded object back as it was.
     *
     * @return how many recorded objects had changed
     */
    int restore() {
        closeFilesOpenedSince();
        int changed = 0;
        for (Record record : records) {
            if (record.restore()) {
                changed++;
            }
        }
        sysFields.restore(sys);
        ThreadState thread = Py.getThreadState();
        thread.exception = null;
        thread.tracefunc = null;
        thread.profilefunc = null;
        return changed;
    }

    /**
     * Files a call opened and left open (Jython closes them only when the garbage collector finds them, CPython
     * when the last reference goes; a fork's child closes them when it exits). Each open file is registered with
     * its interpreter state's closer until closed.
     */
    private void closeFilesOpenedSince() {
        List<Callable<Void>> opened = new ArrayList<>();
        for (Callable<Void> file : copyOpenFiles(sys)) {
            if (!openFiles.contains(file)) {
                opened.add(file);
            }
        }
        for (Callable<Void> file : opened) {
            try {
                file.call();
            } catch (Exception | LinkageError e) {
                // a file that fails to close is gone from the state all the same
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<Callable<Void>> openFiles(PySystemState sys) {
        try {
            Set<Callable<Void>> live = (Set<Callable<Void>>) CLOSER_RESOURCES.get(SYS_CLOSER.get(sys));
            return live == null ? Set.of() : live;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the closer's set of open files (a synchronized set: copied under its own lock). */
    private static Set<Callable<Void>> copyOpenFiles(PySystemState sys) {
        Set<Callable<Void>> live = openFiles(sys);
        Set<Callable<Void>> copy = Collections.newSetFromMap(new IdentityHashMap<>());
        synchronized (live) {
            copy.addAll(live);
        }
        return copy;
    }

    private static boolean isBuiltin(PyType type) {
        try {
            return (boolean) TYPE_IS_BUILTIN.invokeExact(type);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<PyObject> itemsOf(PyList list) {
        try {
            return (List<PyObject>) LIST_ITEMS.invokeExact(list);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Record recordOf(PyObject object) {
        if (object instanceof PyList list) {
            return new ListRecord(list);
        } else if (object instanceof PyStringMap map) {
            return new MapRecord(map.getMap());
        } else if (object instanceof PyDictionary dict) {
            return new MapRecord(dict.getMap());
        } else if (object instanceof BaseSet set && !(object instanceof PyFrozenSet)) {
            return new SetRecord(set);
        } else if (object instanceof PyFunction function) {
            return new FunctionRecord(function);
        } else if (object instanceof PyCell cell) {
            return new CellRecord(cell);
        } else if (object instanceof PyInstance instance) {
            return new InstanceRecord(instance);
        } else if (object instanceof PyType type) {
            MapRecord namespace = namespaceOf(type.fastGetDict());
            return namespace == null ? null : new ClassRecord(type, namespace);
        } else if (object instanceof PyClass cls && cls.__dict__ != null) {
            MapRecord namespace = namespaceOf(cls.__dict__);
            return namespace == null ? null : new ClassRecord(cls, namespace);
        }
        return null;
    }

    private static MapRecord namespaceOf(PyObject dict) {
        if (dict instanceof PyStringMap map) {
            return new MapRecord(map.getMap());
        } else if (dict instanceof PyDictionary d) {
            return new MapRecord(d.getMap());
        }
        return null;
    }

    /** One recorded object; {@link #restore} puts it back and says whether it had changed. */
    private interface Record {
        boolean restore();
    }

    private static final class ListRecord implements Record {
        private final List<PyObject> items;
        private final PyObject[] saved;

        ListRecord(PyList list) {
            this.items = itemsOf(list);
            this.saved = items.toArray(new PyObject[0]);
        }

        @Override
        public boolean restore() {
            if (items.size() == saved.length) {
                int i = 0;
                while (i < saved.length && items.get(i) == saved[i]) {
                    i++;
                }
                if (i == saved.length) {
                    return false;
                }
            }
            items.clear();
            items.addAll(Arrays.asList(saved));
            return true;
        }
    }

    /** A dict or string map: the same keys bound to the same objects. */
    private static final class MapRecord implements Record {
        private final ConcurrentMap<Object, PyObject> map;
        private final Object[] keys;
        private final PyObject[] values;

        @SuppressWarnings("unchecked")
        MapRecord(ConcurrentMap<?, PyObject> map) {
            this.map = (ConcurrentMap<Object, PyObject>) map;
            int n = map.size();
            List<Object> k = new ArrayList<>(n);
            List<PyObject> v = new ArrayList<>(n);
            for (Map.Entry<?, PyObject> entry : map.entrySet()) {
                k.add(entry.getKey());
                v.add(entry.getValue());
            }
            this.keys = k.toArray();
            this.values = v.toArray(new PyObject[0]);
        }

        boolean changed() {
            if (map.size() != keys.length) {
                return true;
            }
            for (int i = 0; i < keys.length; i++) {
                if (map.get(keys[i]) != values[i]) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean restore() {
            if (!changed()) {
                return false;
            }
            map.clear();
            for (int i = 0; i < keys.length; i++) {
                map.put(keys[i], values[i]);
            }
            return true;
        }

        PyObject saved(Object key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    return values[i];
                }
            }
            return null;
        }
    }

    /**
     * A class's namespace, put back through the class's own attribute setters so that the method caches of new-
     * style classes and the special-method slots of classic ones follow.
     */
    private record ClassRecord(PyObject owner, MapRecord namespace) implements Record {
        @Override
        public boolean restore() {
            if (!namespace.changed()) {
                return false;
            }
            for (Object key : new ArrayList<>(namespace.map.keySet())) {
                if (namespace.saved(key) == null) {
                    owner.__delattr__(nameOf(key));
                }
            }
            for (int i = 0; i < namespace.keys.length; i++) {
                if (namespace.map.get(namespace.keys[i]) != namespace.values[i]) {
                    owner.__setattr__(nameOf(namespace.keys[i]), namespace.values[i]);
                }
            }
            return true;
        }

        private static String nameOf(Object key) {
            return key instanceof String s ? s : ((PyObject) key).asString();
        }
    }

    private static final class SetRecord implements Record {
        private final Set<PyObject> set;
        private final PyObject[] saved;

        SetRecord(BaseSet set) {
            this.set = set.getSet();
            this.saved = this.set.toArray(new PyObject[0]);
        }

        @Override
        public boolean restore() {
            if (set.size() == saved.length) {
                boolean same = true;
                for (PyObject item : saved) {
                    if (!set.contains(item)) {
                        same = false;
                        break;
                    }
                }
                if (same) {
                    return false;
                }
            }
            set.clear();
            set.addAll(Arrays.asList(saved));
            return true;
        }
    }

    private static final class FunctionRecord implements Record {
        private final PyFunction function;
        private final PyObject[] defaults;
        private final PyObject[] defaultItems;
        private final PyCode code;
        private final PyObject dict;
        private final PyObject doc;
        private final PyObject module;

        FunctionRecord(PyFunction function) {
            this.function = function;
            this.defaults = function.__defaults__;
            this.defaultItems = defaults == null ? null : defaults.clone();
            this.code = function.__code__;
            this.dict = function.__dict__;
            this.doc = function.__doc__;
            this.module = function.__module__;
        }

        @Override
        public boolean restore() {
            boolean changed = function.__defaults__ != defaults || function.__code__ != code
                    || function.__dict__ != dict || function.__doc__ != doc || function.__module__ != module;
            if (defaults != null && !Arrays.equals(defaults, defaultItems)) {
                System.arraycopy(defaultItems, 0, defaults, 0, defaults.length);
                changed = true;
            }
            if (changed) {
                function.__defaults__ = defaults;
                function.__code__ = code;
                function.__dict__ = dict;
                function.__doc__ = doc;
                function.__module__ = module;
            }
            return changed;
        }
    }

    private static final class CellRecord implements Record {
        private final PyCell cell;
        private final PyObject saved;

        CellRecord(PyCell cell) {
            this.cell = cell;
            this.saved = cell.ob_ref;
        }

        @Override
        public boolean restore() {
            if (cell.ob_ref == saved) {
                return false;
            }
            cell.ob_ref = saved;
            return true;
        }
    }

    /** A classic instance: its class and namespace object (the namespace's contents are a record of their own). */
    private static final class InstanceRecord implements Record {
        private final PyInstance instance;
        private final PyClass cls;
        private final PyObject dict;

        InstanceRecord(PyInstance instance) {
            this.instance = instance;
            this.cls = instance.instclass;
            this.dict = instance.__dict__;
        }

        @Override
        public boolean restore() {
            if (instance.instclass == cls && instance.__dict__ == dict) {
                return false;
            }
            instance.instclass = cls;
            instance.__dict__ = dict;
            return true;
        }
    }

    /** The attributes of {@code sys} that are Java fields rather than entries of its namespace. */
    private static final class SysFields {
        private final PyObject modules;
        private final PyList path;
        private final PyList metaPath;
        private final PyList pathHooks;
        private final PyObject pathImporterCache;
        private final PyList argv;
        private final PyList warnoptions;
        private final PyObject builtins;
        private final PyObject platform;
        private final PyObject executable;
        private final PyObject stdout;
        private final PyObject stderr;
        private final PyObject stdin;
        private final PyObject dict;
        private final boolean dontWriteBytecode;
        private final int recursionLimit;
        private final String workingDirectory;
        private final PyObject defaultEncoding;
        private final PyObject lastType;
        private final PyObject lastValue;
        private final PyObject lastTraceback;

        SysFields(PySystemState sys) {
            modules = sys.modules;
            path = sys.path;
            metaPath = sys.meta_path;
            pathHooks = sys.path_hooks;
            pathImporterCache = sys.path_importer_cache;
            argv = sys.argv;
            warnoptions = sys.warnoptions;
            builtins = sys.builtins;
            platform = sys.platform;
            executable = sys.executable;
            stdout = sys.stdout;
            stderr = sys.stderr;
            stdin = sys.stdin;
            dict = sys.__dict__;
            dontWriteBytecode = sys.dont_write_bytecode;
            recursionLimit = sys.getrecursionlimit();
            workingDirectory = sys.getCurrentWorkingDir();
            defaultEncoding = sys.getdefaultencoding();
            lastType = sys.last_type;
            lastValue = sys.last_value;
            lastTraceback = sys.last_traceback;
        }

        void restore(PySystemState sys) {
            sys.modules = modules;
            sys.path = path;
            sys.meta_path = metaPath;
            sys.path_hooks = pathHooks;
            sys.path_importer_cache = pathImporterCache;
            sys.argv = argv;
            sys.warnoptions = warnoptions;
            sys.builtins = builtins;
            sys.platform = platform;
            sys.executable = executable;
            sys.stdout = stdout;
            sys.stderr = stderr;
            sys.stdin = stdin;
            sys.__dict__ = dict;
            sys.last_type = lastType;
            sys.last_value = lastValue;
            sys.last_traceback = lastTraceback;
            sys.dont_write_bytecode = dontWriteBytecode;
            if (sys.getrecursionlimit() != recursionLimit) {
                sys.setrecursionlimit(recursionLimit);
            }
            if (!workingDirectory.equals(sys.getCurrentWorkingDir())) {
                sys.setCurrentWorkingDir(workingDirectory);
            }
            if (!defaultEncoding.equals(sys.getdefaultencoding())) {
                sys.setdefaultencoding(defaultEncoding.toString());
            }
        }
    }
}
