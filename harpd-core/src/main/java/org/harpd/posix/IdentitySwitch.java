package org.harpd.posix;

import java.io.File;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Switches the current process to a resolved identity (numbers: the worker resolves the names a procedure gives),
 * as the original harpd's {@code setguid} does. Order: setgroups, setgid, setuid (groups can only be changed while
 * still privileged), then the result is verified against getuid/geteuid/getgid/getegid/getgroups, and a process
 * that left root must not be able to get it back. A step whose ids are already in place is skipped, so
 * "switching" to the identity the process already has works without privileges.
 *
 * <p>Last, the process must still reach its own code: the JVM reads a class from a directory of its class path the
 * first time it needs it, so a directory the new identity cannot read (a checkout readable by root only) would
 * otherwise fail some later step, or leave a worker that never answers, instead of one error naming it. A jar is
 * read through the file the JVM opened, while booting, to load its first class, so a jar the new identity cannot
 * read still serves it.
 */
public final class IdentitySwitch {
    private IdentitySwitch() {
    }

    /**
     * Run what {@link #apply} runs, changing nothing: reading the groups, and describing the EPERM that the check
     * that root cannot be regained expects. A worker does it while booting, so its first call does not.
     */
    public static void warmUp() {
        sameGroups(List.of(Posix.getgid()));
        PosixException.describe(jnr.constants.platform.Errno.EPERM.intValue());
    }

    /** Become {@code target}, then check that the kernel agrees and that the process still reaches its code. */
    public static void apply(ResolvedIdentity target) throws IdentitySwitchException {
        if (target.isUnchanged()) {
            return;
        }
        List<Path> code = codeDirectories(); // found while every class this needs is still loadable
        boolean wasRoot = Posix.geteuid() == 0;
        try {
            if (target.groups() != null && !sameGroups(target.groups())) {
                Posix.setgroups(target.groups().stream().mapToInt(Integer::intValue).toArray());
            }
            if (target.gid() != null && !(Posix.getgid() == target.gid() && Posix.getegid() == target.gid())) {
                Posix.setgid(target.gid());
            }
            if (target.uid() != null && !(Posix.getuid() == target.uid() && Posix.geteuid() == target.uid())) {
                Posix.setuid(target.uid());
            }
        } catch (PosixException e) {
            throw new IdentitySwitchException("cannot switch to " + describe(target) + ": " + e.getMessage(), e);
        }
        verify(target, wasRoot);
        for (Path entry : code) {
            String problem = unreadable(entry);
            if (problem != null) {
                throw new IdentitySwitchException("as " + describe(target) + ", this process cannot read " + entry
                        + " (" + problem + "), a directory of its class path: harpd's files must be readable by every"
                        + " user procedures run as");
            }
        }
    }

    /**
     * The entries of this JVM's class path and module path that are not jar files: the directories, where each class
     * is read when first needed (and entries this process cannot even tell the kind of).
     */
    static List<Path> codeDirectories() {
        List<Path> entries = new ArrayList<>();
        for (String property : new String[] {"java.class.path", "jdk.module.path"}) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                Path path = Path.of(entry).toAbsolutePath();
                if (!entry.isEmpty() && !Files.isRegularFile(path)) {
                    entries.add(path);
                }
            }
        }
        return entries;
    }

    /**
     * Why this process cannot read the directory {@code entry} (list it and reach into it), or null when it can, or
     * when it does not exist (the JVM skips those too). Only JDK classes, which stay loadable whoever the process is.
     */
    static String unreadable(Path entry) {
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(entry)) {
            listing.iterator().hasNext();
            return Files.isExecutable(entry) ? null : "permission denied";
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            return "permission denied";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static void verify(ResolvedIdentity target, boolean wasRoot) throws IdentitySwitchException {
        List<String> wrong = new ArrayList<>();
        if (target.uid() != null && (Posix.getuid() != target.uid() || Posix.geteuid() != target.uid())) {
            wrong.add("uid=" + Posix.getuid() + " euid=" + Posix.geteuid());
        }
        if (target.gid() != null && (Posix.getgid() != target.gid() || Posix.getegid() != target.gid())) {
            wrong.add("gid=" + Posix.getgid() + " egid=" + Posix.getegid());
        }
        if (target.groups() != null && !sameGroups(target.groups())) {
            wrong.add("groups=" + Arrays.toString(Posix.getgroups()));
        }
        if (wasRoot && target.uid() != null && target.uid() != 0 && regainsRoot()) {
            wrong.add("root could be regained");
        }
        if (!wrong.isEmpty()) {
            throw new IdentitySwitchException("switch to " + describe(target) + " did not take effect: "
                    + String.join(", ", wrong));
        }
    }

    private static boolean regainsRoot() {
        try {
            Posix.setuid(0);
            return true;
        } catch (PosixException expected) {
            return false;
        }
    }

    private static boolean sameGroups(List<Integer> wanted) {
        Set<Integer> current = new TreeSet<>();
        for (int g : Posix.getgroups()) {
            current.add(g);
        }
        return current.equals(new TreeSet<>(wanted));
    }

    static String describe(ResolvedIdentity target) {
        StringBuilder text = new StringBuilder();
        if (target.uid() != null) {
            text.append("uid ").append(Integer.toUnsignedString(target.uid()));
        }
        if (target.gid() != null) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append("gid ").append(Integer.toUnsignedString(target.gid()))
                    .append(" groups ").append(target.groups());
        }
        return text.toString();
    }
}
