package org.harpd.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.harpd.logging.EventLog;

/**
 * The start-up check of the files that hold secrets or decide what runs as root. Secrets (the configuration
 * file, which may carry {@code plain:} passwords, the users file {@code authentication.file} and the TLS private
 * key) must be neither readable nor writable by others. Code that runs as root (the procedures file and the
 * {@code python.path} entries) may be read by anyone but written only by root, and the directory holding it
 * must not let others replace it. Exposure is a warning, not an error: the original daemon did not check at
 * all, and refusing to start would break working installations on upgrade.
 */
public final class FileExposure {
    /** Logged for secrets. */
    public static final String SECRET_MESSAGE = "file readable or writable by others: restrict it to root";
    /** Logged for code. */
    public static final String CODE_MESSAGE = "code that runs as root is writable by others: restrict it to root";

    private FileExposure() {
    }

    /**
     * @return why the secret {@code file} is exposed ("world-readable", "group-writable", "world-writable"), or
     * empty when it is not, or cannot be examined (missing files are reported elsewhere)
     */
    public static Optional<String> problem(Path file) {
        Set<PosixFilePermission> permissions = permissions(file);
        if (permissions == null) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            problems.add("world-readable");
        }
        writable(permissions, problems);
        return described(problems, permissions);
    }

    /**
     * @return why code at {@code path} (a file or a directory of modules) could be changed by someone else than
     * root (or the user harpd runs as): group- or world-writable, owned by another user, or in a directory that
     * is; empty when it could not, or cannot be examined
     */
    public static Optional<String> codeProblem(Path path) {
        Optional<String> own = writableByOthers(path);
        if (own.isPresent()) {
            return own;
        }
        Path parent = path.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            return Optional.empty();
        }
        Set<PosixFilePermission> permissions = permissions(parent);
        // a sticky directory (/tmp) lets others create names but not replace root's file in it
        if (permissions != null && isSticky(parent)) {
            return Optional.empty();
        }
        return writableByOthers(parent).map(problem -> "in directory " + parent + ": " + problem);
    }

    private static Optional<String> writableByOthers(Path path) {
        Set<PosixFilePermission> permissions = permissions(path);
        if (permissions == null) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        owner(path).filter(uid -> uid != 0 && uid != ownUid()).ifPresent(uid -> problems.add("owned by uid " + uid));
        writable(permissions, problems);
        return described(problems, permissions);
    }

    private static void writable(Set<PosixFilePermission> permissions, List<String> problems) {
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            problems.add("group-writable");
        }
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            problems.add("world-writable");
        }
    }

    private static Optional<String> described(List<String> problems, Set<PosixFilePermission> permissions) {
        return problems.isEmpty() ? Optional.empty()
                : Optional.of(String.join(", ", problems) + " (" + PosixFilePermissions.toString(permissions) + ")");
    }

    /** The permissions of what a link points to, or null when the file cannot be examined. */
    private static Set<PosixFilePermission> permissions(Path file) {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static Optional<Integer> owner(Path file) {
        try {
            return Optional.of((Integer) Files.getAttribute(file, "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isSticky(Path directory) {
        try {
            return ((Integer) Files.getAttribute(directory, "unix:mode") & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static int ownUid() {
        return owner(Path.of("/proc/self")).orElse(0);
    }

    /**
     * The files to check and what each one is: the configuration file, the users file ({@code file} of the
     * authentication module, if any) and the TLS key are secrets; the procedures file and the {@code python.path}
     * entries are code.
     */
    public static Map<Path, Boolean> sensitiveFiles(HarpdConfig config, Path proceduresFile) {
        Map<Path, Boolean> files = new LinkedHashMap<>(); // path -> is a secret
        files.put(config.file().toAbsolutePath(), true);
        if (config.authentication() != null
                && config.authentication().options().get("file") instanceof String usersFile) {
            files.put(Path.of(usersFile).toAbsolutePath(), true);
        }
        files.put(config.network().keyfile().toAbsolutePath(), true);
        if (proceduresFile != null) {
            files.putIfAbsent(proceduresFile.toAbsolutePath(), false);
        }
        List<String> path = new ArrayList<>(config.pythonPath().prepend());
        path.addAll(config.pythonPath().append());
        for (String entry : path) {
            if (!entry.isEmpty()) {
                files.putIfAbsent(Path.of(entry).toAbsolutePath(), false);
            }
        }
        return files;
    }

    /** Logs one warning line per exposed file, naming it. */
    public static void warnIfExposed(EventLog log, HarpdConfig config, Path proceduresFile) {
        sensitiveFiles(config, proceduresFile).forEach((file, secret) -> {
            Optional<String> problem = secret ? problem(file) : codeProblem(file);
            problem.ifPresent(p -> log.warn(secret ? SECRET_MESSAGE : CODE_MESSAGE, "file", file.toString(),
                    "problem", p));
        });
    }
}
