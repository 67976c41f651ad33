package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.posix.Crypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unknown or locked user's password is checked against: a hash of the method and cost the users'
 * own hashes have, with a salt of its own, so that the time of the check does not tell the cases apart.
 */
class DummyHashTest {
    /** crypt(3) in CPython 3 on libxcrypt, of "ann-pw" and "bob-pw". */
    static final String YESCRYPT_ANN = "$y$j9T$Qm8Fh0s3XvKk2LpZ7nB4c.$PXWHN4ArfVyfHgZpCM892X0YNLPld30XZkEqb8MtjU5";
    static final String YESCRYPT_BOB = "$y$j9T$w0WqE1rT5yU8iO2pA4sD6/$LND9hm2w.q3vbWCLtVOpWMw.MJCpOk7VVAgY3T4r.rC";
    static final String YESCRYPT_COSTLIER = "$y$jCT$Qm8Fh0s3XvKk2LpZ7nB4c.$ThLZliF5uUn3XJpzBk96ZRjsn0/AOU1jBS4VBDGMLQ3";
    static final String SHA512_ROUNDS = "$6$rounds=1000$saltsaltsalt12$9tluLiDK6jWOeNDh6gRpURbi7k.CUJmiOsYlq014j7kP5"
            + "QCuJyXKdTduWpAXnnae4rirnn1jBSaFK/cziirlr0";
    static final String BCRYPT = "$2b$05$abcdefghijklmnopqrstuuAZMJ.ozJHYAkFRdCOBsKifRZKt1QecC";

    @TempDir
    Path dir;

    /** The dummy harpd.auth.passfile checks an unknown user's password against, for a file of these lines. */
    private String passfileDummy(String... lines) throws Exception {
        Path users = dir.resolve("users");
        Files.write(users, List.of(lines));
        return Python.eval("import harpd.auth.passfile\n"
                        + "db = harpd.auth.passfile.PassFile(" + pyString(users.toString()) + ")",
                "db._lookup(u'nobody')[1]").toString();
    }

    private static String pyString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String crypt(String password, String setting) {
        return Crypt.cryptLatin1(password, setting);
    }

    private static String saltOf(String hash) {
        String[] fields = hash.split("\\$");
        return fields[fields.length - 2];
    }

    @Test
    void unknownUserOfAYescryptFileIsCheckedAgainstYescryptOfTheSameCost() throws Exception {
        String dummy = passfileDummy("ann:" + YESCRYPT_ANN, "bob:" + YESCRYPT_BOB);
        assertTrue(dummy.startsWith("$y$j9T$"), dummy);
        assertEquals(saltOf(YESCRYPT_ANN).length(), saltOf(dummy).length(), dummy);
        assertNotEquals(saltOf(YESCRYPT_ANN), saltOf(dummy));
        assertNotEquals(saltOf(YESCRYPT_BOB), saltOf(dummy));
        assertTrue(crypt("guess", dummy).startsWith("$y$j9T$" + saltOf(dummy) + "$"),
                "the dummy is a setting crypt(3) hashes with, not one it refuses at once: " + crypt("guess", dummy));
    }

    @Test
    void theMostCommonMethodAndCostIsChosen() throws Exception {
        assertTrue(passfileDummy("a:" + SHA512_ROUNDS, "b:" + YESCRYPT_ANN, "c:" + YESCRYPT_BOB)
                .startsWith("$y$j9T$"));
        assertTrue(passfileDummy("a:" + YESCRYPT_COSTLIER, "b:" + YESCRYPT_ANN, "c:" + YESCRYPT_COSTLIER)
                .startsWith("$y$jCT$"), "the cost parameters are part of the method");
        String rounds = passfileDummy("a:" + SHA512_ROUNDS, "b:!" + YESCRYPT_ANN, "c:*", "d:!");
        assertTrue(rounds.startsWith("$6$rounds=1000$"), "locked entries do not count: " + rounds);
        assertTrue(crypt("guess", rounds).startsWith("$6$rounds=1000$" + saltOf(rounds) + "$"), rounds);
    }

    @Test
    void bcryptDummyIsAValidSetting() throws Exception {
        String dummy = passfileDummy("a:" + BCRYPT);
        assertTrue(dummy.startsWith("$2b$05$"), dummy);
        assertNotEquals(BCRYPT.substring(7, 29), dummy.substring(7, 29));
        assertTrue(crypt("guess", dummy).startsWith(dummy.substring(0, 29)), crypt("guess", dummy));
    }

    @Test
    void aFileWithoutUsableHashesFallsBackToTheDefaultDummy() throws Exception {
        assertTrue(passfileDummy("# nobody", "x:!").startsWith("$6$harpdharpdharpd$"));
    }

    @Test
    void lockedEntriesAreNotCheckedButCostADummy() {
        for (String locked : List.of("!", "*", "!" + YESCRYPT_ANN, "*LK*", "")) {
            assertEquals("None", Python.eval("import harpd.auth",
                    "repr(harpd.auth._hash_method(" + pyString(locked) + "))").toString(), locked);
        }
        assertEquals("'$y$j9T$'", Python.eval("import harpd.auth",
                "repr(harpd.auth._hash_method(" + pyString(YESCRYPT_ANN) + "))").toString());
    }

    @Test
    void inconfigDummyFollowsItsEntries() {
        String setup = "import harpd.auth.inconfig as m\n";
        String crypted = Python.eval(setup, "m._dummy_entry([('crypt', " + pyString(YESCRYPT_ANN) + "), "
                + "('plain', 'x')])[1]").toString();
        assertTrue(crypted.startsWith("$y$j9T$"), crypted);
        assertEquals("plain", Python.eval(setup, "m._dummy_entry([('plain', 'abc'), ('plain', 'defgh'), "
                + "('crypt', " + pyString(YESCRYPT_ANN) + ")])[0]").toString());
    }
}
