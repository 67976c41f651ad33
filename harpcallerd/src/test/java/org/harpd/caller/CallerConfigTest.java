package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.harpd.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerConfigTest {
    @TempDir
    Path dir;

    private CallerConfig load(String toml) throws Exception {
        Path file = dir.resolve("harpcaller.toml");
        Files.writeString(file, toml);
        return CallerConfig.load(file);
    }

    private String problem(String toml) {
        return assertThrows(ConfigException.class, () -> load(toml)).getMessage();
    }

    @Test
    void defaults() throws Exception {
        CallerConfig c = load("");
        assertEquals(1, c.listen().size());
        assertNull(c.listen().get(0).address());
        assertEquals(3502, c.listen().get(0).port());
        assertEquals(600, c.defaultTimeout());
        assertEquals(600, c.maxExecTime());
        assertEquals(900, c.hostDbRefresh());
        assertNull(c.maxAgeHours());
        assertFalse(c.postgres());
        assertEquals("jdbc:sqlite:/var/lib/harpcaller/stream/jobs.sqlite", c.databaseUrl());
        assertTrue(c.warnings().isEmpty());
        assertTrue(c.syncEveryCommit(), "SQLite commits are synced unless the operator says otherwise");
    }

    @Test
    void originalFileWithErlangSectionLoadsWithOneWarning() throws Exception {
        CallerConfig c = load("""
                listen = ["127.0.0.1:3502", "[::1]:4000"]
                ca_file = "ca.pem"
                stream_directory = "/srv/harpcaller"
                default_timeout = 60
                max_exec_time = 120
                max_age = 24
                host_db_script = "/etc/harpcaller/hosts.sh"
                host_db = "/var/lib/harpcaller/hosts.db"
                host_db_refresh = 300
                log_handlers = ["syslog"]

                [erlang]
                node_name = "harpcallerd"
                cookie = "secret"
                distributed_immediate = false
                """);
        assertEquals("127.0.0.1", c.listen().get(0).address());
        assertEquals("::1", c.listen().get(1).address());
        assertEquals(4000, c.listen().get(1).port());
        assertEquals(dir.resolve("ca.pem"), c.caFile(), "relative to the file");
        assertEquals(24, c.maxAgeHours());
        assertTrue(c.syslog());
        assertEquals("jdbc:sqlite:/srv/harpcaller/jobs.sqlite", c.databaseUrl());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("erlang"), c.warnings().toString());
    }

    @Test
    void postgresSection() throws Exception {
        CallerConfig c = load("[database]\nurl = \"jdbc:postgresql://db/harp\"\nuser = \"u\"\npassword = \"p\"\n"
                + "instance = \"one\"\n");
        assertTrue(c.postgres());
        assertEquals("one", c.instance());
        assertFalse(c.describe().toString().contains("p\""), "no password in descriptions");
    }

    @Test
    void problemsAreOneLineNamingFileAndKey() {
        String file = dir.resolve("harpcaller.toml").toString();
        assertEquals(file + ": listn: unknown key", problem("listn = [\"*:3502\"]\n"));
        assertEquals(file + ": default_timeout: expected a positive integer, got \"600\"",
                problem("default_timeout = \"600\"\n"));
        assertEquals(file + ": max_exec_time: expected a positive integer, got 0", problem("max_exec_time = 0\n"));
        assertTrue(problem("listen = [\"nocolon\"]\n").startsWith(file + ": listen: expected ADDRESS:PORT"));
        assertTrue(problem("listen = \"*:3502\"\n").startsWith(file + ": listen: expected a non-empty array"));
        assertEquals(file + ": database.uri: unknown key", problem("[database]\nuri = \"x\"\n"));
        assertEquals(file + ": database.synchronous: expected \"full\" or \"normal\"",
                problem("[database]\nsynchronous = \"off\"\n"));
        assertEquals(file + ": database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL",
                problem("[database]\nurl = \"jdbc:mysql://x\"\n"));
        assertTrue(problem("log_handlers = [\"file\"]\n").startsWith(file + ": log_handlers: unknown handler"));
        assertTrue(problem("listen = [\n").startsWith(file + ": not valid TOML: "));
        assertFalse(problem("listen = [\n").contains("\n"));
        assertEquals(dir.resolve("missing.toml") + ": no such file",
                assertThrows(ConfigException.class, () -> CallerConfig.load(dir.resolve("missing.toml"))).getMessage());
    }
}
