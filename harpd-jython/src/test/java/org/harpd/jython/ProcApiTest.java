package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** harpd.proc as harpd(8) documents it, exercised from Python. */
class ProcApiTest {
    private static final String IMPORTS = "from harpd.proc import *\n";

    private static String repr(String setup, String expression) {
        return Python.eval(IMPORTS + setup, "repr(" + expression + ")").toString();
    }

    @Test
    void bareDecoratorWrapsWithoutOptions() {
        String setup = "@procedure\ndef add(a, b):\n    return a + b\n";
        assertEquals("(True, False, None, None, None, 5)", repr(setup,
                "(isinstance(add, Procedure), isinstance(add, StreamingProcedure),"
                        + " add.timeout, add.uid, add.gid, add(2, 3))"));
        assertEquals("'add'", repr(setup, "add.function.__name__"));
    }

    @Test
    void decoratorWithOptionsKeepsThem() {
        String setup = "@procedure(timeout=5, uid='nobody', gid=['nogroup', 'users'])\ndef f(x=1):\n    return x\n";
        assertEquals("(5, 'nobody', ['nogroup', 'users'], 1, 9)",
                repr(setup, "(f.timeout, f.uid, f.gid, f(), f(x=9))"));
    }

    @Test
    void streamingDecoratorHonoursOptionsToo() {
        String setup = "@streaming_procedure(timeout=2.5, uid=0, gid=0)\ndef s():\n    yield 1\n";
        assertEquals("(True, True, 2.5, 0, 0)", repr(setup,
                "(isinstance(s, StreamingProcedure), isinstance(s, Procedure), s.timeout, s.uid, s.gid)"));
        String bare = "@streaming_procedure\ndef s():\n    yield 1\n";
        assertEquals("(True, None)", repr(bare, "(isinstance(s, StreamingProcedure), s.timeout)"));
    }

    @Test
    void streamingCallYieldsUntilResultAndKeepsIt() {
        String setup = "@streaming_procedure\ndef s(n):\n"
                + "    for i in xrange(n):\n        yield {'i': i}\n"
                + "    yield Result('done')\n    yield 'never'\n";
        assertEquals("([{'i': 0}, {'i': 1}], 'done')", repr(setup, "(list(s(2)), s.result())"));
    }

    @Test
    void streamingWithoutResultReportsNone() {
        String setup = "@streaming_procedure\ndef s():\n    yield 1\n    yield 2\n";
        assertEquals("([1, 2], None)", repr(setup, "(list(s()), s.result())"));
    }

    @Test
    void subclassesMayOverrideCallWithoutFunction() {
        String setup = "class Hello(Procedure):\n"
                + "    def __init__(self):\n        pass\n"
                + "    def __call__(self, name):\n        return 'hello ' + name\n"
                + "h = Hello()\n";
        assertEquals("('hello you', None, None, None, None)",
                repr(setup, "(h('you'), h.function, h.timeout, h.uid, h.gid)"));
    }

    @Test
    void procedureCanBeBuiltDirectly() {
        String setup = "p = Procedure(lambda x: x * 2, timeout=3, uid=1000, gid=1000)\n";
        assertEquals("(8, 3, 1000, 1000)", repr(setup, "(p(4), p.timeout, p.uid, p.gid)"));
    }
}
