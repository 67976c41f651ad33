package org.harpd.bench;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Counts the worker JVMs a listener starts, from successive lists of its children: every pid not seen before is a
 * start. A worker boots for far longer than the interval between two lists, so none slips between them.
 *
 * <p>A new child is classified by its command line once it has one of its own: right after the fork it may still
 * show the JDK's spawn helper or, while the exec is under way, the listener's own command line. The worker that
 * dumps the class-data archive is not counted: it serves no call.
 */
public final class StartCounter {
    static final String ARCHIVE_DUMP_OPTION = "-XX:ArchiveClassesAtExit=";

    private final String listenerCommandLine;
    private final Set<Long> seen;
    private final Set<Long> pending = new LinkedHashSet<>();
    private int starts;

    /** @param present the listener's children when counting begins: none of them is a start */
    public StartCounter(Collection<Long> present, String listenerCommandLine) {
        this.seen = new HashSet<>(present);
        this.listenerCommandLine = listenerCommandLine;
    }

    /** Takes one list of the listener's children; {@code commandLine} reads a pid's, "" when it has gone. */
    public void observe(Collection<Long> children, LongFunction<String> commandLine) {
        for (long pid : children) {
            if (seen.add(pid)) {
                pending.add(pid);
            }
        }
        pending.removeIf(pid -> classify(commandLine.apply(pid), false));
    }

    /** The starts counted, once the last list has been taken: a child still unclassified counts as a start. */
    public int finish(LongFunction<String> commandLine) {
        pending.removeIf(pid -> classify(commandLine.apply(pid), true));
        return starts;
    }

    /** True when the child is classified (and counted if it is a worker), false to look again later. */
    private boolean classify(String commandLine, boolean last) {
        boolean undecided = commandLine.isEmpty() || commandLine.contains("jspawnhelper")
                || commandLine.equals(listenerCommandLine);
        if (undecided && !last) {
            return false;
        }
        if (!commandLine.contains(ARCHIVE_DUMP_OPTION)) {
            starts++;
        }
        return true;
    }
}
