package org.harpd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.harpd.posix.Crypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped modules in Java; that they agree with the Python code is harpd-jython's differential test. */
class NativeAuthModulesTest {
    private static final String YESCRYPT = "$y$j9T$Qm8Fh0s3XvKk2LpZ7nB4c.$PXWHN4ArfVyfHgZpCM892X0YNLPld30XZkEqb8MtjU5";
    private static final String BCRYPT = "$2b$05$abcdefghijklmnopqrstuuAZMJ.ozJHYAkFRdCOBsKifRZKt1QecC";

    @TempDir
    Path dir;

    private static String crypt(String password, String setting) {
        return Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), setting.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void onlyTheShippedModulesAreServed() throws Exception {
        assertTrue(NativeAuthModules.create("harpd.auth.passfile", Map.of("file", "/x")).isPresent());
        assertTrue(NativeAuthModules.create("harpd.auth.inconfig", Map.of("users", Map.of())).isPresent());
        assertTrue(NativeAuthModules.create("mycompany.auth", Map.of()).isEmpty());
        assertTrue(NativeAuthModules.create("harpd.auth", Map.of()).isEmpty());
    }

    @Test
    void unknownUsersCostACheckAgainstTheFilesMostCommonMethodAndCost() {
        String dummy = CryptHashes.dummyLike(List.of("a:!", YESCRYPT, "*", BCRYPT, YESCRYPT), "fallback");
        assertTrue(dummy.startsWith("$y$j9T$"), dummy);
        assertNotEquals(YESCRYPT.substring(7, 29), dummy.substring(7, 29), "a salt of its own");
        assertTrue(crypt("guess", dummy).startsWith(dummy.substring(0, 30)), "a setting crypt(3) hashes with");
        String bcrypt = CryptHashes.dummyLike(List.of(BCRYPT), "fallback");
        assertTrue(crypt("guess", bcrypt).startsWith(bcrypt.substring(0, 29)), crypt("guess", bcrypt));
        assertEquals("fallback", CryptHashes.dummyLike(List.of("!", "*", "", "$6$"), "fallback"));
    }

    @Test
    void theUsersFileIsReadAtEveryAuthentication() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "john:" + crypt("pw", "$6$saltsalt$") + "\n");
        Authenticator auth = NativeAuthModules.create("harpd.auth.passfile", Map.of("file", users.toString()))
                .orElseThrow();
        assertTrue(auth.authenticate("john", "pw"));
        assertFalse(auth.authenticate("jack", "pw"));
        Files.writeString(users, "# moved\r\njack:" + crypt("pw", "$5$saltsalt$") + "\r\n");
        assertTrue(auth.authenticate("jack", "pw"));
        assertFalse(auth.authenticate("john", "pw"));
        Files.delete(users);
        AuthenticationFailure gone = assertThrows(AuthenticationFailure.class, () -> auth.authenticate("jack", "pw"));
        assertEquals("authentication module harpd.auth.passfile failed: users file " + users
                + ": No such file or directory", gone.getMessage());
    }

    @Test
    void inconfigChecksPlainAndCryptEntriesAndRefusesMistakesAtCreate() throws Exception {
        Authenticator auth = NativeAuthModules.create("harpd.auth.inconfig", Map.of("users",
                Map.of("john", "plain:pässwörd", "jane", "crypt:" + crypt("pw", "$1$saltsalt$"), 7, "plain:seven",
                        "locked", "crypt:!" + crypt("pw", "$1$saltsalt$")))).orElseThrow();
        assertTrue(auth.authenticate("john", "pässwörd"));
        assertFalse(auth.authenticate("john", "pässwörd "));
        assertTrue(auth.authenticate("jane", "pw"));
        assertTrue(auth.authenticate("7", "seven"));
        assertFalse(auth.authenticate("locked", "pw"));
        assertFalse(auth.authenticate("nobody", "pw"));
        AuthenticationFailure scheme = assertThrows(AuthenticationFailure.class, () -> NativeAuthModules.create(
                "harpd.auth.inconfig", Map.of("users", Map.of("zoë", "md5:x"))));
        assertEquals("authentication module harpd.auth.inconfig: create() failed: ValueError: harpd.auth.inconfig: "
                + "unknown password scheme 'md5' for user u'zo\\xeb' (expected plain or crypt)", scheme.getMessage());
    }

    @Test
    void aNulBytePasswordIsAModuleFailureThatDoesNotQuoteIt() throws Exception {
        Authenticator auth = NativeAuthModules.create("harpd.auth.inconfig", Map.of("users",
                Map.of("jane", "crypt:" + crypt("pw", "$1$saltsalt$")))).orElseThrow();
        AuthenticationFailure e = assertThrows(AuthenticationFailure.class,
                () -> auth.authenticate("jane", "se\0cret"));
        assertFalse(e.getMessage().contains("cret"), e.getMessage());
    }
}
