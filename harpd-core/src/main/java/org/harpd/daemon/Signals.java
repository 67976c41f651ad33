package org.harpd.daemon;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.harpd.posix.Posix;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The daemon's signal table: TERM, INT, HUP and QUIT stop it (as the Python harpd), USR1 reopens the logs
 * (after logrotate).
 *
 * <p>JVM limits, verified on JDK 17: HotSpot keeps SIGQUIT for itself (thread dumps) and refuses a Java
 * handler for it with or without {@code -Xrs}; and {@code -Xrs} makes it refuse TERM, INT and HUP as well,
 * so the daemon must not run with {@code -Xrs}. QUIT is therefore reported in {@link #unavailable()}: a
 * SIGQUIT prints a thread dump instead of stopping the daemon.
 *
 * <p>A signal ignored when the process started (HUP under {@code nohup}, INT and QUIT for a command started
 * with {@code &} by a script) is one HotSpot leaves ignored: it accepts the Java handler without installing
 * it. The Python harpd installed its handlers whatever the inherited disposition, so the table's signals are
 * put back to their default disposition first.
 */
public final class Signals {
    /** What a signal does. */
    public enum Action { SHUTDOWN, REOPEN_LOGS }

    /** The table: signal name (without SIG) to action. */
    public static final Map<String, Action> TABLE = tableOf();

    private final Map<String, Action> installed;
    private final Map<String, String> unavailable;
    private final Map<String, SignalHandler> previous;

    private Signals(Map<String, Action> installed, Map<String, String> unavailable,
                    Map<String, SignalHandler> previous) {
        this.installed = Map.copyOf(installed);
        this.unavailable = Map.copyOf(unavailable);
        this.previous = Map.copyOf(previous);
    }

    private static Map<String, Action> tableOf() {
        Map<String, Action> table = new LinkedHashMap<>();
        table.put("TERM", Action.SHUTDOWN);
        table.put("INT", Action.SHUTDOWN);
        table.put("HUP", Action.SHUTDOWN);
        table.put("QUIT", Action.SHUTDOWN);
        table.put("USR1", Action.REOPEN_LOGS);
        return java.util.Collections.unmodifiableMap(table);
    }

    /**
     * Installs the table. {@code shutdown} runs once, however many stop signals arrive; {@code reopenLogs}
     * runs on every USR1. Both run on a thread the JVM starts for the signal.
     */
    public static Signals install(Runnable shutdown, Runnable reopenLogs) {
        AtomicBoolean stopping = new AtomicBoolean();
        Map<String, Action> installed = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        Map<String, SignalHandler> previous = new LinkedHashMap<>();
        for (Map.Entry<String, Action> entry : TABLE.entrySet()) {
            Runnable action = entry.getValue() == Action.REOPEN_LOGS ? reopenLogs : () -> {
                if (stopping.compareAndSet(false, true)) {
                    shutdown.run();
                }
            };
            try {
                Signal signal = new Signal(entry.getKey());
                if (!"QUIT".equals(entry.getKey())) {
                    Posix.stopIgnoringSignal(signal.getNumber());
                }
                previous.put(entry.getKey(), Signal.handle(signal, received -> action.run()));
                installed.put(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                unavailable.put(entry.getKey(), e.getMessage());
            }
        }
        return new Signals(installed, unavailable, previous);
    }

    /** Signals whose handler is in place. */
    public Map<String, Action> installed() {
        return installed;
    }

    /** Signals the JVM would not hand over, with its reason (SIGQUIT on HotSpot). */
    public Map<String, String> unavailable() {
        return unavailable;
    }

    /** Puts back the handlers that were there before {@link #install} (the JVM's, for TERM INT HUP). */
    public void restore() {
        previous.forEach((name, handler) -> Signal.handle(new Signal(name), handler));
    }
}
