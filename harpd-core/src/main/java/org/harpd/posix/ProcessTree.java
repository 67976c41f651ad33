package org.harpd.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes below a process, read from {@code /proc/<pid>/stat} (parent pid and state), and ending them.
 * A process group does not hold them all: a descendant may start its own session ({@code setsid}) and group.
 */
public final class ProcessTree {
    private static final Path PROC = Path.of("/proc");
    /** Between rounds of ending descendants: time for a SIGKILLed process to become a zombie. */
    private static final long ROUND_PAUSE_MS = 5;

    private ProcessTree() {
    }

    /** A process as {@code /proc/<pid>/stat} shows it: {@code state} is e.g. 'R', 'S', 'T', 'Z'. */
    public record Entry(long pid, long parent, char state) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /** All processes now, by pid; one that ends while it is being read is left out. */
    static Map<Long, Entry> snapshot() {
        Map<Long, Entry> all = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
            for (Path path : dir) {
                String name = path.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                Entry entry = read(path.resolve("stat"));
                if (entry != null) {
                    all.put(entry.pid(), entry);
                }
            }
        } catch (IOException e) {
            throw new PosixException("cannot list /proc: " + e.getMessage(), 0);
        }
        return all;
    }

    /** {@code pid (comm) state ppid ...}; comm may hold spaces and parentheses, so it ends at the last ')'. */
    static Entry parse(String stat) {
        int close = stat.lastIndexOf(')');
        int open = stat.indexOf(' ');
        if (close < 0 || open < 0 || close + 4 >= stat.length()) {
            return null;
        }
        String[] rest = stat.substring(close + 2).split(" ", 3);
        if (rest.length < 2 || rest[0].length() != 1) {
            return null;
        }
        try {
            return new Entry(Long.parseLong(stat.substring(0, open)), Long.parseLong(rest[1]), rest[0].charAt(0));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Entry read(Path stat) {
        try {
            return parse(new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII));
        } catch (IOException gone) {
            return null;
        }
    }

    /** The descendants of {@code root} in {@code all}, parents before their children. */
    static List<Entry> descendants(long root, Map<Long, Entry> all) {
        Map<Long, List<Entry>> children = new HashMap<>();
        for (Entry e : all.values()) {
            children.computeIfAbsent(e.parent(), k -> new ArrayList<>()).add(e);
        }
        List<Entry> found = new ArrayList<>();
        Deque<Long> next = new ArrayDeque<>(List.of(root));
        Set<Long> seen = new LinkedHashSet<>(List.of(root));
        while (!next.isEmpty()) {
            for (Entry child : children.getOrDefault(next.poll(), List.of())) {
                if (seen.add(child.pid())) {
                    found.add(child);
                    next.add(child.pid());
                }
            }
        }
        return found;
    }

    public static List<Entry> descendants(long root) {
        return descendants(root, snapshot());
    }

    /**
     * Kill {@code root} and every process below it, none of which can escape meanwhile: each is stopped
     * (SIGSTOP) before the next look, so none forks after it was seen, then all are killed. For a caller allowed
     * to signal them all (root); zombies are left to their parents, or to init once those are gone.
     */
    public static void killTree(long root) {
        Set<Long> stopped = new LinkedHashSet<>();
        if (!signal(root, Posix.SIGSTOP)) {
            return;
        }
        stopped.add(root);
        stopDescendants(root, stopped, Integer.MAX_VALUE);
        killAll(stopped);
    }

    /** Rounds of looking for new descendants {@link #killDescendants} makes before it gives up. */
    private static final int DESCENDANT_ROUNDS = 50;

    /**
     * Kill every process below {@code root}, leaving {@code root} running: each is stopped (SIGSTOP) before the
     * next look, as in {@link #killTree}, then all are killed. {@code root} itself is not stopped and may start
     * more meanwhile; each round stops what it started since the last one.
     *
     * @return false when {@code root} still started new processes after {@value #DESCENDANT_ROUNDS} rounds (what
     *     was found is killed anyway): the caller should kill {@code root} too
     */
    public static boolean killDescendants(long root) {
        Set<Long> stopped = new LinkedHashSet<>();
        boolean done = stopDescendants(root, stopped, DESCENDANT_ROUNDS);
        killAll(stopped);
        return done;
    }

    /**
     * Stop (SIGSTOP) every live descendant of {@code root} not in {@code stopped} yet, and look again, until a
     * look finds none new or {@code rounds} looks were made.
     *
     * @return whether the last look found none new
     */
    private static boolean stopDescendants(long root, Set<Long> stopped, int rounds) {
        boolean more = true;
        int round = 0;
        while (more && round++ < rounds) {
            more = false;
            for (Entry e : descendants(root)) {
                if (!e.zombie() && stopped.add(e.pid())) {
                    signal(e.pid(), Posix.SIGSTOP);
                    more = true;
                }
            }
        }
        return !more;
    }

    private static void killAll(Set<Long> pids) {
        for (long pid : pids) {
            signal(pid, Posix.SIGKILL);
        }
    }

    /**
     * End every descendant of this process (a child subreaper, so orphans among them are its children) and reap
     * those that became its children; processes this JVM started itself are reaped by the JVM's own reaper.
     *
     * @return how many are still alive after {@code limitMs}: ones this process may not signal
     */
    public static int endDescendantsOfSelf(long limitMs) {
        if (!Posix.hasChildren()) {
            return 0;
        }
        long self = Posix.getpid();
        long deadline = System.nanoTime() + limitMs * 1_000_000;
        Set<Long> zombiesSeen = new LinkedHashSet<>();
        while (true) {
            List<Entry> below = descendants(self);
            int alive = 0;
            Set<Long> zombies = new LinkedHashSet<>();
            for (Entry e : below) {
                if (!e.zombie()) {
                    alive++;
                    signal(e.pid(), Posix.SIGKILL);
                } else if (e.parent() == self) {
                    // A child this JVM started is reaped at once by the JVM's reaper thread; one still a zombie
                    // a round later came here as an orphan, and nobody else will reap it.
                    if (zombiesSeen.contains(e.pid())) {
                        Posix.reap(e.pid());
                    }
                    zombies.add(e.pid());
                }
            }
            zombiesSeen = zombies;
            if (below.isEmpty() || (alive == 0 && zombies.isEmpty())) {
                return 0;
            }
            if (System.nanoTime() > deadline) {
                return alive;
            }
            try {
                Thread.sleep(ROUND_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return alive;
            }
        }
    }

    /**
     * How many descendants of this process are alive (not zombies); zombies among them that are its own
     * adopted orphans are reaped on the way.
     */
    public static int runningDescendantsOfSelf() {
        if (!Posix.hasChildren()) {
            return 0;
        }
        long running = descendants(Posix.getpid()).stream().filter(e -> !e.zombie()).count();
        if (running == 0) {
            endDescendantsOfSelf(ROUND_PAUSE_MS * 4); // only zombies: reaps the orphans among them
        }
        return (int) running;
    }

    /** @return false when the process is gone; a process this one may not signal counts as there */
    private static boolean signal(long pid, int signal) {
        try {
            return Posix.kill(pid, signal);
        } catch (PosixException notPermitted) {
            return true;
        }
    }
}
