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
                + "if [ -e " + dir.resolve("extra") + " ]; then cat " + dir.resolve("extra") + "; fi\n"
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
    void startWarnsThatHarpdCertificatesAreNotChecked() {
        assertTrue(caller.log().stream().anyMatch(l -> l.contains("neither ca_file nor known_certs_file is set")),
                caller.log().toString());
    }

    /**
     * A server on a registered host's port with a certificate of the right CA for another name: the call fails
     * on the name, and the host's credentials are never sent.
     */
    @Test
    void aCertificateOfTheCaForAnotherNameGetsNoCredentials() throws Exception {
        Path certDir = Files.createTempDirectory("harpcallerd-wrongname");
        Path keystore = certDir.resolve("harpd.p12");
        keytool("-genkeypair", "-alias", "harpd", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=harpd.example", "-ext", "SAN=dns:harpd.example", "-validity", "2", "-keystore",
                keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        Path cert = certDir.resolve("cert.pem");
        keytool("-exportcert", "-rfc", "-alias", "harpd", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", cert.toString());
        try (FakeHarpd fake = new FakeHarpd(keystore)) {
            Files.writeString(dir.resolve("extra"), "{\"hostname\": \"fake\", \"address\": \"127.0.0.1\", "
                    + "\"port\": " + fake.port() + ", \"credentials\": {\"user\": \"u\", \"password\": "
                    + "\"the-password\"}}\n");
            try {
                assertEquals("0", caller.admin("hosts-refresh").get(0));
                reload("ca_file = \"" + cert + "\"\n");
                JsonNode refused = caller.result(caller.call("fake", "echo"));
                assertEquals("ssl", refused.path("error").path("type").asText(), refused.toString());
                assertTrue(refused.path("error").path("message").asText().contains("names neither fake nor 127.0.0.1"),
                        refused.toString());
                assertEquals(1, fake.handshakes(), "the TLS handshake itself went through");
                assertEquals("", fake.received(), "nothing sent, least of all the password");

                reload("ca_file = \"" + cert + "\"\nverify_hostname = false\n");
                caller.call("fake", "echo");
                fake.awaitRequest();
                assertTrue(fake.received().contains("the-password"), "the original's CA-only check: " + fake.received());
            } finally {
                Files.delete(dir.resolve("extra"));
                caller.admin("hosts-refresh");
                reload("");
            }
        }
    }

    /**
     * A script that printed its hosts and hangs: killed at its timeout with what it started, while the control
     * socket answers {@code status}; it sees none of the dispatcher's environment.
     */
    @Test
    void aHangingScriptIsKilledAtItsTimeoutWhileStatusAnswers() throws Exception {
        Path started = dir.resolve("hang-started");
        Path sleeper = dir.resolve("hang-sleeper");
        Path env = dir.resolve("hang-env");
        Path script = dir.resolve("hang.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo '" + SharedHarpd.hostLine("scripted") + "'\n"
                + "env > " + env + "\n"
                + "sleep 3600 &\n"
                + "echo $! > " + sleeper + ".tmp; mv " + sleeper + ".tmp " + sleeper + "\n"
                + "touch " + started + "\n"
                + "wait\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        String toml = "host_db_script = \"" + script + "\"\nhost_db_refresh = 3600\ndefault_timeout = 30\n"
                + "host_db_script_timeout = 3\n";
        caller.rewrite(toml);
        assertEquals("0", caller.admin("reload").get(0));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            java.util.concurrent.Future<List<String>> refresh = pool.submit(() -> caller.admin("hosts-refresh"));
            while (!Files.exists(started)) {
                assertFalse(refresh.isDone(), "the script ended before it hung: " + (refresh.isDone() ? refresh.get() : ""));
                Thread.sleep(20);
            }
            List<String> status = pool.submit(() -> caller.admin("status")).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("0", status.get(0), "status answers while the script runs: " + status);
            List<String> refreshed = refresh.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("1", refreshed.get(0), refreshed.toString());
            assertTrue(refreshed.get(2).contains("killed after 3 s"), refreshed.toString());
            long sleepPid = Long.parseLong(Files.readString(sleeper).strip());
            ProcessHandle.of(sleepPid).ifPresent(p -> p.onExit().join());
            String environment = Files.readString(env);
            assertFalse(environment.contains(Caller.ENV_MARKER), "the dispatcher's environment leaked: " + environment);
            assertTrue(environment.contains("PATH=/"), environment);
        } finally {
            if (Files.exists(sleeper)) {
                // should it have survived, its open stdout would hold the refresh (and a reload behind it)
                ProcessHandle.of(Long.parseLong(Files.readString(sleeper).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
            pool.shutdownNow();
            caller.rewrite(baseToml);
            caller.admin("reload");
        }
    }

    @Test
    void aScriptWritableByOthersIsNotRun() throws Exception {
        Path ran = dir.resolve("open-ran");
        Path script = dir.resolve("open.sh");
        Files.writeString(script, "#!/bin/sh\ntouch " + ran + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            caller.rewrite("host_db_script = \"" + script + "\"\nhost_db_refresh = 3600\ndefault_timeout = 30\n");
            assertEquals("0", caller.admin("reload").get(0));
            List<String> r = caller.admin("hosts-refresh");
            assertEquals("1", r.get(0), r.toString());
            assertTrue(r.get(2).contains("refused"), r.toString());
            assertFalse(Files.exists(ran), "the script ran");
            assertTrue(caller.admin("hosts-list").get(1).contains("scripted"), "the registry stays");
        } finally {
            caller.rewrite(baseToml);
            caller.admin("reload");
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    /** A TLS server that records what a client sends after the handshake, and answers nothing. */
    private static final class FakeHarpd implements AutoCloseable {
        private final javax.net.ssl.SSLServerSocket server;
        private final StringBuffer received = new StringBuffer();
        private final java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.CountDownLatch request = new java.util.concurrent.CountDownLatch(1);
        /** Counted down when a connection's handling ended (the client closed or sent a line). */
        private final java.util.concurrent.Semaphore ended = new java.util.concurrent.Semaphore(0);

        FakeHarpd(Path keystore) throws Exception {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "changeit".toCharArray());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            server = (javax.net.ssl.SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 10,
                    java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "fake-harpd");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) server.accept()) {
                    try {
                        s.startHandshake();
                        handshakes.incrementAndGet();
                        java.io.InputStream in = s.getInputStream();
                        for (int b; (b = in.read()) >= 0; ) {
                            received.append((char) b);
                            if (b == '\n') {
                                request.countDown();
                                break;
                            }
                        }
                    } catch (java.io.IOException e) {
                        // the client gave up: what it sent so far is recorded
                    } finally {
                        ended.release();
                    }
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        /** After the one connection so far has ended. */
        int handshakes() throws InterruptedException {
            ended.acquire();
            ended.release();
            return handshakes.get();
        }

        String received() {
            return received.toString();
        }

        void awaitRequest() throws InterruptedException {
            assertTrue(request.await(60, java.util.concurrent.TimeUnit.SECONDS), "no request: " + received);
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
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
