package org.harpd.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.mapper.FunctionMapper;
import jnr.ffi.provider.FFIProvider;
import org.junit.jupiter.api.Test;

/**
 * Functions are bound when called, even for callers that ask jnr-ffi to bind everything at load. The test JVM
 * binds by reflection, as harpd's JVMs do (surefire sets {@code jnr.ffi.asm.enabled=false}).
 */
class LazyBindingProviderTest {
    /** A few libc functions and one that no library has. */
    public interface SomeOfLibC {
        int getpid();

        int getppid();

        int getuid();

        int harpd_test_no_such_function();
    }

    /** Records every function name jnr-ffi binds: it asks the function mapper once per method it binds. */
    private static final class BoundNames implements FunctionMapper {
        final List<String> names = new ArrayList<>();

        @Override
        public synchronized String mapFunctionName(String functionName, Context context) {
            names.add(functionName);
            return functionName;
        }
    }

    private static SomeOfLibC load(FFIProvider provider, BoundNames bound) {
        LibraryLoader<SomeOfLibC> loader = provider.createLibraryLoader(SomeOfLibC.class);
        return loader.library("c").mapper(bound).failImmediately().load();
    }

    @Test
    void bindsOnlyTheFunctionsCalledThoughTheCallerAskedForAllAtLoad() {
        BoundNames bound = new BoundNames();
        SomeOfLibC libc = load(new LazyBindingProvider(), bound);
        assertEquals(List.of(), bound.names);

        assertEquals(ProcessHandle.current().pid(), libc.getpid());
        assertEquals(List.of("getpid"), bound.names);
    }

    @Test
    void jffiProviderAloneBindsEveryFunctionAtLoad() {
        // the behaviour the lazy provider exists to avoid; if jnr-ffi changes it, the provider may be dropped
        BoundNames bound = new BoundNames();
        load(new jnr.ffi.provider.jffi.Provider(), bound);
        assertTrue(bound.names.containsAll(List.of("getpid", "getppid", "getuid", "harpd_test_no_such_function")),
                () -> "bound at load: " + bound.names);
    }

    @Test
    void aMissingFunctionFailsWhenCalledNotWhenLoaded() {
        SomeOfLibC libc = load(new LazyBindingProvider(), new BoundNames());
        UnsatisfiedLinkError missing = assertThrows(UnsatisfiedLinkError.class, libc::harpd_test_no_such_function);
        assertTrue(missing.getMessage().contains("harpd_test_no_such_function"), missing::getMessage);
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), libc.getppid());
    }

    @Test
    void installKeepsAProviderTheOperatorChose() {
        String before = System.getProperty(LazyBindingProvider.PROPERTY);
        try {
            System.setProperty(LazyBindingProvider.PROPERTY, "jnr.ffi.provider.jffi.Provider");
            LazyBindingProvider.install();
            assertEquals("jnr.ffi.provider.jffi.Provider", System.getProperty(LazyBindingProvider.PROPERTY));

            System.clearProperty(LazyBindingProvider.PROPERTY);
            LazyBindingProvider.install();
            assertEquals(LazyBindingProvider.class.getName(), System.getProperty(LazyBindingProvider.PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(LazyBindingProvider.PROPERTY);
            } else {
                System.setProperty(LazyBindingProvider.PROPERTY, before);
            }
        }
    }
}
