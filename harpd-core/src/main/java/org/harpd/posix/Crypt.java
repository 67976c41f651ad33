package org.harpd.posix;

import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * crypt(3) of the system's libcrypt (libxcrypt's {@code libcrypt.so.1} on current Linux), for the Python
 * {@code crypt} module harpd ships. {@code crypt()} keeps its result in a static buffer, so this binds the
 * reentrant {@code crypt_r} with a work area per call: the listener runs the authentication module on several
 * threads at once ({@code ServerSettings.authThreads}), and a procedure's own threads may hash at the same time.
 */
public final class Crypt {
    /**
     * {@code sizeof(struct crypt_data)}: 32768 in libxcrypt, 131232 in glibc's former libcrypt. The larger is
     * allocated so that either library fits.
     */
    private static final int CRYPT_DATA_SIZE = 131_232;

    /** The C function bound (public: jnr-ffi implements it in a class of its own). */
    public interface LibCrypt {
        Pointer crypt_r(@In byte[] phrase, @In byte[] setting, Pointer data);
    }

    private static final class Holder {
        static final LibCrypt LIBRARY = LibraryLoader.create(LibCrypt.class)
                .library("crypt")
                .library("libcrypt.so.1")
                .failImmediately()
                .load();
        static final Runtime RUNTIME = Runtime.getRuntime(LIBRARY);
    }

    private Crypt() {
    }

    /**
     * Hashes {@code phrase} with the method and salt {@code setting} names.
     *
     * @return the library's answer (a hash, or a failure token such as {@code *0} for an invalid setting),
     *         each byte as one ISO-8859-1 character; null if the library returned NULL
     */
    public static String crypt(byte[] phrase, byte[] setting) {
        Pointer data = Memory.allocateDirect(Holder.RUNTIME, CRYPT_DATA_SIZE, true);
        Pointer result = Holder.LIBRARY.crypt_r(cString(phrase), cString(setting), data);
        if (result == null || result.address() == 0) {
            return null;
        }
        return result.getString(0, 1024, StandardCharsets.ISO_8859_1);
    }

    /**
     * The form the Python {@code crypt} module calls: Jython hands a Python {@code str} to Java as a String
     * with one character per byte, which ISO-8859-1 turns back into the same bytes.
     */
    public static String cryptLatin1(String phrase, String setting) {
        return crypt(phrase.getBytes(StandardCharsets.ISO_8859_1), setting.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] cString(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("string contains a NUL byte");
            }
        }
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }
}
