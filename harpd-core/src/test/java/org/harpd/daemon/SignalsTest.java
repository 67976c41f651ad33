package org.harpd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.constants.platform.Signal;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void stopSignalsShutDownAndUsr1ReopensLogs() throws Exception {
        CountDownLatch shutdown = new CountDownLatch(1);
        CountDownLatch reopen = new CountDownLatch(1);
        Signals signals = Signals.install(shutdown::countDown, reopen::countDown);
        try {
            assertEquals(Map.of("TERM", Signals.Action.SHUTDOWN, "INT", Signals.Action.SHUTDOWN,
                    "HUP", Signals.Action.SHUTDOWN, "USR1", Signals.Action.REOPEN_LOGS), signals.installed());
            // HotSpot keeps SIGQUIT for thread dumps; the table reports it instead of pretending.
            assertEquals(Set.of("QUIT"), signals.unavailable().keySet());

            int pid = (int) ProcessHandle.current().pid();
            POSIXFactory.getNativePOSIX().kill(pid, Signal.SIGUSR1.intValue());
            assertTrue(reopen.await(30, TimeUnit.SECONDS), "USR1 reached the reopen action");
            POSIXFactory.getNativePOSIX().kill(pid, Signal.SIGHUP.intValue());
            assertTrue(shutdown.await(30, TimeUnit.SECONDS), "HUP reached the shutdown action");
        } finally {
            signals.restore();
        }
    }
}
