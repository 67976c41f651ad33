package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.harpd.config.PythonPath;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JythonWorkerRuntimeTest {
    @TempDir
    static Path dir;

    private static JythonWorkerRuntime worker;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, """
                # -*- coding: utf-8 -*-
                from harpd.proc import procedure, streaming_procedure, Procedure, StreamingProcedure, Result
                import os, pwd, grp, time, json, re, subprocess, sys

                @procedure
                def sum_and_difference(a, b):
                    return {"sum": a + b, "difference": a - b}

                @procedure
                def types(*args, **kwargs):
                    return [type(a).__name__ for a in args] + sorted(
                        "%s=%s" % (k, type(v).__name__) for (k, v) in kwargs.items())

                @procedure
                def fail(message):
                    raise ValueError(message)

                @procedure
                def whoami():
                    import harpd.proc
                    c = harpd.proc.caller()
                    return None if c is None else [c.user, c.address, c.port, c.id]

                @procedure
                def fail_bytes():
                    raise RuntimeError("za\\xc5\\xbc\\xc3\\xb3\\xc5\\x82\\xc4\\x87")

                class MyError(Exception):
                    pass

                @procedure
                def fail_custom():
                    raise MyError("custom")

                @procedure
                def leave():
                    sys.exit(3)

                @procedure
                def unserialisable():
                    return {"s": set([1])}

                @streaming_procedure
                def count(n):
                    for i in xrange(n):
                        yield {"i": i}
                    yield Result({"msg": "end"})

                @streaming_procedure
                def count_no_result(n):
                    for i in xrange(n):
                        yield i

                @streaming_procedure
                def stream_then_fail():
                    yield 1
                    raise KeyError("k")

                @streaming_procedure
                def stream_unserialisable():
                    yield 1
                    yield object

                class Lines(StreamingProcedure):
                    def __init__(self):
                        pass
                    def __call__(self, prefix):
                        yield prefix + "1"
                        yield Result(prefix + "done")

                lines = Lines()

                @procedure
                def system():
                    out = subprocess.check_output(["echo", "hello"]).strip()
                    user = pwd.getpwuid(os.getuid()).pw_name
                    group = grp.getgrgid(os.getgid()).gr_name
                    now = time.time()
                    encoded = json.dumps({"a": [1, 2]}, sort_keys=True)
                    match = re.match(r"^(\\w+)$", out).group(1)
                    return {"out": out, "user_is_str": isinstance(user, basestring),
                            "group_is_str": isinstance(group, basestring), "time_ok": now > 1e9,
                            "json": json.loads(encoded), "match": match, "pid": os.getpid() > 0}
                """, StandardCharsets.UTF_8);
        worker = new JythonWorkerRuntime(file, PythonPath.NONE);
        worker.load();
    }

    private static List<String> call(String procedure, String arguments) throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.call(procedure, Json.MAPPER.readTree(arguments), out);
        return out.lines;
    }

    @Test
    void positionalAndKeywordCallsReturnTheResult() throws Exception {
        assertEquals(List.of("{\"result\": {\"difference\": -1, \"sum\": 5}}"), call("sum_and_difference", "[2, 3]"));
        assertEquals(List.of("{\"result\": {\"difference\": 1, \"sum\": 5}}"),
                call("sum_and_difference", "{\"b\": 2, \"a\": 3}"));
    }

    @Test
    void theCallerIsKnownForTheLengthOfItsCallOnly() throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.call("whoami", Json.MAPPER.readTree("[]"),
                new org.harpd.workerprotocol.Caller("alice", "::1", 4000, "00000000000000aa"), out);
        assertEquals(List.of("{\"result\": [\"alice\", \"::1\", 4000, \"00000000000000aa\"]}"), out.lines);
        assertEquals(List.of("{\"result\": null}"), call("whoami", "[]"));
    }

    @Test
    void warmUpEchoesItsArgumentsWithoutRunningAProcedure() throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.warmUp(Json.MAPPER.readTree("[1, \"\u00e9\", [true, null], {\"k\": 2.5}, 123456789012345678901234]"), out);
        assertEquals(List.of("{\"result\": [[1, \"\\u00e9\", [true, null], {\"k\": 2.5}, 123456789012345678901234], {}]}"),
                out.lines);

        RecordingEmitter keywords = new RecordingEmitter();
        worker.warmUp(Json.MAPPER.readTree("{\"a\": [\"x\"]}"), keywords);
        assertEquals(List.of("{\"result\": [[], {\"a\": [\"x\"]}]}"), keywords.lines);
    }

    @Test
    void argumentsArriveAsCPythonJsonGivesThem() throws Exception {
        assertEquals(List.of("{\"result\": [\"unicode\", \"int\", \"float\", \"bool\", \"NoneType\", \"list\", \"dict\", "
                        + "\"long\"]}"),
                call("types", "[\"s\", 1, 1.5, true, null, [], {}, 99999999999999999999]"));
        assertEquals(List.of("{\"result\": [\"k=unicode\"]}"), call("types", "{\"k\": \"v\"}"));
    }

    @Test
    void exceptionsReportClassModuleAndMessage() throws Exception {
        assertEquals(List.of("{\"exception\": {\"data\": {\"class\": \"ValueError\", \"module\": \"exceptions\"}, "
                + "\"message\": \"bad \\u2603\", \"type\": \"ValueError\"}}"), call("fail", "[\"bad ☃\"]"));
        assertEquals(List.of("{\"exception\": {\"data\": {\"class\": \"RuntimeError\", \"module\": \"exceptions\"}, "
                + "\"message\": \"za\\u017c\\u00f3\\u0142\\u0107\", \"type\": \"RuntimeError\"}}"), call("fail_bytes", "[]"));
        assertEquals(List.of("{\"exception\": {\"data\": {\"class\": \"MyError\", \"module\": \"harpd.__procedures__\"}, "
                + "\"message\": \"custom\", \"type\": \"MyError\"}}"), call("fail_custom", "[]"));
    }

    @Test
    void wrongArgumentsRaiseTypeErrorInPython() throws Exception {
        List<String> lines = call("sum_and_difference", "[1]");
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).contains("\"type\": \"TypeError\""), lines.get(0));
    }

    @Test
    void systemExitIsAnsweredAsTheShutdownErrorAndTheInterpreterCarriesOn() throws Exception {
        assertEquals(List.of("{\"error\": {\"message\": \"service is shutting down\", \"type\": \"shutdown\"}, "
                + "\"harp\": 1}"), call("leave", "[]"));
        assertEquals(List.of("{\"result\": {\"difference\": -1, \"sum\": 5}}"), call("sum_and_difference", "[2, 3]"));
    }

    @Test
    void unserialisableResultIsInvalidMessage() throws Exception {
        List<String> lines = call("unserialisable", "[]");
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("{\"error\": {\"message\": \"set([1]) is not JSON serializable\", "
                + "\"type\": \"invalid_message\"}, \"harp\": 1}"), lines.get(0));
    }

    @Test
    void streamingYieldsStreamsThenTheResult() throws Exception {
        assertEquals(List.of("{\"stream\": {\"i\": 0}}", "{\"stream\": {\"i\": 1}}", "{\"result\": {\"msg\": \"end\"}}"),
                call("count", "[2]"));
        assertEquals(List.of("{\"stream\": 0}", "{\"stream\": 1}", "{\"result\": null}"), call("count_no_result", "[2]"));
        assertEquals(List.of("{\"result\": null}"), call("count_no_result", "[0]"));
    }

    @Test
    void streamingSubclassYieldingResultItself() throws Exception {
        assertEquals(List.of("{\"stream\": \"x1\"}", "{\"result\": \"xdone\"}"), call("lines", "[\"x\"]"));
    }

    @Test
    void streamingFailuresEndTheStream() throws Exception {
        assertEquals(List.of("{\"stream\": 1}", "{\"exception\": {\"data\": {\"class\": \"KeyError\", "
                + "\"module\": \"exceptions\"}, \"message\": \"'k'\", \"type\": \"KeyError\"}}"),
                call("stream_then_fail", "[]"));
        List<String> lines = call("stream_unserialisable", "[]");
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).contains("\"type\": \"invalid_message\""), lines.get(1));
    }

    @Test
    void unknownProcedureIsAnError() throws Exception {
        assertEquals(List.of("{\"error\": {\"data\": {\"procedure\": \"nope\"}, \"message\": \"no such procedure\", "
                + "\"type\": \"no_such_procedure\"}, \"harp\": 1}"), call("nope", "[]"));
    }

    @Test
    void standardLibraryModulesWork() throws Exception {
        List<String> lines = call("system", "[]");
        assertEquals(List.of("{\"result\": {\"group_is_str\": true, \"json\": {\"a\": [1, 2]}, \"match\": \"hello\", "
                + "\"out\": \"hello\", \"pid\": true, \"time_ok\": true, \"user_is_str\": true}}"), lines);
    }

    @Test
    void loadFailureNamesTheFile() {
        Path missing = dir.resolve("missing.py");
        JythonWorkerRuntime broken = new JythonWorkerRuntime(missing, PythonPath.NONE);
        ProcedureLoadException e = assertThrows(ProcedureLoadException.class, broken::load);
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }
}
