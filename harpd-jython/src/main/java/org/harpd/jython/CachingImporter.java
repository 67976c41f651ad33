package org.harpd.jython;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.python.core.BytecodeLoader;
import org.python.core.Py;
import org.python.core.PyCode;
import org.python.core.PyException;
import org.python.core.PyList;
import org.python.core.PyModule;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PySystemState;
import org.python.core.imp;
import org.python.modules.zipimport.zipimporter;

/**
 * A {@code sys.meta_path} importer that finds modules where Jython's own import would, and loads them with code
 * from {@link CompiledModules} instead of defining a new Java class per import.
 *
 * <p>It walks {@code sys.path} (or the package's {@code __path__}) in order, as Jython does after the meta path
 * and the built-in modules, and answers only for the two kinds of place whose rules it reproduces exactly: zip
 * archives (Jython's standard library inside its jar) and plain directories holding {@code name.py},
 * {@code name$py.class} or a package with an {@code __init__}. Whenever the first place that has the module is
 * anything else (a Java package, the class path, another importer, an unreadable file, a directory without
 * {@code __init__}, a compiled file without source), it declines, and Jython imports the module as it always
 * did. The modules it creates look as Jython's would: same {@code __file__}, {@code __path__}, {@code __loader__},
 * fresh in each interpreter state.
 */
public final class CachingImporter {
    /** What {@link #find_module} found, for the {@link #load_module} that follows. */
    private final Map<String, Found> found = new HashMap<>();

    private sealed interface Found permits InArchive, InDirectory, Missing {
    }

    /** A top-level module that is nowhere: {@link #load_module} raises the ImportError Jython would. */
    private record Missing() implements Found {
    }

    private static final Found MISSING = new Missing();

    private static final StackWalker STACK = StackWalker.getInstance();

    private static final java.util.concurrent.atomic.AtomicLong MISSES_ANSWERED = new java.util.concurrent.atomic.AtomicLong();

    private record InArchive(zipimporter importer) implements Found {
    }

    /** {@code source}/{@code compiled} are {@code name.py}/{@code name$py.class}, or the package's {@code __init__}. */
    private record InDirectory(File source, File compiled, File packageDirectory) implements Found {
    }

    /** Puts a new importer first on {@code sys.meta_path} of {@code sys}. */
    static void install(PySystemState sys) {
        sys.meta_path.insert(0, Py.java2py(new CachingImporter()));
    }

    public PyObject find_module(String fullname) {
        return find_module(fullname, Py.None);
    }

    /** {@code self} when this importer will load the module, {@code None} to leave it to Jython. */
    public PyObject find_module(String fullname, PyObject path) {
        found.remove(fullname);
        PySystemState sys = Py.getSystemState();
        if (fullname.equals("sys") || fullname.equals("__builtin__") || PySystemState.getBuiltin(fullname) != null) {
            return Py.None;
        }
        PyObject entries = path == Py.None ? sys.path : path;
        if (!(entries instanceof PyList)) {
            return Py.None;
        }
        String name = fullname.substring(fullname.lastIndexOf('.') + 1);
        for (PyObject entry : entries.asIterable()) {
            Found here;
            try {
                here = lookIn(sys, entry, fullname, name);
            } catch (Decline d) {
                return Py.None;
            }
            if (here != null) {
                found.put(fullname, here);
                return Py.java2py(this);
            }
        }
        if (path == Py.None && fullname.indexOf('.') < 0 && nowhere(sys, (PyList) entries, fullname)) {
            found.put(fullname, MISSING);
            return Py.java2py(this);
        }
        return Py.None;
    }

    /**
     * Whether the top-level module {@code name}, which no {@code sys.path} entry has as a Python module, is known
     * to be no Java class or package either, so that Jython's import would end in {@code ImportError: No module
     * named name}.
     *
     * <p>On such a miss Jython, having asked the meta path, the built-in modules and every path entry (as this
     * importer just did), goes on to look for Java: {@code JavaImportHelper.tryAddPackage} asks the class loaders
     * for a class named {@code name.f} for every name {@code f} of the {@code from} list and builds the set of
     * every package the JVM has loaded, then the whole search is repeated once more (the second
     * {@code import_next} in {@code import_first}) with another Java search. In Jython that is most of the cost
     * of a miss (for example {@code warnings}' {@code from _warnings import ...} in every state). Every name that
     * search tries starts with {@code name}. It can find nothing when
     * <ul>
     * <li>no class loader but the JVM's plain ones is involved: {@code sys.getClassLoader()} is unset and the
     * thread's context class loader is the application class loader, which {@link JavaNames} knows;</li>
     * <li>no jar or directory of the class path, no module of the JVM has anything starting with {@code name}
     * ({@link JavaNames#mayHave});</li>
     * <li>Jython's own Java package registry has no top-level package {@code name} (as {@code sys.add_package}
     * or an earlier Java import would add);</li>
     * <li>no {@code sys.path} directory or archive holds a {@code name} directory or {@code name.class}, which
     * Jython's {@code sys.path} class loader would find;</li>
     * <li>no importer after this one on {@code sys.meta_path} could answer;</li>
     * <li>the question comes from Jython's import statement machinery ({@code imp.find_module}), not from Python
     * code walking {@code sys.meta_path} (such as {@code pkgutil.find_loader}), which must still see
     * {@code None}.</li>
     * </ul>
     * Then this importer answers the miss itself: its loader raises the same {@code ImportError} at the same
     * point, and nothing else changes, since a miss leaves {@code sys.modules} alone. Nothing is remembered
     * between lookups except what the JVM's jars hold: a module that appears on disk afterwards is found by the
     * next import.
     */
    private boolean nowhere(PySystemState sys, PyList entries, String name) {
        JavaNames java = JavaNames.get();
        if (java == null || sys.getClassLoader() != null) {
            return false;
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != ClassLoader.getSystemClassLoader()) {
            return false;
        }
        PyObject metaPath = sys.meta_path;
        int last = metaPath.__len__() - 1;
        if (last < 0 || metaPath.__getitem__(last).__tojava__(CachingImporter.class) != this) {
            return false;
        }
        if (PySystemState.packageManager.topLevelPackage.__dict__.__finditem__(name) != null
                || java.mayHave(name)) {
            return false;
        }
        for (PyObject entry : entries.asIterable()) {
            PyObject importer = sys.path_importer_cache.__finditem__(entry);
            if (importer instanceof zipimporter zip) {
                if (JavaNames.archiveMayHave(zip.archive, zip.prefix, name)) {
                    return false;
                }
            } else if (JavaNames.directoryMayHave(new File(sys.getPath(((PyString) entry).getString())), name)) {
                return false;
            }
        }
        return calledByJythonImport();
    }

    /** Whether Jython's {@code imp.find_module} asked, rather than Python code. */
    private static boolean calledByJythonImport() {
        return STACK.walk(frames -> frames.skip(2).limit(32).map(f -> {
            String type = f.getClassName();
            if (type.equals("org.python.core.imp")) {
                return f.getMethodName().equals("find_module") ? Boolean.TRUE : Boolean.FALSE;
            }
            // compiled Python code: a Python caller
            return type.endsWith("$py") || type.startsWith("org.python.pycode.") ? Boolean.FALSE : null;
        }).filter(answer -> answer != null).findFirst().orElse(Boolean.FALSE));
    }

    /** How many top-level misses this JVM's importers answered themselves, for tests. */
    static long missesAnswered() {
        return MISSES_ANSWERED.get();
    }

    /** Thrown when the module may be in {@code entry} but not in a way this importer reproduces. */
    private static final class Decline extends Exception {
        Decline() {
            super(null, null, false, false);
        }
    }

    private static Found lookIn(PySystemState sys, PyObject entry, String fullname, String name) throws Decline {
        if (!(entry instanceof PyString)) {
            throw new Decline();
        }
        PyObject importer = pathImporter(sys, entry);
        if (importer instanceof zipimporter zip) {
            return zip.find_module(fullname) == Py.None ? null : new InArchive(zip);
        }
        if (importer != Py.None) {
            if (importer.invoke("find_module", Py.newString(fullname)) != Py.None) {
                throw new Decline();
            }
            return null;
        }
        if (!sys.dont_write_bytecode) {
            // Jython would write name$py.class beside a source it compiles: left to it
            throw new Decline();
        }
        return inDirectory(((PyString) entry).getString(), name);
    }

    /** The importer {@code sys.path_hooks} give for {@code entry}, remembered as {@code imp.getPathImporter} does. */
    private static PyObject pathImporter(PySystemState sys, PyObject entry) {
        PyObject importer = sys.path_importer_cache.__finditem__(entry);
        if (importer != null) {
            return importer;
        }
        for (PyObject hook : sys.path_hooks.asIterable()) {
            try {
                importer = hook.__call__(entry);
                break;
            } catch (PyException e) {
                if (!e.match(Py.ImportError)) {
                    throw e;
                }
            }
        }
        importer = importer == null ? Py.None : importer;
        sys.path_importer_cache.__setitem__(entry, importer);
        return importer;
    }

    /** Jython's rules for a directory on the path ({@code imp.loadFromSource}), for absolute directories only. */
    private static Found inDirectory(String directory, String name) throws Decline {
        if (directory.isEmpty() || !new File(directory).isAbsolute()) {
            throw new Decline();
        }
        File packageDirectory = new File(directory, name);
        if (packageDirectory.isDirectory()) {
            File source = new File(packageDirectory, "__init__.py");
            File compiled = new File(packageDirectory, "__init__$py.class");
            if (!source.isFile() && !compiled.isFile()) {
                throw new Decline(); // Jython warns and moves on: left to it
            }
            return usable(source, compiled, packageDirectory);
        }
        File source = new File(directory, name + ".py");
        File compiled = new File(directory, name + "$py.class");
        if (!source.exists() && !compiled.exists()) {
            return null;
        }
        return usable(source, compiled, null);
    }

    private static Found usable(File source, File compiled, File packageDirectory) throws Decline {
        // Jython skips files it cannot read, and loads a compiled file without source by the name inside it
        if (!readableIfThere(source) || !readableIfThere(compiled) || !source.isFile()) {
            throw new Decline();
        }
        return new InDirectory(source, compiled, packageDirectory);
    }

    private static boolean readableIfThere(File file) {
        return !file.exists() || file.isFile() && Files.isReadable(file.toPath());
    }

    public PyObject load_module(String fullname) {
        Found where = found.remove(fullname);
        if (where == null) {
            throw Py.ImportError("harpd's importer asked for " + fullname + " it did not find");
        }
        if (where == MISSING) {
            MISSES_ANSWERED.incrementAndGet();
            throw Py.ImportError("No module named " + fullname);
        }
        if (where instanceof InArchive archive) {
            return loadFromArchive(archive.importer(), fullname);
        }
        return loadFromDirectory((InDirectory) where, fullname);
    }

    /** As {@code zipimporter.load_module}, with the code compiled once per archive version. */
    private static PyObject loadFromArchive(zipimporter zip, String fullname) {
        File archive = new File(zip.archive);
        String key = "zip:" + zip.archive + "\0" + zip.prefix + "\0" + fullname;
        long stamp = archive.lastModified() * 31 + archive.length();
        CompiledModules.Compiled compiled = CompiledModules.forStamp(key, stamp);
        if (compiled == null) {
            PyObject filename = zip.get_filename(fullname);
            compiled = new CompiledModules.Compiled((PyCode) zip.get_code(fullname), zip.is_package(fullname),
                    filename.toString());
            CompiledModules.putForStamp(key, stamp, compiled);
        }
        PyModule module = imp.addModule(fullname);
        module.__dict__.__setitem__("__loader__", zip);
        if (compiled.isPackage()) {
            PyList path = new PyList();
            path.add(zip.archive + File.separator + zip.prefix + fullname.substring(fullname.lastIndexOf('.') + 1));
            module.__dict__.__setitem__("__path__", path);
        }
        return imp.createFromCode(fullname, compiled.code(), compiled.filename());
    }

    /**
     * As {@code imp.loadFromSource}: the compiled file if it is at least as new as the source and records the
     * source's time, else the source compiled (never written back: harpd's interpreters do not write bytecode).
     */
    private static PyObject loadFromDirectory(InDirectory where, String fullname) {
        String sourceName = where.source().getPath();
        long sourceTime = where.source().lastModified();
        PyCode code = null;
        String file = null;
        if (where.compiled().isFile() && where.compiled().lastModified() >= sourceTime) {
            byte[] bytes = read(where.compiled());
            String key = "class:" + where.compiled().getPath() + "\0" + sourceTime;
            code = CompiledModules.forBytes(key, bytes);
            if (code == null) {
                code = compiledCode(fullname, bytes, sourceTime, sourceName);
                if (code != null) {
                    CompiledModules.putForBytes(key, bytes, code);
                }
            }
            file = where.compiled().getPath();
        }
        if (code == null) {
            byte[] bytes = read(where.source());
            String key = "py:" + sourceName + "\0" + sourceTime;
            code = CompiledModules.forBytes(key, bytes);
            if (code == null) {
                code = BytecodeLoader.makeCode(fullname + "$py",
                        imp.compileSource(fullname, new ByteArrayInputStream(SurrogateLiterals.rewrite(bytes)),
                                sourceName, sourceTime),
                        sourceName);
                CompiledModules.putForBytes(key, bytes, code);
            }
            file = sourceName;
        }
        if (where.packageDirectory() != null) {
            PyModule module = imp.addModule(fullname);
            module.__dict__.__setitem__("__path__",
                    new PyList(new PyObject[] {Py.fileSystemEncode(where.packageDirectory().getPath())}));
        }
        return imp.createFromCode(fullname, code, file);
    }

    /** The code of a {@code $py.class}, or {@code null} when it was compiled from another version of the source. */
    private static PyCode compiledCode(String fullname, byte[] bytes, long sourceTime, String sourceName) {
        byte[] data;
        try {
            data = imp.readCode(fullname, new ByteArrayInputStream(bytes), true, sourceTime);
        } catch (IOException e) {
            return null;
        }
        return data == null ? null : BytecodeLoader.makeCode(fullname + "$py", data, sourceName);
    }

    private static byte[] read(File file) {
        try {
            return Files.readAllBytes(file.toPath());
        } catch (IOException e) {
            throw Py.IOError(e);
        }
    }
}
