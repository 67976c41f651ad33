package org.harpd.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Found by Logback through ServiceLoader before it looks for logback.xml: installs harpd's default
 * (INFO, {@code %(message)s} to stderr) so neither a stray logback.xml on the class path nor Logback's own
 * DEBUG console default shows up before {@link LoggingSetup} runs.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
public final class QuietConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LoggingSetup.quietDefaults(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
