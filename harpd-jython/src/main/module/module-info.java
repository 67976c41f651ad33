/**
 * Python under Jython and the two mains. In a worker JVM a named module (see harpd-core's descriptor): procedures'
 * Python code calls the public members of {@code org.harpd.jython} (harpd's Python modules use {@code LinuxCalls}
 * and {@code CallSignals}) and reaches nothing else; the interpreter snapshot and the runtime stay out of
 * reflection's reach. Jython comes from the class path ({@code --add-reads org.harpd.jython=ALL-UNNAMED}).
 */
module org.harpd.jython {
    requires org.harpd.core;

    exports org.harpd.jython;
}
