package org.harpd.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.harpd.posix.Crypt;

/**
 * What harpd's Python package {@code harpd.auth} gives its shipped modules, in Java: checking a password against a
 * crypt(3) hash, telling a usable hash from a locked or unusable entry, and the dummy hash an unknown user's
 * password is checked against. Hashes and passwords are byte strings here, as in the Python code: each byte is
 * one ISO-8859-1 character of a Java string. The hashing itself is the system's crypt(3), through the same binding
 * ({@link Crypt}) the Python {@code crypt} module calls, so both accept exactly the methods the C library has.
 */
final class CryptHashes {
    /** The characters crypt(3) salts are written in, for every method harpd knows. */
    static final String SALT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final SecureRandom RANDOM = new SecureRandom();

    private CryptHashes() {
    }

    /** A method, salt and what follows, as {@code _split_hash} gives them. */
    record Parts(String method, String salt, String rest) {
    }

    /**
     * Text as UTF-8 bytes, one byte per character, as the Python code encodes it. Text with an unpaired surrogate
     * never comes here: Jython refuses to make a Python string of it ({@link NativeAuthModules#unpairedSurrogate}).
     */
    static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /**
     * Compares two byte strings in time that depends only on their lengths ({@link MessageDigest#isEqual}), so
     * the comparison does not tell how many leading characters were right.
     */
    static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.ISO_8859_1), b.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Whether {@code password} (text) hashes to {@code hashed} (bytes) with the system's crypt(3).
     *
     * @throws AuthenticationFailure when the password or the hash holds a NUL byte, which crypt(3) cannot take
     *                               (the Python {@code crypt} module raises TypeError there)
     */
    static boolean matches(String password, String hashed) throws AuthenticationFailure {
        if (hashed.isEmpty()) {
            return false;
        }
        String word = utf8(password);
        if (word.indexOf('\0') >= 0 || hashed.indexOf('\0') >= 0) {
            throw new AuthenticationFailure("TypeError: crypt() argument must be string without null bytes");
        }
        String computed = Crypt.crypt(word.getBytes(StandardCharsets.ISO_8859_1),
                hashed.getBytes(StandardCharsets.ISO_8859_1));
        return computed != null && equal(computed, hashed);
    }

    /**
     * Splits a crypt(3) hash into the part that names its method and cost ({@code $6$rounds=N$}, {@code $y$j9T$},
     * {@code $2b$12$}...), its salt and the rest; null when it is no hash crypt(3) could check, e.g. a locked
     * entry ({@code !...}, {@code *}) or an empty one.
     */
    static Parts split(String hashed) {
        if (hashed.isEmpty() || hashed.charAt(0) == '!' || hashed.charAt(0) == '*') {
            return null;
        }
        if (hashed.charAt(0) == '$') {
            String[] fields = hashed.split("\\$", -1);
            // "", id, [params...], salt, checksum
            if (fields.length < 4 || fields[1].isEmpty()) {
                return null;
            }
            if (List.of("2", "2a", "2b", "2x", "2y").contains(fields[1])) {
                // bcrypt: $2b$cost$ then 22 characters of salt and the checksum
                if (fields.length != 4 || fields[3].length() < 22) {
                    return null;
                }
                return new Parts("$" + fields[1] + "$" + fields[2] + "$", fields[3].substring(0, 22),
                        fields[3].substring(22));
            }
            if (fields[1].equals("7")) {
                // scrypt: cost and salt share one field; the whole field is kept
                return new Parts(join(fields, 0, fields.length - 1) + "$", "", fields[fields.length - 1]);
            }
            return new Parts(join(fields, 0, fields.length - 2) + "$", fields[fields.length - 2],
                    "$" + fields[fields.length - 1]);
        }
        if (hashed.charAt(0) == '_' && hashed.length() == 20) {
            // BSDi extended DES: _, 4 characters of rounds, 4 of salt, checksum
            return new Parts(hashed.substring(0, 5), hashed.substring(5, 9), hashed.substring(9));
        }
        if (hashed.length() == 13 && hashed.chars().allMatch(c -> SALT_ALPHABET.indexOf(c) >= 0)) {
            // traditional DES: 2 characters of salt, checksum
            return new Parts("", hashed.substring(0, 2), hashed.substring(2));
        }
        return null;
    }

    /** Whether crypt(3) could check a password against {@code hashed}: not locked, not malformed. */
    static boolean usable(String hashed) {
        return split(hashed) != null;
    }

    /**
     * A hash to check a password against when there is no real one to check (an unknown or a locked user),
     * costing what checking a real one costs: the method and cost most of {@code hashes} have (on a tie, the one
     * seen first), with a fresh random salt of the same length. The salt keeps its last character, which in some
     * methods (bcrypt, yescrypt) holds bits that must be zero. {@code fallback} when none is usable.
     */
    static String dummyLike(List<String> hashes, String fallback) {
        Map<String, Integer> counts = new HashMap<>();
        List<Parts> firsts = new ArrayList<>();
        for (String hashed : hashes) {
            Parts parts = split(hashed);
            if (parts == null) {
                continue;
            }
            if (counts.merge(parts.method(), 1, Integer::sum) == 1) {
                firsts.add(parts);
            }
        }
        if (firsts.isEmpty()) {
            return fallback;
        }
        Parts chosen = firsts.get(0);
        for (Parts parts : firsts.subList(1, firsts.size())) {
            if (counts.get(parts.method()) > counts.get(chosen.method())) {
                chosen = parts;
            }
        }
        String salt = chosen.salt();
        if (!salt.isEmpty()) {
            salt = randomText(salt.length() - 1) + salt.charAt(salt.length() - 1);
        }
        return chosen.method() + salt + chosen.rest();
    }

    /** {@code length} characters of {@link #SALT_ALPHABET}, drawn from a cryptographically strong source. */
    static String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(SALT_ALPHABET.charAt(RANDOM.nextInt(SALT_ALPHABET.length())));
        }
        return text.toString();
    }

    private static String join(String[] fields, int from, int to) {
        return String.join("$", java.util.Arrays.asList(fields).subList(from, to));
    }
}
