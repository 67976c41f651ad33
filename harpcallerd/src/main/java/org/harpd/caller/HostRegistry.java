package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.harpd.config.FileExposure;
import org.harpd.logging.EventLog;
import org.harpd.posix.Posix;
import org.harpd.posix.ProcessTree;

/**
 * Which harpd serves a host name, with the credentials to use. Filled by the operator's {@code host_db_script}
 * (one JSON object per output line) and kept in {@code host_db} (the same format) across restarts.
 */
public final class HostRegistry {
    /** A registry entry. The password never appears in {@link #toString()} or in listings. */
    public record Host(String hostname, String address, int port, String user, String password) {
        @Override
        public String toString() {
            return "Host[" + hostname + " " + address + ":" + port + " user " + user + "]";
        }
    }

    /** Outcome of one refresh, for {@code hosts-refresh}. */
    public record Refresh(boolean ok, int hosts, int ignoredLines, String problem) {
    }

    private static final EventLog LOG = EventLog.get("harpcallerd.hosts");
    /**
     * The script's whole environment: it runs with the dispatcher's privileges (or {@code host_db_script_user}'s),
     * not with its settings.
     */
    static final Map<String, String> SCRIPT_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8", "HOME", "/");
    /** Starts the script in a process group of its own, so that a timeout kills what it started too. */
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /**
     * Switches to {@code host_db_script_user} between fork and exec (initgroups, setgid, setuid, in that order),
     * which a JVM cannot do for its child itself; named by absolute path, never looked up in PATH.
     */
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private final Path hostDb;
    private final CallerMetrics metrics;
    private volatile Map<String, Host> hosts = Map.of();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    public HostRegistry(Path hostDb) {
        this(hostDb, CallerMetrics.NONE);
    }

    public HostRegistry(Path hostDb, CallerMetrics metrics) {
        this.hostDb = hostDb;
        this.metrics = metrics;
        metrics.watchHosts(name -> hosts.containsKey(name), () -> hosts.size());
    }

    /** Loads the persisted registry; a missing file is an empty registry. */
    public void load() throws IOException {
        if (!Files.exists(hostDb)) {
            return;
        }
        List<String> lines = Files.readAllLines(hostDb, StandardCharsets.UTF_8);
        Map<String, Host> loaded = new TreeMap<>();
        for (String line : lines) {
            Host h = parse(line);
            if (h != null) {
                loaded.put(h.hostname(), h);
            }
        }
        hosts = Collections.unmodifiableMap(loaded);
    }

    public Host lookup(String hostname) {
        return hosts.get(hostname);
    }

    public List<Host> all() {
        return new ArrayList<>(hosts.values());
    }

    /**
     * Runs the script and, if it exits 0, replaces the registry with what it printed. A refresh already running
     * is not started twice.
     */
    public Refresh refresh(Path script, CallerConfig.ScriptUser user, int timeoutSeconds) {
        if (script == null) {
            return new Refresh(false, hosts.size(), 0, "no host_db_script configured");
        }
        if (!refreshing.compareAndSet(false, true)) {
            return new Refresh(false, hosts.size(), 0, "a refresh is already running");
        }
        try {
            Refresh refresh = runScript(script, user, timeoutSeconds);
            metrics.hostsRefreshed(refresh.ok());
            return refresh;
        } finally {
            refreshing.set(false);
        }
    }

    private Refresh runScript(Path script, CallerConfig.ScriptUser user, int timeoutSeconds) {
        // the script prints credentials that the dispatcher will hand to harpd: whoever may rewrite it owns them
        Optional<String> exposed = FileExposure.codeProblem(script);
        if (exposed.isPresent()) {
            return failed(script, "refused: " + exposed.get());
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        // the configuration refused a user other than the dispatcher's own unless it runs as root
        if (user != null && Posix.geteuid() == 0) {
            if (!Files.isExecutable(SETPRIV)) {
                return failed(script, "cannot run it as " + user.name() + ": " + SETPRIV + " is missing");
            }
            command.addAll(List.of(SETPRIV.toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(),
                    "--init-groups", "--"));
        }
        command.add(script.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(SCRIPT_ENVIRONMENT);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return failed(script, "cannot run: " + e.getMessage());
        }
        // the limit runs from the start, not from the end of its output: a script that printed its hosts and then
        // hangs with stdout open is killed too, with whatever it started
        AtomicBoolean timedOut = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            timedOut.set(true);
            kill(process);
        }, CompletableFuture.delayedExecutor(timeoutSeconds, TimeUnit.SECONDS));
        Map<String, Host> fresh = new TreeMap<>();
        List<String> kept = new ArrayList<>();
        int ignored = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Host h = parse(line);
                if (h == null) {
                    ignored++;
                } else {
                    fresh.put(h.hostname(), h);
                    kept.add(line.strip());
                }
            }
            process.waitFor();
        } catch (IOException e) {
            kill(process);
            return failed(script, "cannot read its output: " + e.getMessage());
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return failed(script, "interrupted");
        } finally {
            watchdog.cancel(false);
        }
        if (timedOut.get()) {
            return failed(script, "killed after " + timeoutSeconds + " s (host_db_script_timeout)");
        }
        if (process.exitValue() != 0) {
            return failed(script, "exited with status " + process.exitValue());
        }
        hosts = Collections.unmodifiableMap(fresh);
        try {
            persist(kept);
        } catch (IOException e) {
            LOG.error("cannot save the hosts registry", "file", hostDb.toString(), "error", e.getMessage());
        }
        LOG.info("hosts registry refreshed", "hosts", fresh.size(), "ignored_lines", ignored);
        return new Refresh(true, fresh.size(), ignored, null);
    }

    /** The script, everything below it and its process group. */
    private static void kill(Process process) {
        try {
            ProcessTree.killTree(process.pid());
            Posix.kill(-process.pid(), Posix.SIGKILL);
        } catch (RuntimeException e) {
            LOG.warn("cannot kill the hosts script", "pid", process.pid(), "error", String.valueOf(e.getMessage()));
        }
        process.destroyForcibly();
    }

    private Refresh failed(Path script, String problem) {
        LOG.warn("hosts registry refresh failed; keeping the previous registry", "script", script.toString(),
                "problem", problem);
        return new Refresh(false, hosts.size(), 0, script + ": " + problem);
    }

    /** Written beside, then renamed over: a crash never leaves half a registry. Holds passwords: 0600. */
    private void persist(List<String> lines) throws IOException {
        Path dir = hostDb.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IOException(hostDb + ": host_db needs a directory");
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".hosts", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, hostDb, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, hostDb, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One line of the script's output, or null when it is not a complete entry. */
    static Host parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.isObject()) {
            return null;
        }
        JsonNode hostname = n.get("hostname");
        JsonNode address = n.get("address");
        JsonNode port = n.get("port");
        JsonNode credentials = n.get("credentials");
        if (hostname == null || !hostname.isTextual() || address == null || !address.isTextual()
                || port == null || !port.isIntegralNumber() || port.asInt() < 1 || port.asInt() > 65535
                || credentials == null || !credentials.isObject()
                || !credentials.path("user").isTextual() || !credentials.path("password").isTextual()) {
            return null;
        }
        return new Host(hostname.asText(), address.asText(), port.asInt(), credentials.get("user").asText(),
                credentials.get("password").asText());
    }
}
