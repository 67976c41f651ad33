package org.harpd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.Appender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuietConfiguratorTest {
    @Test
    void autoConfigurationInstallsHarpdDefaultsInsteadOfAStrayLogbackXml() throws Exception {
        LoggerContext context = new LoggerContext();
        new ContextInitializer(context).autoConfig();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(appenders::add);
        assertEquals(Level.INFO, root.getLevel());
        assertEquals(1, appenders.size());
        assertTrue(appenders.get(0) instanceof StreamHandler, appenders.get(0).getClass().getName());
        context.stop();
    }
}
