package org.harpd.logging;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code logging.handlers.RotatingFileHandler} as in Python 2.7: when the next line would bring the file to
 * maxBytes or beyond, file.N-1 becomes file.N ... file becomes file.1 and a fresh file is started.
 * maxBytes 0 never rotates; backupCount 0 never renames (so the file keeps growing, as in Python).
 */
public final class RotatingFileHandler extends FileHandler {
    private final long maxBytes;
    private final int backupCount;

    public RotatingFileHandler(Path path, boolean truncate, Charset charset, boolean delay, long maxBytes,
                               int backupCount) throws IOException {
        // Python forces append mode when rotation is on.
        super(path, truncate && maxBytes <= 0, charset, delay);
        this.maxBytes = maxBytes;
        this.backupCount = backupCount;
    }

    @Override
    protected void beforeWrite(int bytes) throws IOException {
        if (maxBytes > 0 && size() + bytes >= maxBytes) {
            rollOver();
        }
    }

    private void rollOver() throws IOException {
        closeStream();
        if (backupCount > 0) {
            for (int i = backupCount - 1; i > 0; i--) {
                Path source = backup(i);
                if (Files.exists(source)) {
                    Files.move(source, backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (Files.exists(path)) {
                Files.move(path, backup(1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        open();
    }

    private Path backup(int index) {
        return path.resolveSibling(path.getFileName() + "." + index);
    }
}
