# -*- coding: utf-8 -*-
# Values of every kind as results, stream items and exceptions: the bytes must be CPython 2.7's json.dumps.
from harpd.proc import procedure, streaming_procedure, Result


@procedure
def echo(*args, **kwargs):
    if kwargs:
        return kwargs
    return list(args)


@procedure
def floats():
    return [1e100, 123456789.12345679, 3e-05, 1.0, -0.0, 0.1, 1e16, 1e15, 5e-324, 2.0 / 3, 1e22, 1.5e-7,
            float("inf"), float("-inf"), float("nan")]


@procedure
def integers():
    return [0, -1, 2 ** 31, -2 ** 63, 2 ** 64, 10 ** 30, True, False, None]


@procedure
def strings():
    return ["plain", u"zażółć gęślą jaźń", "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87", u"\U0001f600", u"\u20ac",
            u"tab\there\nnew \"q\" \\ / \x00\x1f\x7f\x80\xff", u"\u2028\ufeff"]


@procedure
def nested():
    return {"b": {"z": [], "a": {}}, "a": [(1, 2), {"y": None, "x": True}], u"é": 1, "B": 2, "_": 3}


@procedure
def fail_bytes():
    raise ValueError("za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 \"quoted\"")


@procedure
def fail_key():
    raise KeyError("missing")


@procedure
def fail_plain(n):
    return 1 / n


@streaming_procedure
def stream(n):
    for i in range(n):
        yield {"i": i, "half": i / 2.0, "name": u"\u0105" * i}
    yield Result({"done": True, "total": 0.1 * n})


@streaming_procedure
def stream_no_result():
    yield 1e-10
    yield u"\u00e9"


@streaming_procedure
def stream_then_fail():
    yield 1
    raise TypeError("bad \xe2\x98\x83")
