package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.harpd.posix.Crypt;
import org.junit.jupiter.api.Test;
import org.python.core.PyObject;

/** python-lib/daemon/crypt.py: shadows Jython's crypt and answers as CPython 2's does, with the system's libcrypt. */
class CryptModuleTest {
    private static String eval(String expression) {
        return Python.eval("import crypt\n", expression).toString();
    }

    private static String py(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void ourCryptShadowsJythonsOwn() {
        PyObject file = Python.eval("import crypt\n", "crypt.__file__");
        assertEquals(PythonRuntime.pythonLibDirectory().resolve("crypt.py").toString(), file.toString());
    }

    @Test
    void resultIsAPlainStr() {
        assertEquals("str", eval("type(crypt.crypt('pw', '$6$abc$')).__name__"));
        assertEquals("str", eval("type(crypt.crypt(u'pw', u'$6$abc$')).__name__"));
    }

    @Test
    void hashesOfEveryCommonMethodVerify() {
        String[][] cases = {
                {Hashes.SHA512_PASSWORD, Hashes.SHA512},
                {Hashes.SHA256_PASSWORD, Hashes.SHA256},
                {Hashes.MD5_PASSWORD, Hashes.MD5},
                {Hashes.YESCRYPT_PASSWORD, Hashes.YESCRYPT},
        };
        for (String[] c : cases) {
            assertEquals("True", eval("crypt.crypt(" + py(c[0]) + ", " + py(c[1]) + ") == " + py(c[1])), c[1]);
            assertEquals("False", eval("crypt.crypt('wrong', " + py(c[1]) + ") == " + py(c[1])), c[1]);
        }
    }

    @Test
    void unicodePasswordsAreHashedAsUtf8LikeCPython3Does() {
        String expression = "crypt.crypt(u'p\\xe4ssw\\xf6rd', " + py(Hashes.NON_ASCII) + ") == " + py(Hashes.NON_ASCII);
        assertEquals("True", eval(expression));
    }

    @Test
    void invalidSaltGivesTheLibrarysFailureToken() {
        String token = eval("crypt.crypt('pw', '!!')");
        assertTrue(token.startsWith("*"), token);
    }

    @Test
    void nulBytesAreATypeError() {
        assertEquals("TypeError", Python.eval("import crypt\n"
                + "try:\n    crypt.crypt('a\\0b', '$6$x$')\n    r = 'no error'\n"
                + "except TypeError:\n    r = 'TypeError'\n", "r").toString());
    }

    @Test
    void javaEntryPointIsUsableOnItsOwn() {
        assertEquals(Hashes.SHA256, Crypt.cryptLatin1(Hashes.SHA256_PASSWORD, Hashes.SHA256));
    }
}
