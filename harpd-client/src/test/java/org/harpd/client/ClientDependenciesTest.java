package org.harpd.client;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * A program that depends on harpd-client gets no logging binding and nothing of the daemon: this module's test
 * class path is exactly what such a program inherits.
 */
class ClientDependenciesTest {
    private static void absent(String className) {
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName(className, false, ClientDependenciesTest.class.getClassLoader()),
                className + " must not come with harpd-client");
    }

    @Test
    void noLogbackAndNoDaemonLoggingConfigurator() {
        absent("ch.qos.logback.classic.Logger");
        absent("org.slf4j.Logger");
        absent("org.harpd.logging.QuietConfigurator");
    }

    @Test
    void noNettyAndNoDaemon() {
        absent("io.netty.channel.Channel");
        absent("org.harpd.server.HarpServer");
        absent("org.harpd.pool.WorkerPool");
    }
}
