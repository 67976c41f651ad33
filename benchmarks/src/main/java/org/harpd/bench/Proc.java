package org.harpd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** Linux {@code /proc} readings of the daemon's processes. A process that has gone reads as empty. */
public final class Proc {
    /**
     * USER_HZ, the unit of the CPU and start times in /proc/<pid>/stat, as {@code getconf CLK_TCK} reports it:
     * also the resolution of every CPU figure the benchmark prints.
     */
    public static final long TICKS_PER_SECOND = clockTicks();

    private Proc() {
    }

    /**
     * What the benchmark reads of /proc/<pid>/stat, times in ticks.
     *
     * @param ppid        parent process id
     * @param cpuTicks    user + system time of the process (all its threads)
     * @param reapedTicks user + system time of its children that it has waited for (cutime + cstime)
     * @param startTicks  when it started, since boot
     */
    public record Stat(char state, long ppid, long cpuTicks, long reapedTicks, long startTicks) {
        public double cpuSeconds() {
            return (double) cpuTicks / TICKS_PER_SECOND;
        }

        public double startSeconds() {
            return (double) startTicks / TICKS_PER_SECOND;
        }
    }

    /** Parses a /proc/<pid>/stat line; the command name in parentheses may itself hold spaces or parentheses. */
    static Stat parseStat(String line) {
        // fields after the command (numbered as in proc(5)): 3 state, 4 ppid, ..., 14 utime, 15 stime,
        // 16 cutime, 17 cstime, ..., 22 starttime
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        return new Stat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]),
                Long.parseLong(f[13]) + Long.parseLong(f[14]), Long.parseLong(f[19]));
    }

    public static Stat stat(long pid) {
        String line = read(Path.of("/proc", Long.toString(pid), "stat"));
        return line == null ? null : parseStat(line);
    }

    /** Resident set size in kB, from VmRSS in /proc/<pid>/status. */
    public static OptionalLong rssKb(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        return status == null ? OptionalLong.empty() : field(status, "VmRSS:");
    }

    /**
     * Proportional set size in kB, from /proc/<pid>/smaps_rollup: shared pages (the JDK's libraries, the workers'
     * class-data archive) are divided among the processes mapping them, so the PSS of a set of processes adds up
     * to what they hold together, which their RSS overstates.
     */
    public static OptionalLong pssKb(long pid) {
        String rollup = read(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
        return rollup == null ? OptionalLong.empty() : field(rollup, "Pss:");
    }

    /** The kB value of the line starting with {@code name} in a /proc file of "Name:   1234 kB" lines. */
    static OptionalLong field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                return OptionalLong.of(Long.parseLong(line.substring(name.length()).replaceAll("[^0-9]", "")));
            }
        }
        return OptionalLong.empty();
    }

    /** Seconds since boot, the clock process start times are given in. */
    public static double uptimeSeconds() {
        String uptime = read(Path.of("/proc/uptime"));
        return Double.parseDouble(uptime.trim().split(" ")[0]);
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
    public static String loadAverage() {
        String load = read(Path.of("/proc/loadavg"));
        return load == null ? "unknown" : String.join(" ", List.of(load.split(" ")).subList(0, 3));
    }

    /** Worker processes: the listener's children that have not exited (a zombie is awaiting its reaping). */
    public static List<Long> workers(long listenerPid) {
        return children(listenerPid).stream().filter(pid -> {
            Stat stat = stat(pid);
            return stat != null && stat.state() != 'Z';
        }).toList();
    }

    /**
     * The direct children of a process, sorted, from /proc/<pid>/task/<tid>/children: a few small files, where
     * {@link ProcessHandle#children()} reads the stat file of every process on the machine, too much to do at
     * every poll of a phase beside the load. Falls back to that when the kernel lacks the children files.
     */
    public static List<Long> children(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        TreeSet<Long> children = new TreeSet<>();
        boolean found = false;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                String list = read(thread.resolve("children"));
                if (list != null) {
                    found = true;
                    children.addAll(parseChildren(list));
                }
            }
        } catch (IOException e) {
            return List.of(); // the process has gone
        }
        if (!found) {
            return ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children).map(ProcessHandle::pid)
                    .sorted().toList();
        }
        return new ArrayList<>(children);
    }

    /** The pids of a /proc/<pid>/task/<tid>/children file: "123 456 " (space-separated, maybe empty). */
    static List<Long> parseChildren(String text) {
        List<Long> pids = new ArrayList<>();
        for (String pid : text.trim().split("\\s+")) {
            if (!pid.isEmpty()) {
                pids.add(Long.parseLong(pid));
            }
        }
        return pids;
    }

    /** The command line of a process, arguments separated by spaces; empty when it has gone. */
    public static String commandLine(long pid) {
        String line = read(Path.of("/proc", Long.toString(pid), "cmdline"));
        return line == null ? "" : line.replace('\0', ' ').trim();
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // no getconf: fall through to the value of every Linux ABI in use
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return null;
        }
    }
}
