package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import org.harpd.logging.PythonLogBridge;
import org.harpd.posix.IdentitySwitch;
import org.harpd.posix.IdentitySwitchException;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;

/**
 * The worker process: boots a {@link WorkerRuntime}, then serves one call, as {@link WorkerProtocol} describes.
 * The runtime class is {@value #RUNTIME_PROPERTY} if set (tests use a pure-Java runtime), else the
 * default the caller passes (harpd-jython's {@code WorkerMain} passes the Jython runtime).
 */
public final class WorkerProcessMain {
    public static final String RUNTIME_PROPERTY = "harpd.worker.runtime";
    public static final String JYTHON_RUNTIME = "org.harpd.jython.JythonWorkerRuntime";

    /** Exit status of a worker whose runtime could not be loaded. */
    public static final int EXIT_FATAL = 1;

    private ProtocolPipes pipes;

    private WorkerProcessMain() {
    }

    public static void main(String[] args) {
        run(args, JYTHON_RUNTIME);
    }

    /** Never returns: the worker ends with {@link Runtime#halt}, so no user-registered hook can delay it. */
    public static void run(String[] args, String defaultRuntimeClass) {
        String runtimeClass = System.getProperty(RUNTIME_PROPERTY, defaultRuntimeClass);
        new WorkerProcessMain().serve(args, RuntimeFactory.byClassName(runtimeClass));
    }

    private void serve(String[] args, RuntimeFactory factory) {
        WorkerRuntime runtime;
        int pid;
        try {
            pid = Posix.getpid();
            detachFromListenerGroup();
            Posix.setParentDeathSignal(Posix.SIGKILL);
            pipes = ProtocolPipes.takeOverStdio();
            // The listener loaded the same procedures file and logged what it logs while loading; every
            // worker doing it again would repeat those records once per call.
            PythonLogBridge.routeTo((name, levelno, message, created, process) -> { });
        } catch (Throwable t) {
            // The pipes are still on fds 0/1: report there.
            byte[] line = WorkerProtocol.fatal("worker setup failed: " + describe(t));
            System.out.write(line, 0, line.length);
            System.out.flush();
            Runtime.getRuntime().halt(EXIT_FATAL);
            return;
        }
        try {
            runtime = factory.create(WorkerArguments.parse(args));
            runtime.load();
            openClassPathJars();
        } catch (Throwable t) {
            pipes.write(WorkerProtocol.fatal(describe(t)));
            exit(EXIT_FATAL);
            return;
        }
        routePythonLogsToListener(pipes);
        pipes.write(WorkerProtocol.ready(pid));

        byte[] command = pipes.readLine();
        if (command == null) {
            exit(0);
        }
        Thread watcher = new Thread(() -> {
            pipes.drainUntilEof();
            exit(0); // the listener is gone: nobody is left to answer to
        }, "harpd-listener-watch");
        watcher.setDaemon(true);
        watcher.start();

        WireEmitter out = new WireEmitter(pipes);
        try {
            WorkerProtocol.CallCommand call = WorkerProtocol.parseCall(Json.MAPPER.readTree(command));
            IdentitySwitch.switchTo(call.identity());
            Posix.setParentDeathSignal(Posix.SIGKILL); // the kernel clears it on a credential change
            runtime.call(call.procedure(), call.arguments(), out);
            if (!out.finished()) {
                out.error(new HarpError(ErrorType.SYSTEM_ERROR, "procedure ended without a result"));
            }
        } catch (IdentitySwitchException e) {
            out.error(new HarpError(ErrorType.SYSTEM_ERROR, e.getMessage()));
        } catch (Throwable t) {
            out.error(new HarpError(ErrorType.SYSTEM_ERROR, "worker failed: " + describe(t)));
        }
        exit(0);
    }

    /**
     * Python log records made here from now on (by the procedure, also after the switch to the call's user)
     * go to the listener, which owns the configured handlers; see {@link WorkerProtocol}.
     */
    private static void routePythonLogsToListener(ProtocolPipes pipes) {
        PythonLogBridge.routeTo((name, levelno, message, created, process) ->
                pipes.write(WorkerProtocol.log(name, levelno, message, created, process)));
    }

    /**
     * Lead a new process group, so the listener can kill this worker with everything it started.
     * EPERM means this process already leads a group (started by hand from a shell): fine as it is.
     */
    private static void detachFromListenerGroup() {
        try {
            Posix.setsid();
        } catch (PosixException e) {
            if (e.errno() != jnr.constants.platform.Errno.EPERM.intValue()) {
                throw e;
            }
        }
    }

    /**
     * Open every jar of the class path while still privileged: after the switch to the call's user, the class
     * loader may be unable to open them, while jars already open stay readable.
     */
    private static void openClassPathJars() throws IOException {
        Enumeration<URL> manifests = ClassLoader.getSystemResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                in.readAllBytes();
            }
        }
    }

    private void exit(int status) {
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.toString() : message;
    }
}
