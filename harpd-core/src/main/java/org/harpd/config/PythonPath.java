package org.harpd.config;

import java.util.List;

/** {@code python.path} of harpd.conf: entries put before and after the interpreter's own sys.path. */
public record PythonPath(List<String> prepend, List<String> append) {
    public static final PythonPath NONE = new PythonPath(List.of(), List.of());

    public PythonPath {
        prepend = List.copyOf(prepend);
        append = List.copyOf(append);
    }
}
