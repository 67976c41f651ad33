package org.harpd.worker;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import org.harpd.config.PythonPath;

/** Makes the worker's {@link WorkerRuntime}: by class name, with a {@code (Path, PythonPath)} constructor. */
@FunctionalInterface
public interface RuntimeFactory {
    WorkerRuntime create(WorkerArguments arguments) throws Exception;

    static RuntimeFactory byClassName(String className) {
        return arguments -> {
            Class<?> type = Class.forName(className);
            if (!WorkerRuntime.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(className + " is not a " + WorkerRuntime.class.getName());
            }
            try {
                return (WorkerRuntime) type.getConstructor(Path.class, PythonPath.class)
                        .newInstance(arguments.procedures(), arguments.pythonPath());
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        };
    }
}
