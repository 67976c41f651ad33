package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python harpd's own modules that procedures files import. */
class CompatModulesTest {
    @TempDir
    Path dir;

    @Test
    void daemonOffersRequestHandlerWithItsExceptions() {
        assertEquals("True", Python.eval("""
                from harpd.daemon import RequestHandler
                import harpd._timeout
                e = RequestHandler.RequestError("timeout", "too slow", {"after": 5})
                ok = (RequestHandler.Timeout is harpd._timeout.Timeout
                      and issubclass(RequestHandler.Timeout, Exception)
                      and isinstance(e, Exception) and type(e).__name__ == "RequestError"
                      and (e.type, e.message, e.data) == ("timeout", "too slow", {"after": 5})
                      and e.struct() == {"type": "timeout", "message": "too slow", "data": {"after": 5}}
                      and RequestHandler.RequestError("t", "m").struct() == {"type": "t", "message": "m"})
                """, "ok").toString());
    }

    @Test
    void logWritesMessageFirstThenSortedContext() {
        assertEquals("{\"message\": \"done\", \"a\": [1, 2], \"z\": \"x\"}",
                Python.eval("import harpd.log", "harpd.log.format_message('done', z='x', a=[1, 2])").toString());
        assertEquals("{\"message\": \"done\"}", Python.eval("import harpd.log", "harpd.log.format_message('done')")
                .toString());
    }

    @Test
    void moduleLoaderLoadsFromAFileOrFromThePath() throws Exception {
        Path config = dir.resolve("settings.conf");
        Files.writeString(config, "value = 6 * 7\n", StandardCharsets.UTF_8);
        assertEquals("(42, 'harpd.__config__', True)", Python.eval("""
                from harpd.module import ModuleLoader
                import os
                with ModuleLoader() as loader:
                    config = loader.load("harpd.__config__", "%s")
                    path = loader.load("os.path")
                """.formatted(config), "repr((config.value, config.__name__, path is os.path))").toString());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing is written beside the loaded file");
        }
    }
}
