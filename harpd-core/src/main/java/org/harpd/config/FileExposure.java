package org.harpd.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.harpd.logging.EventLog;

/**
 * The start-up check of the files that hold secrets or decide what runs as root: the configuration file
 * (it may carry {@code plain:} passwords and names the Python path) and the users file
 * ({@code authentication.file}). Exposure is a warning, not an error: the original daemon did not check
 * at all, and refusing to start would break working installations on upgrade.
 */
public final class FileExposure {
    private FileExposure() {
    }

    /**
     * @return why {@code file} is exposed ("world-readable", "group-writable", "world-writable"), or empty when
     * it is not, or cannot be examined (missing files are reported elsewhere)
     */
    public static Optional<String> problem(Path file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(file)) {
                permissions = Files.getPosixFilePermissions(file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            problems.add("world-readable");
        }
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            problems.add("group-writable");
        }
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            problems.add("world-writable");
        }
        return problems.isEmpty() ? Optional.empty()
                : Optional.of(String.join(", ", problems) + " (" + PosixFilePermissions.toString(permissions) + ")");
    }

    /** The files to check: the configuration file, and the authentication module's {@code file}, if any. */
    public static List<Path> sensitiveFiles(Path configFile, AuthenticationConfig authentication) {
        List<Path> files = new ArrayList<>();
        files.add(configFile.toAbsolutePath());
        if (authentication != null && authentication.options().get("file") instanceof String usersFile) {
            files.add(Path.of(usersFile).toAbsolutePath());
        }
        return files;
    }

    /** Logs one warning line per exposed file, naming it. */
    public static void warnIfExposed(EventLog log, Path configFile, AuthenticationConfig authentication) {
        for (Path file : sensitiveFiles(configFile, authentication)) {
            problem(file).ifPresent(problem -> log.warn("file readable or writable by others: restrict it to root",
                    "file", file.toString(), "problem", problem));
        }
    }
}
