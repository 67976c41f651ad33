package org.harpd.logging;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * {@code logging.FileHandler}: appends (mode "a") or truncates once at start (mode "w"); the file is
 * opened with O_APPEND so lines from a reopen or another writer never overwrite each other.
 */
public class FileHandler extends PythonHandler implements PythonHandler.Reopenable {
    protected final Path path;
    private final Charset charset;
    private FileOutputStream out;

    /** Opens the file at once (unless delayed), so a bad path fails at configuration time. */
    public FileHandler(Path path, boolean truncate, Charset charset, boolean delay) throws IOException {
        this.path = path.toAbsolutePath();
        this.charset = charset;
        if (!delay || truncate) {
            out = new FileOutputStream(this.path.toFile(), !truncate);
            opened();
        }
    }

    @Override
    protected synchronized void emit(PythonLogRecord record, String formatted) throws IOException {
        byte[] line = (formatted + "\n").getBytes(charset);
        beforeWrite(line.length);
        if (out == null) {
            open();
        }
        out.write(line);
        out.flush();
    }

    /** Hook for watching and rotating subclasses; called before each write with the line's size. */
    protected void beforeWrite(int bytes) throws IOException {
    }

    /** Hook called after the file was (re)opened. */
    protected void opened() throws IOException {
    }

    protected final synchronized void open() throws IOException {
        closeStream();
        out = new FileOutputStream(path.toFile(), true);
        opened();
    }

    protected final synchronized long size() throws IOException {
        if (out == null) {
            // delayed open: the file may already hold earlier runs' lines
            return java.nio.file.Files.exists(path) ? java.nio.file.Files.size(path) : 0;
        }
        return out.getChannel().size();
    }

    @Override
    public synchronized void reopen() throws IOException {
        open();
    }

    protected final synchronized void closeStream() throws IOException {
        if (out != null) {
            FileOutputStream old = out;
            out = null;
            old.close();
        }
    }

    @Override
    protected void close() throws IOException {
        closeStream();
    }
}
