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

    private sealed interface Found permits InArchive, InDirectory {
    }

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
        return Py.None;
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
                        imp.compileSource(fullname, new ByteArrayInputStream(bytes), sourceName, sourceTime),
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
