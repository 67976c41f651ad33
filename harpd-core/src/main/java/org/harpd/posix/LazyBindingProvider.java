package org.harpd.posix;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.provider.FFIProvider;

/**
 * jnr-ffi's own provider, except that a library's functions are bound when first called, never all at load.
 *
 * <p>Why: jnr-posix loads its libc interface, some 300 functions, with {@code failImmediately()}, so jnr-ffi
 * resolves and builds an invoker for every one of them before the first call. A worker JVM, which lives for
 * one call in {@code process} isolation, calls perhaps a dozen; Jython's {@code os} module shares the same libc
 * instance, so every worker paid once; binding lazily takes a large part off jnr-posix's start and so off every
 * worker's boot (harpd-jython/STARTUP.md has the figures). Bound lazily, a library or function that is missing fails
 * when first called ({@link UnsatisfiedLinkError}, as {@link Posix#trimNativeHeap} already expects) instead of
 * at load, so jnr-posix no longer falls back to its pure-Java emulation when libc cannot be loaded: harpd runs
 * on Linux with glibc only, where all of jnr-posix's libc functions exist. (Its {@code crypt} binding may then
 * name a missing libcrypt; harpd's own {@code crypt} module does not use it.)
 *
 * <p>Only jnr-ffi's reflection binding is lazy; its ASM binding generates one class for the whole interface
 * at load (and generating it cost a worker more than binding by reflection: STARTUP.md). jnr-ffi picks its
 * provider by the class named in the system property {@value #PROPERTY} and the binding by
 * {@value #ASM_PROPERTY}; {@link #install()} sets both unless the operator set them, and must run before
 * anything uses jnr-ffi.
 */
public final class LazyBindingProvider extends FFIProvider {
    public static final String PROPERTY = "jnr.ffi.provider";
    public static final String ASM_PROPERTY = "jnr.ffi.asm.enabled";

    /** {@code LibraryLoader.loadLibrary} is protected; the jffi provider's loader class is package-private. */
    private static final Method LOAD_LIBRARY = loadLibraryMethod();

    private final FFIProvider jffi = new jnr.ffi.provider.jffi.Provider();

    /** Makes this jnr-ffi's provider, binding by reflection, for the JVM, unless the properties are set. */
    public static void install() {
        setUnlessSet(PROPERTY, LazyBindingProvider.class.getName());
        setUnlessSet(ASM_PROPERTY, "false");
    }

    private static void setUnlessSet(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    @Override
    public jnr.ffi.Runtime getRuntime() {
        return jffi.getRuntime();
    }

    @Override
    public <T> LibraryLoader<T> createLibraryLoader(Class<T> interfaceClass) {
        return new LazyLoader<>(interfaceClass, jffi.createLibraryLoader(interfaceClass));
    }

    private static final class LazyLoader<T> extends LibraryLoader<T> {
        private final LibraryLoader<T> jffiLoader;

        LazyLoader(Class<T> interfaceClass, LibraryLoader<T> jffiLoader) {
            super(interfaceClass);
            this.jffiLoader = jffiLoader;
        }

        @Override
        protected T loadLibrary(Class<T> interfaceClass, Collection<String> libraryNames,
                                Collection<String> searchPaths, Map<LibraryOption, Object> options,
                                boolean failImmediately) {
            try {
                return interfaceClass.cast(LOAD_LIBRARY.invoke(jffiLoader, interfaceClass, libraryNames, searchPaths,
                        options, false));
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Method loadLibraryMethod() {
        try {
            Method method = LibraryLoader.class.getDeclaredMethod("loadLibrary", Class.class, Collection.class,
                    Collection.class, Map.class, boolean.class);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
