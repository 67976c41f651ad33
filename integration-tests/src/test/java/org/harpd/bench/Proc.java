package org.harpd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** Linux {@code /proc} readings of the daemon's processes. A process that has gone reads as empty. */
public final class Proc {
    /** USER_HZ: the unit of the CPU and start times in /proc/<pid>/stat; 100 on every Linux ABI in use. */
    public static final double TICKS_PER_SECOND = 100;

    private Proc() {
    }

    /** CPU time used (user + system) and start time of a process, in ticks. */
    public record Stat(long cpuTicks, long startTicks) {
        public double cpuSeconds() {
            return cpuTicks / TICKS_PER_SECOND;
        }

        public double startSeconds() {
            return startTicks / TICKS_PER_SECOND;
        }
    }

    /** Parses a /proc/<pid>/stat line; the command name in parentheses may itself hold spaces or parentheses. */
    static Stat parseStat(String line) {
        // fields after the command: 3 state, ..., 14 utime, 15 stime, ..., 22 starttime
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        return new Stat(Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19]));
    }

    public static Stat stat(long pid) {
        String line = read(Path.of("/proc", Long.toString(pid), "stat"));
        return line == null ? null : parseStat(line);
    }

    /** Resident set size in kB, from VmRSS in /proc/<pid>/status. */
    public static OptionalLong rssKb(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status != null) {
            for (String line : status.split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
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

    /** Worker processes: the listener's descendants that are alive. */
    public static List<Long> workers(long listenerPid) {
        return ProcessHandle.of(listenerPid).stream().flatMap(ProcessHandle::descendants)
                .filter(ProcessHandle::isAlive).map(ProcessHandle::pid).sorted().toList();
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return null;
        }
    }
}
