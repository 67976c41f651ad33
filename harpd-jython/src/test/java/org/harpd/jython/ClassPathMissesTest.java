package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;

/** The remembered misses change nothing the application class loader would answer. */
class ClassPathMissesTest {
    @Test
    void eachStatesSysPathLoaderAsksThroughIt() {
        ClassPathMisses misses = ClassPathMisses.get();
        assertNotNull(misses, "the test JVM's class path is a plain one");
        assertSame(misses, PythonRuntime.create(PythonPath.NONE).systemState().getSyspathJavaLoader().getParent());
    }

    @Test
    void findsWhatTheApplicationClassLoaderFindsAndRemembersMisses() throws Exception {
        ClassPathMisses misses = ClassPathMisses.get();
        assertSame(ClassLoader.getSystemClassLoader().loadClass("org.python.core.Py"),
                Class.forName("org.python.core.Py", false, misses));
        for (int i = 0; i < 2; i++) {
            assertThrows(ClassNotFoundException.class, () -> misses.loadClass("_harpd_nosuch.Class"));
            assertNull(misses.getResource("_harpd_nosuch.py"));
        }
        assertNotNull(misses.getResource("org/python/core/Py.class"));
    }

    @Test
    void aResourceAddedToAClassPathDirectoryAfterAMissIsFound() throws Exception {
        Path classes = testClasses();
        String name = "harpd_late_" + System.nanoTime() + ".txt";
        ClassPathMisses misses = ClassPathMisses.get();
        assertNull(misses.getResource(name));
        Files.writeString(classes.resolve(name), "late\n");
        try {
            assertNotNull(misses.getResource(name));
            assertEquals(ClassLoader.getSystemClassLoader().getResource(name), misses.getResource(name));
        } finally {
            Files.delete(classes.resolve(name));
        }
    }

    private static Path testClasses() throws URISyntaxException {
        return Path.of(ClassPathMissesTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
