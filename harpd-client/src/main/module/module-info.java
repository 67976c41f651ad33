/**
 * The wire protocol and the Java clients. Named so that a harpd worker can run it as a module that opens nothing
 * to the procedures' code (see harpd-core's descriptor); on a class path, as in the listener and in clients'
 * programs, this descriptor is ignored. Jackson comes from the class path ({@code --add-reads ...=ALL-UNNAMED}).
 */
module org.harpd.client {
    exports org.harpd.client;
    exports org.harpd.protocol;
}
