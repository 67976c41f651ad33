package org.harpd.cds;

import java.io.IOException;

/** Stands in for a worker: says ready, then exits when its command pipe closes. */
public final class ReadyThenWaitMain {
    private ReadyThenWaitMain() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("{\"ready\": {\"pid\": " + ProcessHandle.current().pid() + "}}");
        System.out.flush();
        System.in.readAllBytes();
    }
}
