package org.harpd.worker;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;
import org.harpd.posix.ProcessTree;

/**
 * The worker's end of the protocol pipes, moved off fds 0 and 1. Procedures (and programs they run) still
 * see a normal stdin and stdout — {@code /dev/null} and stderr — so nothing they read or print can touch the
 * protocol. The protocol fds are close-on-exec: subprocesses never inherit them, which also keeps end of file
 * on the command pipe meaning "the listener is gone".
 */
final class ProtocolPipes {
    /** Exit status of a worker that lost its listener. */
    static final int EXIT_LISTENER_GONE = 2;

    private final int commandFd;
    private final int replyFd;
    private final byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private boolean eof;

    private ProtocolPipes(int commandFd, int replyFd) {
        this.commandFd = commandFd;
        this.replyFd = replyFd;
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

    /** One line without its newline, or null at end of file. Only one thread reads. */
    byte[] readLine() {
        ByteArrayOutputStream line = null;
        while (true) {
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n') {
                    byte[] tail = Arrays.copyOfRange(buffer, start, i);
                    start = i + 1;
                    if (line == null) {
                        return tail;
                    }
                    line.writeBytes(tail);
                    return line.toByteArray();
                }
            }
            if (line == null) {
                line = new ByteArrayOutputStream();
            }
            line.write(buffer, start, end - start);
            start = 0;
            end = 0;
            if (eof || !fill()) {
                return null; // an unterminated last line is no command
            }
        }
    }

    private boolean fill() {
        int n = Posix.read(commandFd, buffer, buffer.length);
        if (n == 0) {
            eof = true;
            return false;
        }
        start = 0;
        end = n;
        return true;
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
