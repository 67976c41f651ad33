package org.harpd.jython;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.python.core.Py;
import org.python.core.PySystemState;
import org.python.modules._py_compile;

/**
 * Build step: copies harpd's Python library into a staging directory and compiles every module to the
 * {@code name$py.class} Jython loads instead of parsing and compiling the source at each import.
 *
 * <p>Jython uses a compiled file only if the modification time recorded in it equals the source's. Tar
 * archives keep whole seconds, so the staged sources get their time truncated to the second before they are
 * compiled: the pair stays valid in the directory tree and in the tarball. Where it does not (a source edited
 * in place), Jython silently compiles the source, as it would without the class file.
 *
 * <pre>java -cp ... org.harpd.jython.PythonPrecompiler SOURCE_DIR STAGING_DIR ENTRY...</pre>
 * where an entry is a package directory or a module file relative to SOURCE_DIR (e.g. {@code harpd crypt.py}).
 */
public final class PythonPrecompiler {
    private PythonPrecompiler() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: PythonPrecompiler SOURCE_DIR STAGING_DIR ENTRY...");
            System.exit(2);
        }
        Path source = Path.of(args[0]).toAbsolutePath().normalize();
        Path staging = Path.of(args[1]).toAbsolutePath().normalize();
        List<String> entries = List.of(args).subList(2, args.length);
        List<Path> staged = stage(source, staging, entries);
        compile(staged);
        System.out.println("precompiled " + staged.size() + " Python modules into " + staging);
    }

    /** Copies the {@code .py} files of {@code entries} to {@code staging}, times truncated to the second. */
    static List<Path> stage(Path source, Path staging, List<String> entries) throws IOException {
        List<Path> staged = new ArrayList<>();
        for (String entry : entries) {
            Path root = source.resolve(entry);
            if (!Files.exists(root)) {
                throw new IOException("no such Python module or package: " + root);
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files.filter(PythonPrecompiler::isPythonSource)::iterator) {
                    Path copy = staging.resolve(source.relativize(file).toString());
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    long seconds = Files.getLastModifiedTime(file).to(TimeUnit.SECONDS);
                    Files.setLastModifiedTime(copy, FileTime.from(seconds, TimeUnit.SECONDS));
                    staged.add(copy);
                }
            }
        }
        return staged;
    }

    /** Writes {@code name$py.class} beside every source, as Jython's own {@code py_compile} does. */
    static void compile(List<Path> sources) {
        Properties settings = new Properties();
        settings.setProperty("python.cachedir.skip", "true");
        settings.setProperty("python.import.site", "false");
        PySystemState.initialize(System.getProperties(), settings, new String[] {"precompile"},
                PythonPrecompiler.class.getClassLoader());
        for (Path file : sources) {
            String path = file.toString();
            // the recorded file name only shows where Jython has no source path of its own
            if (!_py_compile.compile(Py.newString(path), Py.newString(compiledName(file)), Py.newString(path))) {
                throw new UncheckedIOException(new IOException("could not compile " + path));
            }
        }
    }

    /** {@code dir/name.py} -> {@code dir/name$py.class}, the name Jython's import looks for. */
    static String compiledName(Path source) {
        String name = source.getFileName().toString();
        return source.resolveSibling(name.substring(0, name.length() - ".py".length()) + "$py.class").toString();
    }

    private static boolean isPythonSource(Path file) {
        return Files.isRegularFile(file) && file.getFileName().toString().endsWith(".py");
    }
}
