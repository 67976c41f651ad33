package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** harpd.proc as harpd(8) documents it, and the standard library procedures rely on. */
class ProceduresIT {
    static Daemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = Daemon.builder().procedures("""
                import harpd.proc
                from harpd.proc import procedure, streaming_procedure, Procedure, StreamingProcedure, Result
                import os, pwd, grp, time, json, re, subprocess, logging

                counter = [0]

                @procedure
                def bump():
                    counter[0] += 1
                    return counter[0]

                @procedure(timeout=30)
                def with_options(x, y=10, *rest, **named):
                    return {"x": x, "y": y, "rest": list(rest), "named": named}

                class Doubler(Procedure):
                    def __call__(self, n):
                        return n * 2

                doubler = Doubler(None)

                class Counter(StreamingProcedure):
                    def __call__(self, n):
                        for i in range(n):
                            yield i
                        yield Result("counted")

                count = Counter(None)

                @procedure
                def stdlib():
                    out = subprocess.check_output(["echo", "hi"]).strip()
                    return {
                        "echo": out,
                        "pid": os.getpid() > 1,
                        "user": pwd.getpwuid(os.getuid()).pw_name,
                        "group": grp.getgrgid(os.getgid()).gr_name,
                        "json": json.loads(json.dumps({"a": [1, 2]})),
                        "re": re.match(r"(\\d+)-(\\d+)", "12-34").groups(),
                        "time": time.time() > 0,
                        "env": os.environ.get("PATH") is not None,
                    }

                @procedure
                def noisy():
                    print "this goes to stdout"
                    subprocess.call("echo from a child; echo to stderr >&2", shell=True)
                    logging.getLogger("procs").info("logged from a procedure")
                    return "still fine"

                @procedure
                def types():
                    return [1, 2 ** 80, 1.5, True, None, "bytes", u"unicode", (1, 2), {"k": [{}]}]

                plain_function_not_exposed = lambda: 1
                """).start();
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    private static JsonNode result(String procedure, String args) throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request(procedure, args));
        JsonNode last = Wire.parse(lines.get(lines.size() - 1));
        assertTrue(last.has("result"), lines.toString());
        return last.get("result");
    }

    @Test
    void moduleStateIsAsLoadedForEveryCall() throws Exception {
        assertEquals(1, result("bump", "[]").asInt());
        assertEquals(1, result("bump", "[]").asInt());
    }

    @Test
    void defaultsVarargsAndKeywords() throws Exception {
        assertEquals("{\"named\":{},\"rest\":[3,4],\"x\":1,\"y\":2}", result("with_options", "[1, 2, 3, 4]").toString());
        assertEquals("{\"named\":{\"z\":5},\"rest\":[],\"x\":1,\"y\":10}", result("with_options", "{\"x\": 1, \"z\": 5}").toString());
    }

    @Test
    void subclassesAreExposed() throws Exception {
        assertEquals(42, result("doubler", "[21]").asInt());
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("count", "[2]"));
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": true}", "{\"stream\": 0}", "{\"stream\": 1}",
                "{\"result\": \"counted\"}"), lines);
    }

    @Test
    void nonProcedureGlobalsAreNotExposed() throws Exception {
        for (String name : List.of("plain_function_not_exposed", "counter", "os", "Procedure")) {
            List<String> lines = Wire.exchange(daemon.port(), Wire.request(name, "[]"));
            assertEquals("no_such_procedure", Wire.parse(lines.get(0)).at("/error/type").asText(), name);
        }
    }

    @Test
    void standardLibraryWorksAsInCpython() throws Exception {
        JsonNode r = result("stdlib", "[]");
        assertEquals("hi", r.get("echo").asText());
        assertEquals("[1,2]", r.at("/json/a").toString());
        assertEquals("[\"12\",\"34\"]", r.get("re").toString());
        assertTrue(r.get("pid").asBoolean() && r.get("time").asBoolean() && r.get("env").asBoolean());
    }

    @Test
    void outputOnStdoutDoesNotCorruptTheProtocol() throws Exception {
        assertEquals("still fine", result("noisy", "[]").asText());
    }

    @Test
    void pythonValuesMapToJson() throws Exception {
        assertEquals("[1,1208925819614629174706176,1.5,true,null,\"bytes\",\"unicode\",[1,2],{\"k\":[{}]}]",
                result("types", "[]").toString());
    }
}
