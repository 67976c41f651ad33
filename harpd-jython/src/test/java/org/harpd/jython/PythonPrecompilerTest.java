package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonPrecompilerTest {
    @TempDir
    Path source;
    @TempDir
    Path staging;

    @Test
    void stagedModulesImportFromTheirCompiledClass() throws IOException {
        writeSources();
        PythonPrecompiler.compile(PythonPrecompiler.stage(source, staging, List.of("pkg", "top.py")));

        assertTrue(Files.isRegularFile(staging.resolve("pkg/mod$py.class")));
        assertTrue(Files.isRegularFile(staging.resolve("pkg/__init__$py.class")));
        assertTrue(Files.isRegularFile(staging.resolve("top$py.class")));
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(staging.toString()), List.of()));
        assertEquals("pkg.mod", runtime.importModule("pkg.mod").__getattr__("__name__").toString());
        assertTrue(fileOf(runtime, "pkg.mod").endsWith("mod$py.class"), fileOf(runtime, "pkg.mod"));
        assertEquals(42, runtime.importModule("top").__getattr__("answer").asInt());
    }

    @Test
    void stagedSourcesKeepWholeSecondsSoTarballsKeepThemValid() throws IOException {
        writeSources();
        Files.setLastModifiedTime(source.resolve("top.py"), FileTime.fromMillis(1_700_000_000_789L));
        PythonPrecompiler.stage(source, staging, List.of("top.py"));
        assertEquals(1_700_000_000_000L, Files.getLastModifiedTime(staging.resolve("top.py")).toMillis());
    }

    @Test
    void anEditedSourceWinsOverItsStaleClass() throws IOException {
        writeSources();
        PythonPrecompiler.compile(PythonPrecompiler.stage(source, staging, List.of("top.py")));
        Path top = staging.resolve("top.py");
        Files.writeString(top, "answer = 43\n");
        Files.setLastModifiedTime(top, FileTime.from(Files.getLastModifiedTime(top).to(TimeUnit.SECONDS) + 5,
                TimeUnit.SECONDS));
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(staging.toString()), List.of()));
        assertEquals(43, runtime.importModule("top").__getattr__("answer").asInt());
        assertTrue(fileOf(runtime, "top").endsWith("top.py"), fileOf(runtime, "top"));
    }

    @Test
    void aMissingEntryFailsTheBuild() {
        IOException e = assertThrows(IOException.class,
                () -> PythonPrecompiler.stage(source, staging, List.of("nothere")));
        assertTrue(e.getMessage().contains("nothere"), e.getMessage());
    }

    @Test
    void compiledNameIsWhatJythonImportLooksFor() {
        assertEquals("/x/harpd/proc$py.class", PythonPrecompiler.compiledName(Path.of("/x/harpd/proc.py")));
    }

    private void writeSources() throws IOException {
        Files.createDirectories(source.resolve("pkg"));
        Files.writeString(source.resolve("pkg/__init__.py"), "");
        Files.writeString(source.resolve("pkg/mod.py"), "def f():\n    return 1\n");
        Files.writeString(source.resolve("top.py"), "answer = 42\n");
    }

    private static String fileOf(PythonRuntime runtime, String module) {
        return runtime.importModule(module).__getattr__("__file__").toString();
    }
}
