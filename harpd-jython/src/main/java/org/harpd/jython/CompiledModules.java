package org.harpd.jython;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.python.core.PyCode;

/**
 * Compiled module code shared by every interpreter state of the JVM.
 *
 * <p>Jython turns each imported module into a Java class, and defines that class anew for every import, even of
 * a precompiled {@code $py.class}: a fresh interpreter state pays class definition and verification for every
 * module it imports, then runs module code the JIT has never seen. In the {@code interpreter} isolation level
 * that was most of the cost of preparing the next state.
 *
 * <p>Only code is shared, never modules: a {@link PyCode} holds constants and nested code objects, all
 * immutable, and executing it in a new module's namespace builds new functions, classes and globals, exactly as
 * a CPython interpreter does when it runs the same cached {@code .pyc} twice. Every entry is tied to the bytes
 * it was made from (or, for archives, to the archive's size and time), so a file edited on disk is compiled again
 * as Jython would.
 */
final class CompiledModules {
    private static final ConcurrentMap<String, Entry> CODE = new ConcurrentHashMap<>();

    private CompiledModules() {
    }

    /** What a module's code was made from; {@code source} compared byte for byte on every use. */
    private record Entry(byte[] source, long stamp, Compiled compiled) {
    }

    /** A module's code with what an archive's importer says about it. */
    record Compiled(PyCode code, boolean isPackage, String filename) {
    }

    /** The code cached under {@code key} if it was made from exactly {@code source}, else {@code null}. */
    static PyCode forBytes(String key, byte[] source) {
        Entry entry = CODE.get(key);
        return entry != null && Arrays.equals(entry.source, source) ? entry.compiled.code() : null;
    }

    static void putForBytes(String key, byte[] source, PyCode code) {
        CODE.put(key, new Entry(source, 0, new Compiled(code, false, null)));
    }

    /** The code cached under {@code key} if it was made while the container had {@code stamp}, else {@code null}. */
    static Compiled forStamp(String key, long stamp) {
        Entry entry = CODE.get(key);
        return entry != null && entry.source == null && entry.stamp == stamp ? entry.compiled : null;
    }

    static void putForStamp(String key, long stamp, Compiled compiled) {
        CODE.put(key, new Entry(null, stamp, compiled));
    }

    /** How many modules are cached, for tests. */
    static int size() {
        return CODE.size();
    }
}
