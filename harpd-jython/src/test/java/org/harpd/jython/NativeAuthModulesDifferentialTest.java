package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.harpd.auth.Authenticator;
import org.harpd.auth.NativeAuthModules;
import org.harpd.posix.Crypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java implementations of the shipped authentication modules ({@link NativeAuthModules}) against their Python
 * code run by Jython ({@link PythonAuthenticator}): on one table of users, hashes of every method crypt(3) knows,
 * malformed and locked entries, and passwords, both give the same verdict, fail in the same cases, and word the
 * failures of setting up and of reading the users file alike.
 */
class NativeAuthModulesDifferentialTest {
    /** A setting per method the system's crypt(3) may know; one it does not know gives a failure token. */
    private static final List<String> SETTINGS = List.of(
            "ab", "_J9..abcd", "$1$saltsalt$", "$3$", "$md5,rounds=10$saltsalt$", "$sha1$1000$saltsalt$",
            "$5$saltsaltsaltsalt$", "$5$rounds=1000$saltsalt$", "$6$g0a5veBmmlwwrZv1$", "$6$rounds=1000$saltsalt$",
            "$2b$05$abcdefghijklmnopqrstuu", "$2a$04$abcdefghijklmnopqrstuu", "$2y$04$abcdefghijklmnopqrstuu",
            "$y$j75$F5Jx5fExrKuPp53xLKQ..1$", "$gy$j75$F5Jx5fExrKuPp53xLKQ..1$",
            "$7$5U..../....2KoHwnNcaoYSHAFWvLLqVg$");

    private static final List<String> PASSWORDS = List.of(
            "pw", "wrong", "", "pässwörd", "密码", "smile \uD83D\uDE00", "lone \uD800 surrogate", "nul\0byte",
            " pw", "pw ", "PW");

    private static final List<String> MALFORMED = List.of(
            "", "!", "*", "*LK*", "!!", "$", "$$$", "$6$", "$6$salt", "$6$salt$", "$2b$05$short",
            "$2b$05$abcdefghijklmnopqrstuu$extra", "abc", "ab!defghijklm", "_J9..ab", "$x$salt$hash",
            "$6$saltsalt$wrongchecksum", " $6$saltsalt$x", "$7$", "with:colon");

    @TempDir
    Path dir;

    private static String crypt(String password, String setting) {
        String hashed = Crypt.crypt(password.getBytes(StandardCharsets.UTF_8),
                setting.getBytes(StandardCharsets.ISO_8859_1));
        return hashed == null ? "*0" : hashed;
    }

    private static Map<String, Object> section(String module, Map<String, Object> options) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("module", module);
        all.putAll(options);
        return all;
    }

    private static Authenticator python(String module, Map<String, Object> options) throws Exception {
        return PythonAuthenticator.create(Python.runtime(), module, section(module, options));
    }

    private static Authenticator java(String module, Map<String, Object> options) throws Exception {
        return NativeAuthModules.create(module, section(module, options)).orElseThrow();
    }

    /** The verdict, or that the module failed (authentication or set-up), with the message when asked for. */
    private static String outcome(Authenticator auth, String user, String password, boolean message) {
        try {
            return Boolean.toString(auth.authenticate(user, password));
        } catch (Exception e) {
            return message ? "failure: " + e.getMessage() : "failure";
        }
    }

    private static String createOutcome(String module, Map<String, Object> options, boolean python) {
        try {
            Authenticator auth = python ? python(module, options) : java(module, options);
            return "created " + auth.getClass().getSimpleName().isEmpty();
        } catch (Exception e) {
            return escape(e.getMessage());
        }
    }

    /** Runs each user with each password of theirs against both; returns how many pairs were compared. */
    private static int compareAll(Authenticator python, Authenticator java, Map<String, List<String>> table,
                                  List<String> mismatches) {
        int compared = 0;
        for (Map.Entry<String, List<String>> row : table.entrySet()) {
            for (String password : row.getValue()) {
                String py = outcome(python, row.getKey(), password, false);
                String jv = outcome(java, row.getKey(), password, false);
                if (!py.equals(jv)) {
                    mismatches.add(escape(row.getKey()) + " / " + escape(password) + ": python " + py + ", java " + jv);
                }
                compared++;
            }
        }
        return compared;
    }

    private static int compareAll(Authenticator python, Authenticator java, List<String> users,
                                  List<String> passwords, List<String> mismatches) {
        Map<String, List<String>> table = new LinkedHashMap<>();
        users.forEach(user -> table.put(user, passwords));
        return compareAll(python, java, table, mismatches);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return out.toString();
    }

    @Test
    void passfileAgreesOnEveryMethodMalformedEntryAndPassword() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        // each method's users are tried with their own password, a wrong and an empty one; a cheap method's
        // users, unknown users and malformed entries with every password of the table
        Map<String, List<String>> table = new LinkedHashMap<>();
        int n = 0;
        for (String setting : SETTINGS) {
            boolean cheap = setting.equals("$1$saltsalt$");
            for (String password : cheap ? List.of("pw", "pässwörd", "", "smile \uD83D\uDE00") : List.of("pässwörd")) {
                String user = "u" + n++;
                table.put(user, cheap ? PASSWORDS : List.of(password, "pw"));
                line(file, user, crypt(password, setting), n % 3 == 0 ? "\r\n" : "\n");
            }
        }
        for (String hashed : MALFORMED) {
            String user = "m" + n++;
            table.put(user, List.of("pw", "nul\0byte"));
            line(file, user, hashed, "\n");
        }
        // locked forms of a real hash, a user twice (the first line counts), names outside ASCII and not UTF-8
        String real = crypt("pw", "$6$g0a5veBmmlwwrZv1$");
        line(file, "locked", "!" + real, "\n");
        line(file, "twice", crypt("first", "$5$saltsaltsaltsalt$"), "\n");
        line(file, "twice", crypt("second", "$5$saltsaltsaltsalt$"), "\n");
        line(file, "zoë", crypt("pw", "$1$saltsalt$"), "\n");
        file.write("caf\u00e9:".getBytes(StandardCharsets.ISO_8859_1));
        file.write((real + "\n").getBytes(StandardCharsets.ISO_8859_1));
        file.write(("# comment:" + real + "\n\nno colon here\n" + "nul:" + real.substring(0, 10) + "\0rest\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        line(file, "last", real, "");
        for (String user : List.of("locked", "twice", "zoë", "café", "caf\u00e9", "# comment", "no colon here", "nul",
                "last", "nobody", "", "Last", "last ", ":", "lone \uDC00")) {
            table.put(user, List.of("pw", "first", "second", "", "nul\0byte"));
        }
        table.put("nobody", PASSWORDS);
        Path path = dir.resolve("users");
        Files.write(path, file.toByteArray());

        Map<String, Object> options = Map.of("file", path.toString());
        Authenticator python = python("harpd.auth.passfile", options);
        Authenticator java = java("harpd.auth.passfile", options);
        List<String> mismatches = new ArrayList<>();
        int compared = compareAll(python, java, table, mismatches);
        assertEquals(List.of(), mismatches, "of " + compared);
        // the table is no table of refusals only
        assertEquals("true", outcome(java, "u2", "pw", false));
        assertEquals("true", outcome(java, "twice", "first", false));
        assertEquals("true", outcome(java, "zoë", "pw", false));

        // read again at every authentication
        Files.writeString(path, "nobody:" + real + "\n");
        assertEquals("true", outcome(python, "nobody", "pw", false));
        assertEquals("true", outcome(java, "nobody", "pw", false));
        assertEquals("false", outcome(java, "u2", "pw", false));
    }

    private static void line(ByteArrayOutputStream file, String user, String hashed, String end) {
        file.writeBytes(user.getBytes(StandardCharsets.UTF_8));
        file.writeBytes((":" + hashed + end).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void passfileFailuresReadAlike() throws Exception {
        for (Map<String, Object> options : List.of(Map.<String, Object>of(), Map.<String, Object>of("file", ""),
                Map.<String, Object>of("file", 5), Map.<String, Object>of("file", List.of("a")))) {
            assertEquals(createOutcome("harpd.auth.passfile", options, true),
                    createOutcome("harpd.auth.passfile", options, false), escape(options.toString()));
        }
        Files.createDirectories(dir.resolve("a-directory"));
        for (String file : List.of(dir.resolve("none").toString(), dir.resolve("a-directory").toString(),
                dir.resolve("none/below").toString())) {
            Map<String, Object> options = Map.of("file", file);
            String py = outcome(python("harpd.auth.passfile", options), "a", "b", true);
            assertTrue(py.startsWith("failure: "), py);
            assertEquals(py, outcome(java("harpd.auth.passfile", options), "a", "b", true));
        }
    }

    @Test
    void inconfigAgreesOnPlainAndCryptEntries() throws Exception {
        Map<Object, Object> table = new LinkedHashMap<>();
        Map<String, List<String>> tries = new LinkedHashMap<>();
        int n = 0;
        for (String setting : SETTINGS) {
            String user = "c" + n++;
            String password = n % 2 == 0 ? "pw" : "pässwörd";
            table.put(user, "crypt:" + crypt(password, setting));
            tries.put(user, List.of(password, "wrong", ""));
        }
        for (String hashed : MALFORMED) {
            String user = "m" + n++;
            table.put(user, "crypt:" + hashed);
            tries.put(user, List.of("pw", "", "nul\0byte"));
        }
        List<String> passwords = new ArrayList<>(PASSWORDS);
        passwords.add("a:b");
        for (String password : PASSWORDS) {
            if (password.codePoints().anyMatch(c -> c >= 0xD800)) {
                // a lone surrogate makes no Python string: the module is not even created (see the set-up
                // failures); a pair, Jython's unicode.split fails an assertion on (with -ea)
                continue;
            }
            String user = "p" + n++;
            table.put(user, "plain:" + password);
            tries.put(user, passwords);
        }
        table.put(123, "plain:pw");
        table.put("zoë", "crypt:" + crypt("pw", "$6$unicodesalt$"));
        table.put("colons", "plain:a:b");
        for (String user : List.of("123", "zoë", "colons", "nobody", "", "C0", "lone \uD800")) {
            tries.put(user, passwords);
        }
        Map<String, Object> options = Map.of("users", table);
        List<String> mismatches = new ArrayList<>();
        int compared = compareAll(python("harpd.auth.inconfig", options), java("harpd.auth.inconfig", options),
                tries, mismatches);
        assertEquals(List.of(), mismatches, "of " + compared);
        assertEquals("true", outcome(java("harpd.auth.inconfig", options), "123", "pw", false));
        assertEquals("true", outcome(java("harpd.auth.inconfig", options), "colons", "a:b", false));

        // mostly plain entries: the dummy is plain too
        Map<String, Object> plain = Map.of("users", Map.of("a", "plain:x", "b", "plain:yy"));
        mismatches.clear();
        compareAll(python("harpd.auth.inconfig", plain), java("harpd.auth.inconfig", plain),
                List.of("a", "b", "c"), List.of("x", "yy", "", "nul\0"), mismatches);
        assertEquals(List.of(), mismatches);
        Map<String, Object> empty = Map.of("users", Map.of());
        mismatches.clear();
        compareAll(python("harpd.auth.inconfig", empty), java("harpd.auth.inconfig", empty),
                List.of("a"), PASSWORDS, mismatches);
        assertEquals(List.of(), mismatches);
    }

    @Test
    void inconfigSetUpFailuresReadAlike() {
        List<Map<String, Object>> cases = new ArrayList<>();
        cases.add(Map.of());
        cases.add(Map.of("users", "john"));
        cases.add(Map.of("users", List.of("john")));
        cases.add(Map.of("users", Map.of("john", "secret")));
        cases.add(Map.of("users", Map.of("john", 5)));
        cases.add(Map.of("users", Map.of("john", List.of("plain:x"))));
        cases.add(Map.of("users", Map.of("john", "md5:abc")));
        cases.add(Map.of("users", Map.of("jo'hn", "Plain:abc")));
        cases.add(Map.of("users", Map.of("zoë", "sha:abc")));
        cases.add(Map.of("users", Map.of("john", "mé:abc")));
        cases.add(Map.of("users", Map.of("john", "méé:abc")));
        cases.add(Map.of("users", Map.of("john", "tab\t:abc")));
        cases.add(Map.of("users", Map.of(true, "plain:x")));
        cases.add(Map.of("users", Map.of(1.5, "plain:x")));
        cases.add(Map.of("users", Map.of(1e20, "plain:x")));
        Map<Object, Object> nullKey = new LinkedHashMap<>();
        nullKey.put(null, "plain:x");
        cases.add(Map.of("users", nullKey));
        cases.add(Map.of("users", Map.of("john", "plain:lone \uD800")));
        cases.add(Map.of("users", Map.of("lone \uDFFF", "plain:x")));
        // (elsewhere in the section, Jython makes a Python string of a text with an unpaired surrogate in some
        // places and not in others; the Java modules refuse such a section as a whole)
        Map<Object, Object> nullValue = new LinkedHashMap<>();
        nullValue.put("john", null);
        cases.add(Map.of("users", nullValue));
        for (Map<String, Object> options : cases) {
            assertEquals(createOutcome("harpd.auth.inconfig", options, true),
                    createOutcome("harpd.auth.inconfig", options, false), escape(options.toString()));
        }
    }
}
