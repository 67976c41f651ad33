package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.harpd.it.Daemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hosts registry script, its failures, its persistence; harpd certificate checks. */
class HostsAndCertificatesIT {
    private static Path dir;
    private static Path flag;
    private static Caller caller;
    private static String baseToml;

    @BeforeAll
    static void start() throws Exception {
        SharedHarpd.get();
        dir = Files.createTempDirectory("harpcallerd-hosts");
        flag = dir.resolve("fail");
        Path script = dir.resolve("hosts.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo 'this line is not JSON'\n"
                + "echo '{\"hostname\": \"incomplete\"}'\n"
                + "echo '" + SharedHarpd.hostLine("scripted") + "'\n"
                + "if [ -e " + flag + " ]; then exit 1; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        baseToml = "host_db_script = \"" + script + "\"\nhost_db_refresh = 3600\ndefault_timeout = 30\n";
        caller = new Caller(dir, baseToml).start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (!caller.admin("hosts-list").get(1).contains("scripted")) {
            assertTrue(System.nanoTime() < end, "the script's first run did not fill the registry");
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
    }

    @Test
    void scriptFillsRegistryAndFailureKeepsIt() throws Exception {
        List<String> hosts = caller.admin("hosts-list");
        assertEquals("{\"hostname\":\"scripted\",\"address\":\"127.0.0.1\",\"port\":" + SharedHarpd.get().port() + "}",
                hosts.get(1).strip(), "bad lines ignored, no credentials: " + hosts);
        assertTrue(caller.result(caller.call("scripted", "echo")).has("result"));
        Path db = dir.resolve("hosts.db");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
        assertTrue(Files.readString(db).contains("\"scripted\""));

        Files.writeString(flag, "");
        try {
            List<String> refresh = caller.admin("hosts-refresh");
            assertEquals("1", refresh.get(0), refresh.toString());
            assertTrue(refresh.get(2).contains("exited with status 1"), refresh.toString());
            assertTrue(caller.admin("hosts-list").get(1).contains("scripted"), "the old registry stays");
            assertTrue(caller.result(caller.call("scripted", "echo")).has("result"));
        } finally {
            Files.delete(flag);
        }
        List<String> refresh = caller.admin("hosts-refresh");
        assertEquals("0", refresh.get(0), refresh.toString());
        assertTrue(refresh.get(1).contains("1 hosts, 2 lines ignored"), refresh.toString());
    }

    @Test
    void certificateChecks() throws Exception {
        Path harpdCert = SharedHarpd.get().dir().resolve("cert.pem");
        Path otherDir = Files.createTempDirectory("harpcallerd-othercert");
        Daemon.writeCertificate(otherDir);
        Path otherCert = otherDir.resolve("cert.pem");
        Path known = dir.resolve("known.pem");
        try {
            reload("ca_file = \"" + harpdCert + "\"\n");
            assertTrue(call().has("result"), "harpd's certificate is its own CA");

            reload("ca_file = \"" + otherCert + "\"\n");
            JsonNode refused = call();
            assertEquals("ssl", refused.path("error").path("type").asText(), refused.toString());

            Files.copy(harpdCert, known, StandardCopyOption.REPLACE_EXISTING);
            reload("ca_file = \"" + otherCert + "\"\nknown_certs_file = \"" + known + "\"\n");
            assertTrue(call().has("result"), "listed in known_certs_file");

            // known_certs_file alone, re-read without a reload when it changes
            Path tmp = dir.resolve("known.tmp");
            Files.copy(otherCert, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, known, StandardCopyOption.REPLACE_EXISTING);
            reload("known_certs_file = \"" + known + "\"\n");
            assertEquals("ssl", call().path("error").path("type").asText());
            Files.copy(harpdCert, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, known, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(call().has("result"), "the changed file is read again");
        } finally {
            reload("");
        }
        assertTrue(call().has("result"), "neither: any certificate");
    }

    @Test
    void badReloadKeepsTheRunningConfiguration() throws Exception {
        caller.rewrite(baseToml + "no_such_key = 1\n");
        try {
            List<String> r = caller.admin("reload");
            assertEquals("1", r.get(0), r.toString());
            assertTrue(r.get(2).contains("no_such_key: unknown key"), r.toString());
            assertTrue(call().has("result"));
        } finally {
            caller.rewrite(baseToml);
        }
    }

    private static void reload(String extra) throws Exception {
        caller.rewrite(baseToml + extra);
        List<String> r = caller.admin("reload");
        assertEquals("0", r.get(0), r.toString());
        assertFalse(r.get(2).contains("harpcallerd:"), r.toString());
    }

    private static JsonNode call() throws Exception {
        return caller.result(caller.call("scripted", "echo"));
    }
}
