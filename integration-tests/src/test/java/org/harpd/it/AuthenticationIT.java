package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** harpd.auth.passfile, harpd.auth.inconfig and a custom module, loaded by name as harpd(8) documents. */
class AuthenticationIT {
    /** crypt(3) of "secret" with salt "abcdefgh" ({@code openssl passwd -6 / -5}). */
    static final String SHA512 = "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.";
    static final String SHA256 = "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM.";

    private static String call(Daemon daemon, String user, String password) throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), "{\"harp\": 1, \"procedure\": \"echo\", \"arguments\": [1], "
                + "\"auth\": {\"user\": \"" + user + "\", \"password\": \"" + password + "\"}}\n");
        var last = Wire.parse(lines.get(lines.size() - 1));
        return last.has("result") ? "ok" : last.at("/error/type").asText();
    }

    @Test
    void passfileChecksCryptHashesAndRereadsTheFile() throws Exception {
        Path dir = Files.createTempDirectory("harpd-auth");
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "john:" + SHA512 + "\njane:" + SHA256 + "\n");
        try (Daemon daemon = Daemon.builder().dir(dir)
                .authentication("authentication:\n  module: harpd.auth.passfile\n  file: users.txt\n").start()) {
            assertEquals("ok", call(daemon, "john", "secret"));
            assertEquals("ok", call(daemon, "jane", "secret"));
            assertEquals("auth_error", call(daemon, "john", "Secret"));
            assertEquals("auth_error", call(daemon, "nobody", "secret"));
            Files.writeString(users, "jack:" + SHA512 + "\n");
            assertEquals("auth_error", call(daemon, "john", "secret"));
            assertEquals("ok", call(daemon, "jack", "secret"));
        }
    }

    @Test
    void inconfigTakesPlainAndCryptPasswords() throws Exception {
        try (Daemon daemon = Daemon.builder().authentication("authentication:\n  module: harpd.auth.inconfig\n"
                + "  users:\n    plainuser: \"plain:pa:ss\"\n    cryptuser: \"crypt:" + SHA512 + "\"\n").start()) {
            assertEquals("ok", call(daemon, "plainuser", "pa:ss"));
            assertEquals("auth_error", call(daemon, "plainuser", "pa:s"));
            assertEquals("ok", call(daemon, "cryptuser", "secret"));
            assertEquals("auth_error", call(daemon, "cryptuser", "plain:secret"));
        }
    }

    @Test
    void customModuleFromPythonPathUsingTheCryptModule() throws Exception {
        Path dir = Files.createTempDirectory("harpd-auth");
        Path pylib = Files.createDirectories(dir.resolve("pylib"));
        Files.writeString(pylib.resolve("siteauth.py"), """
                import crypt
                from harpd.auth import AuthDB

                class HashDB(AuthDB):
                    def __init__(self, users):
                        self.users = users

                    def authenticate(self, user, password):
                        h = self.users.get(user)
                        return h is not None and crypt.crypt(password, h) == h

                def create(config):
                    return HashDB(config["hashes"])
                """);
        try (Daemon daemon = Daemon.builder().dir(dir).authentication("python:\n  path:\n    prepend: pylib\n"
                + "authentication:\n  module: siteauth\n  hashes:\n    ann: '" + SHA256 + "'\n").start()) {
            assertEquals("ok", call(daemon, "ann", "secret"));
            assertEquals("auth_error", call(daemon, "ann", "wrong"));
        }
    }

    @Test
    void failingModuleIsAnAuthErrorAndTheDaemonKeepsServing() throws Exception {
        Path dir = Files.createTempDirectory("harpd-auth");
        Files.writeString(dir.resolve("flaky.py"), """
                class DB(object):
                    def authenticate(self, user, password):
                        if user == "boom":
                            raise RuntimeError("database down")
                        return password == "secret"

                def create(config):
                    return DB()
                """);
        try (Daemon daemon = Daemon.builder().dir(dir).authentication("python:\n  path: .\n"
                + "authentication:\n  module: flaky\n").start()) {
            assertEquals("auth_error", call(daemon, "boom", "secret"));
            assertEquals("ok", call(daemon, "test", "secret"));
        }
    }
}
