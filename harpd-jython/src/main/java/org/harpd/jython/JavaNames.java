package org.harpd.jython;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.python.core.imp;

/**
 * Which top-level names the JVM's fixed class path and modules could ever answer for, so that
 * {@link CachingImporter} can tell, without asking the class loaders, that a name missing from {@code sys.path}
 * is no Java class or package either.
 *
 * <p>After a Python import miss Jython looks for Java: a class or package of that name, of the name with each
 * {@code from} name appended, among the packages the JVM has loaded so far, through {@code sys.path}'s class
 * loader, the application class loader and the thread's context class loader. Every one of those names starts
 * with the missing top-level name. The application class loader finds classes only on {@code java.class.path}
 * (and the jars their manifests name), the platform and boot loaders only in the boot layer's modules; the
 * packages the JVM can have loaded are packages of those, so a top-level name that no jar entry, no class path
 * directory entry and no module package starts with can be none of them, now or later. Jars are listed once per
 * JVM (a jar the JVM has open does not change under it); class path directories are asked afresh every time.
 *
 * <p>When the JVM is set up any other way (a custom system class loader, a boot class path append, Jython not
 * loaded by the application class loader) {@link #get} answers {@code null} and Jython's search is left alone.
 */
final class JavaNames {
    private static volatile JavaNames instance;
    private static volatile boolean unknown;

    /** First name segments of jar entries and of module packages ({@code org}, {@code Foo.class}, {@code x.py}). */
    private final Set<String> fixed;
    /** Class path directories, and class path entries that did not exist at start-up. */
    private final List<File> directories;

    private static final ConcurrentMap<String, ArchiveNames> ARCHIVES = new ConcurrentHashMap<>();

    private record ArchiveNames(long stamp, Set<String> names) {
    }

    private JavaNames(Set<String> fixed, List<File> directories) {
        this.fixed = fixed;
        this.directories = directories;
    }

    /** The JVM's names, or {@code null} when the class loading set-up is not the plain one described above. */
    static JavaNames get() {
        JavaNames names = instance;
        if (names != null || unknown) {
            return names;
        }
        synchronized (JavaNames.class) {
            if (instance == null && !unknown) {
                instance = load();
                unknown = instance == null;
            }
            return instance;
        }
    }

    private static JavaNames load() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (imp.class.getClassLoader() != system
                || !system.getClass().getName().equals("jdk.internal.loader.ClassLoaders$AppClassLoader")
                || System.getProperty("jdk.boot.class.path.append") != null) {
            return null;
        }
        Set<String> fixed = new HashSet<>();
        for (Module module : ModuleLayer.boot().modules()) {
            for (String pkg : module.getPackages()) {
                fixed.add(firstSegment(pkg, '.'));
            }
        }
        List<File> directories = new java.util.ArrayList<>();
        Deque<File> entries = new ArrayDeque<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            entries.add(new File(entry.isEmpty() ? "." : entry).getAbsoluteFile());
        }
        Set<File> seen = new HashSet<>();
        while (!entries.isEmpty()) {
            File entry = entries.removeFirst();
            if (!seen.add(entry)) {
                continue;
            }
            if (!entry.isFile()) {
                directories.add(entry); // a directory, or nothing yet: asked at every lookup
                continue;
            }
            // ZipFile rather than JarFile: a third of the CPU, and the jars are already open in the JVM
            try (ZipFile jar = new ZipFile(entry)) {
                Manifest manifest = null;
                for (var all = jar.entries(); all.hasMoreElements();) {
                    ZipEntry e = all.nextElement();
                    fixed.add(firstSegment(e.getName(), '/'));
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        try (var in = jar.getInputStream(e)) {
                            manifest = new Manifest(in);
                        }
                    }
                }
                String classPath = manifest == null ? null
                        : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (classPath != null) {
                    for (String reference : classPath.trim().split("\\s+")) {
                        if (!reference.isEmpty()) {
                            entries.add(Path.of(entry.toURI().resolve(new URI(null, reference, null))).toFile());
                        }
                    }
                }
            } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
                return null; // the application class loader may make something of it that we cannot tell
            }
        }
        return new JavaNames(Set.copyOf(fixed), List.copyOf(directories));
    }

    private static String firstSegment(String name, char separator) {
        int end = name.indexOf(separator);
        return end < 0 ? name : name.substring(0, end);
    }

    /**
     * Whether a class or package whose name starts with the top-level {@code name} (or a Python module of that
     * name, as Jython's class path importer looks for) may be found by the JVM's class loaders.
     */
    boolean mayHave(String name) {
        for (String candidate : candidates(name)) {
            if (fixed.contains(candidate)) {
                return true;
            }
            for (File directory : directories) {
                if (new File(directory, candidate).exists()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a class path directory has an entry for the first segment of the resource path {@code path}. */
    boolean inDirectories(String path) {
        for (File directory : directories) {
            if (ClassPathMisses.firstSegmentIn(directory, path)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a directory on {@code sys.path} holds Java classes that Jython's {@code sys.path} loader would find. */
    static boolean directoryMayHave(File directory, String name) {
        // name/ (a package, Python or Java), name.class (a class in the default package)
        return new File(directory, name).exists() || new File(directory, name + ".class").exists();
    }

    /** The same for an archive on {@code sys.path}: entries below {@code prefix} starting with {@code name}. */
    static boolean archiveMayHave(String archive, String prefix, String name) {
        File file = new File(archive);
        long stamp = file.lastModified() * 31 + file.length();
        String key = archive + "\0" + prefix;
        ArchiveNames names = ARCHIVES.get(key);
        if (names == null || names.stamp() != stamp) {
            Set<String> found = new HashSet<>();
            try (ZipFile zip = new ZipFile(file)) {
                zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith(prefix) && n.length() > prefix.length())
                        .forEach(n -> found.add(firstSegment(n.substring(prefix.length()), '/')));
            } catch (IOException e) {
                return true;
            }
            names = new ArchiveNames(stamp, Set.copyOf(found));
            ARCHIVES.put(key, names);
        }
        for (String candidate : candidates(name)) {
            if (names.names().contains(candidate)) {
                return true;
            }
        }
        return false;
    }

    /** A package directory, a default-package class, and the module files Jython's class path importer tries. */
    private static List<String> candidates(String name) {
        return List.of(name, name + ".class", name + ".py", name + "$py.class");
    }
}
