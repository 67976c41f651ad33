package org.harpd.daemon;

import java.nio.file.Files;
import java.nio.file.Paths;
import jnr.posix.POSIXFactory;

/**
 * A stand-in daemon for {@link DetacherTest}: {@code ok FILE} detaches, starts a grandchild that inherits
 * stderr (as worker processes do), records "pid sid grandchild-pid" in FILE and confirms; {@code fail} complains on stderr and exits 1 without confirming.
 */
public final class DetachTestMain {
    public static void main(String[] args) throws Exception {
        if (!args[args.length - 1].equals(Detacher.CHILD_OPTION)) {
            System.err.println("missing " + Detacher.CHILD_OPTION);
            System.exit(2);
        }
        Detacher.detachChild();
        if (args[0].equals("ok")) {
            System.err.println("starting up");
            long pid = ProcessHandle.current().pid();
            int sid = POSIXFactory.getNativePOSIX().getpgid((int) pid);
            Process grandchild = new ProcessBuilder("sleep", "60").redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Files.writeString(Paths.get(args[1]), pid + " " + sid + " " + grandchild.pid());
            Detacher.confirmReady();
            System.err.println("after ready: must not reach the parent");
            System.out.println("after ready: must not reach the parent");
            System.exit(0);
        }
        System.err.println("harpd: /etc/harpd/harpd.conf: network: missing");
        System.exit(1);
    }
}
