package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.harpd.config.PythonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthModulesTest {
    @TempDir
    Path dir;

    private static PythonAuthenticator create(String module, Map<String, Object> config) throws Exception {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("module", module);
        all.putAll(config);
        return PythonAuthenticator.create(Python.runtime(), module, all);
    }

    @Test
    void passfileChecksHashesFromOpensslAndCPython() throws Exception {
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "# harpd users\n"
                + "john:" + Hashes.SHA512 + "\n"
                + "jane:" + Hashes.SHA256 + "\n\n"
                + "zoë:" + Hashes.NON_ASCII + "\n", StandardCharsets.UTF_8);
        PythonAuthenticator auth = create("harpd.auth.passfile", Map.of("file", users.toString()));
        assertTrue(auth.authenticate("john", Hashes.SHA512_PASSWORD));
        assertTrue(auth.authenticate("jane", Hashes.SHA256_PASSWORD));
        assertTrue(auth.authenticate("zoë", Hashes.NON_ASCII_PASSWORD));
        assertFalse(auth.authenticate("john", Hashes.SHA256_PASSWORD));
        assertFalse(auth.authenticate("nobody", "x"));
        assertFalse(auth.authenticate("", ""));
        assertFalse(auth.authenticate("# harpd users", ""));
    }

    @Test
    void passfileIsReReadOnEveryAuthentication() throws Exception {
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "john:" + Hashes.SHA512 + "\n");
        PythonAuthenticator auth = create("harpd.auth.passfile", Map.of("file", users.toString()));
        assertFalse(auth.authenticate("jack", Hashes.MD5_PASSWORD));
        Files.writeString(users, "jack:" + Hashes.MD5 + "\n");
        assertTrue(auth.authenticate("jack", Hashes.MD5_PASSWORD));
        assertFalse(auth.authenticate("john", Hashes.SHA512_PASSWORD));
    }

    @Test
    void passfileWithoutFileOptionFailsAtCreate() {
        AuthModuleException e = assertThrows(AuthModuleException.class,
                () -> create("harpd.auth.passfile", Map.of()));
        assertTrue(e.getMessage().startsWith("authentication module harpd.auth.passfile: create() failed: ValueError: "),
                e.getMessage());
    }

    @Test
    void missingPassfileIsAModuleFailureAtAuthenticationNamingTheFile() throws Exception {
        String file = dir.resolve("none").toString();
        PythonAuthenticator auth = create("harpd.auth.passfile", Map.of("file", file));
        AuthModuleException e = assertThrows(AuthModuleException.class, () -> auth.authenticate("a", "b-secret"));
        assertEquals("authentication module harpd.auth.passfile failed: users file " + file
                + ": No such file or directory", e.getMessage());
    }

    @Test
    void inconfigAcceptsPlainAndCryptPasswords() throws Exception {
        Map<String, Object> users = new LinkedHashMap<>();
        users.put("john", "plain:john's password");
        users.put("jane", "crypt:" + Hashes.SHA512);
        users.put("zoë", "plain:pässwörd");
        users.put("empty", "plain:");
        PythonAuthenticator auth = create("harpd.auth.inconfig", Map.of("users", users));
        assertTrue(auth.authenticate("john", "john's password"));
        assertFalse(auth.authenticate("john", "john's passwor"));
        assertFalse(auth.authenticate("john", "john's password "));
        assertTrue(auth.authenticate("jane", Hashes.SHA512_PASSWORD));
        assertFalse(auth.authenticate("jane", "crypt:" + Hashes.SHA512));
        assertTrue(auth.authenticate("zoë", "pässwörd"));
        assertTrue(auth.authenticate("empty", ""));
        assertFalse(auth.authenticate("empty", "x"));
        assertFalse(auth.authenticate("jack", "x"));
    }

    @Test
    void inconfigRefusesUnknownSchemesAtCreate() {
        AuthModuleException e = assertThrows(AuthModuleException.class,
                () -> create("harpd.auth.inconfig", Map.of("users", Map.of("john", "md5:abc"))));
        assertTrue(e.getMessage().contains("unknown password scheme 'md5'"), e.getMessage());
    }

    @Test
    void customModuleUsingCryptComparisonWorksUnchanged() throws Exception {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(lib.resolve("myauth.py"), """
                import crypt
                from harpd.auth import AuthDB

                class MyAuth(AuthDB):
                    def __init__(self, users):
                        self.users = users
                    def authenticate(self, user, password):
                        hashed = self.users.get(user)
                        return hashed is not None and crypt.crypt(password, hashed) == hashed

                def create(config):
                    return MyAuth(config["users"])
                """);
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(), List.of(lib.toString())));
        PythonAuthenticator auth = PythonAuthenticator.create(runtime, "myauth",
                Map.of("module", "myauth", "users", Map.of("john", Hashes.SHA512)));
        assertTrue(auth.authenticate("john", Hashes.SHA512_PASSWORD));
        assertFalse(auth.authenticate("john", "nope"));
    }

    @Test
    void aModuleMayGiveGroupsAndItsOwnVerdictPerProcedure() throws Exception {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(lib.resolve("rights.py"), """
                class Rights(object):
                    def authenticate(self, user, password):
                        return True
                    def groups(self, user):
                        return (g for g in ["ops", u"\\u017c"])
                    def authorize(self, user, procedure):
                        if procedure == "open":
                            return 1
                        if procedure == "shut":
                            return []
                        if procedure == "broken":
                            raise KeyError("secret")
                        return None

                def create(config):
                    return Rights()
                """);
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(), List.of(lib.toString())));
        PythonAuthenticator auth = PythonAuthenticator.create(runtime, "rights", Map.of("module", "rights"));
        assertEquals(List.of("ops", "\u017c"), List.copyOf(auth.groups("john")));
        assertEquals(java.util.Optional.of(true), auth.authorize("john", "open"));
        assertEquals(java.util.Optional.of(false), auth.authorize("john", "shut"));
        assertEquals(java.util.Optional.empty(), auth.authorize("john", "other"));
        AuthModuleException e = assertThrows(AuthModuleException.class, () -> auth.authorize("john", "broken"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());

        PythonAuthenticator plain = create("harpd.auth.inconfig", Map.of("users", Map.of()));
        assertEquals(List.of(), List.copyOf(plain.groups("john")));
        assertEquals(java.util.Optional.empty(), plain.authorize("john", "open"));
    }

    @Test
    void aModuleFailureNamesTypeAndPlaceButNeverTheMessage() throws Exception {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(lib.resolve("leaky.py"), """
                def check(password):
                    raise ValueError("bad %r" % password.upper())

                class Leaky(object):
                    def authenticate(self, user, password):
                        return check(password)

                def create(config):
                    return Leaky()
                """);
        PythonRuntime runtime = PythonRuntime.create(new PythonPath(List.of(), List.of(lib.toString())));
        PythonAuthenticator auth = PythonAuthenticator.create(runtime, "leaky", Map.of("module", "leaky"));
        String password = "sEcr3t-pw";
        AuthModuleException e = assertThrows(AuthModuleException.class, () -> auth.authenticate("u", password));
        String message = e.getMessage();
        assertEquals("authentication module leaky failed: ValueError at " + lib.resolve("leaky.py") + ":2",
                message);
        for (String form : List.of(password, password.toUpperCase(), password.toLowerCase(), "bad ", "SECR")) {
            assertFalse(message.toUpperCase().contains(form.toUpperCase()), form + " in " + message);
        }
    }

    @Test
    void moduleProblemsAreOneLineNamingTheModule() throws Exception {
        AuthModuleException missing = assertThrows(AuthModuleException.class,
                () -> create("no.such.authmodule", Map.of()));
        assertEquals("authentication module no.such.authmodule: cannot import: ImportError: No module named no",
                missing.getMessage());
        AuthModuleException noCreate = assertThrows(AuthModuleException.class, () -> create("harpd.proc", Map.of()));
        assertEquals("authentication module harpd.proc: has no create(config) function", noCreate.getMessage());
    }

    @Test
    void concurrentAuthenticationsAgree() throws Exception {
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "john:" + Hashes.SHA512 + "\njane:" + Hashes.SHA256 + "\n");
        PythonAuthenticator auth = create("harpd.auth.passfile", Map.of("file", users.toString()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                boolean right = i % 2 == 0;
                results.add(pool.submit(() -> auth.authenticate(right ? "john" : "jane",
                        right ? Hashes.SHA512_PASSWORD : "wrong")));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i % 2 == 0, results.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
