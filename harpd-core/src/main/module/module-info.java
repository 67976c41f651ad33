/**
 * The listener and the worker process. In a worker JVM this is a named module on the module path, so that code
 * running in a call (Python, and Java it reaches through Jython, all in the unnamed module) can use only what is
 * exported to everyone, public members only, and cannot reflect into anything: no package is opened. Procedures
 * use {@code org.harpd.posix} and {@code org.harpd.logging} through harpd's Python modules; the rest is for harpd's
 * Jython module alone. Libraries come from the class path ({@code --add-reads org.harpd.core=ALL-UNNAMED}).
 */
module org.harpd.core {
    requires transitive org.harpd.client;
    requires java.management;
    requires jdk.unsupported;

    exports org.harpd.posix;
    exports org.harpd.logging;
    exports org.harpd.metrics to org.harpd.jython;
    exports org.harpd.auth to org.harpd.jython;
    exports org.harpd.cli to org.harpd.jython;
    exports org.harpd.config to org.harpd.jython;
    exports org.harpd.daemon to org.harpd.jython;
    exports org.harpd.pool to org.harpd.jython;
    exports org.harpd.procedure to org.harpd.jython;
    exports org.harpd.server to org.harpd.jython;
    exports org.harpd.tls to org.harpd.jython;
    exports org.harpd.worker to org.harpd.jython;
    exports org.harpd.workerprotocol to org.harpd.jython;
}
