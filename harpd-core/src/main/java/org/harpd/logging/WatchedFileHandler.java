package org.harpd.logging;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code logging.handlers.WatchedFileHandler}: before each write, one stat of the path; when the file was
 * moved or deleted (device or inode differ from the one we hold), it is reopened, as after logrotate.
 */
public final class WatchedFileHandler extends FileHandler {
    private Object device;
    private Object inode;

    public WatchedFileHandler(Path path, boolean truncate, Charset charset, boolean delay) throws IOException {
        super(path, truncate, charset, delay);
    }

    @Override
    protected void opened() throws IOException {
        Map<String, Object> id = identity();
        device = id == null ? null : id.get("dev");
        inode = id == null ? null : id.get("ino");
    }

    @Override
    protected void beforeWrite(int bytes) throws IOException {
        Map<String, Object> id = identity();
        if (id == null || !id.get("dev").equals(device) || !id.get("ino").equals(inode)) {
            open();
        }
    }

    private Map<String, Object> identity() throws IOException {
        try {
            return Files.readAttributes(path, "unix:dev,ino");
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
