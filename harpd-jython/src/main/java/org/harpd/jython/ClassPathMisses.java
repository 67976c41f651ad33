package org.harpd.jython;

import java.io.File;
import java.net.URL;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application class loader with its misses remembered: a class or resource it did not find on the fixed
 * class path is not looked for in every jar again.
 *
 * <p>Jython asks the class loaders after every Python import miss whether the name is a Java class (for
 * {@code import harpd.os} it tries {@code os} and {@code harpd.os}, for {@code from genericpath import *} the
 * class {@code genericpath.*}), and each such miss searches every jar of the class path. This loader defines no
 * class of its own and delegates every lookup to the application class loader, so what it finds is exactly
 * what that finds: the same {@code Class} objects, the same resources. It only answers a repeated miss itself,
 * and only where the answer cannot have changed: the jars of the class path are fixed for the life of the JVM
 * ({@link JavaNames}), so a name is answered from the cache only while no class path directory (whose contents
 * may change) has an entry for its first segment.
 *
 * <p>{@link PythonRuntime} makes it the parent of each state's {@code sys.path} class loader, the first loader
 * Jython asks; it is not made any thread's context class loader.
 */
final class ClassPathMisses extends ClassLoader {
    private static final int LIMIT = 20_000;
    private static volatile ClassPathMisses instance;

    private final JavaNames names;
    private final Set<String> classes = ConcurrentHashMap.newKeySet();
    private final Set<String> resources = ConcurrentHashMap.newKeySet();

    static {
        registerAsParallelCapable();
    }

    private ClassPathMisses(JavaNames names) {
        super("harpd-class-path-misses", ClassLoader.getSystemClassLoader());
        this.names = names;
    }

    /** The JVM's instance, or {@code null} when {@link JavaNames} cannot vouch for the class path. */
    static ClassPathMisses get() {
        ClassPathMisses loader = instance;
        if (loader == null) {
            JavaNames names = JavaNames.get();
            if (names == null) {
                return null;
            }
            synchronized (ClassPathMisses.class) {
                if (instance == null) {
                    instance = new ClassPathMisses(names);
                }
                loader = instance;
            }
        }
        return loader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (classes.contains(name) && !names.inDirectories(name.replace('.', '/'))) {
            throw new Miss(name);
        }
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            remember(classes, name);
            throw e;
        }
    }

    @Override
    public URL getResource(String name) {
        if (resources.contains(name) && !names.inDirectories(name)) {
            return null;
        }
        URL url = getParent().getResource(name);
        if (url == null) {
            remember(resources, name);
        }
        return url;
    }

    private static void remember(Set<String> misses, String name) {
        if (misses.size() < LIMIT) {
            misses.add(name);
        }
    }

    /** A remembered miss: no stack trace to fill, as the class loaders' own misses are cheap to throw. */
    private static final class Miss extends ClassNotFoundException {
        Miss(String name) {
            super(name);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** For tests: the first path segment of {@code path} is to be looked up in class path directories. */
    static boolean firstSegmentIn(File directory, String path) {
        int slash = path.indexOf('/');
        return new File(directory, slash < 0 ? path : path.substring(0, slash)).exists();
    }
}
