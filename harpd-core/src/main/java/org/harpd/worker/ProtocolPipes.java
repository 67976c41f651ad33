package org.harpd.worker;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import org.harpd.posix.ProcessTree;
import org.harpd.protocol.LineReader;

/**
 * The worker's end of the protocol pipes, moved off fds 0 and 1. This object writes; the command pipe is read
 * through a {@link LineReader} that {@link #commandReader} makes for the one thread that reads commands and that
 * nothing else holds, since commands carry call ids (see "Call ids" in
 * {@link org.harpd.workerprotocol.WorkerProtocol}). Procedures (and programs they run) still
 * see a normal stdin and stdout — {@code /dev/null} and stderr — so nothing they read or print can touch the
 * protocol. The protocol fds are close-on-exec: subprocesses never inherit them, which also keeps end of file
 * on the command pipe meaning "the listener is gone".
 */
final class ProtocolPipes {
    /** Exit status of a worker that lost its listener. */
    static final int EXIT_LISTENER_GONE = 2;

    private final int commandFd;
    private final int replyFd;
    private boolean readerMade;

    private ProtocolPipes(int commandFd, int replyFd) {
        this.commandFd = commandFd;
        this.replyFd = replyFd;
    }

    /** The command pipe's reader, made once. */
    synchronized LineReader commandReader() {
        if (readerMade) {
            throw new IllegalStateException("the command pipe has its reader");
        }
        readerMade = true;
        int fd = commandFd;
        // No limit: the listener is trusted, and a call it sends is bounded by the request line it accepted.
        return new LineReader(buffer -> {
            int n = Posix.read(fd, buffer, buffer.length);
            return n == 0 ? -1 : n;
        }, LineReader.UNBOUNDED, 64 * 1024);
    }

    /** Take the pipes from fds 0 and 1, then point fd 0 at /dev/null and fd 1 (and System.out) at stderr. */
    static ProtocolPipes takeOverStdio() {
        System.out.flush();
        int command = Posix.dup(0);
        int reply = Posix.dup(1);
        Posix.setCloseOnExec(command);
        Posix.setCloseOnExec(reply);
        int devNull = Posix.openDevNull();
        Posix.dup2(devNull, 0);
        Posix.close(devNull);
        Posix.dup2(2, 1);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        return new ProtocolPipes(command, reply);
    }

    /**
     * One line of {@code commands} without its newline, or null at end of file (an unterminated last line is no
     * command).
     */
    static byte[] readLine(LineReader commands) {
        try {
            byte[] line = commands.next();
            return line == null ? null : Arrays.copyOf(line, line.length - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from Posix.read, which throws PosixException; nor a limit
        }
    }

    /** Whole lines go out in one write, so concurrent writers never interleave within a line. */
    synchronized void write(byte[] line) {
        try {
            Posix.writeFully(replyFd, line, 0, line.length);
        } catch (PosixException e) {
            // EPIPE: the listener is gone, and with it anyone to answer to.
            ProcessTree.endDescendantsOfSelf(1_000);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_LISTENER_GONE);
        }
    }
}
