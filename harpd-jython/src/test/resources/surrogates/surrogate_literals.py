# -*- coding: utf-8 -*-
u"""Module doc \ud83d\ude00 and \ud800."""
from __future__ import unicode_literals

PAIR = u"\ud83d\ude00"
LONE = u"\ud800"
PLAIN = "\udc00 in a plain literal is unicode here"
BYTES = b"\ud800 stays six characters"
RAW = ur"\ud800\n"
JOINED = (u"a\ud83d"
          # the low half on the next line
          u"\ude00b" "c")
ESCAPED = u"\\ud800"
TRIPLE = u'''x\uDBFF\uDFFFy'''
LONG = u"\U0000d800"
LONE_AND_PAIR = u"\ud800\ud83d\ude00"

def f():
    u"Function doc \ud800"
    return u"in f \ud800"

class C(object):
    u"""Class doc \ud83d\ude00"""
    value = {u"\udfff": [u"\ud800", 1]}

g = lambda: u"\ud801"

def report():
    rows = []
    for name in ("LONE", "PLAIN", "BYTES", "RAW", "ESCAPED", "LONG"):
        v = globals()[name]
        rows.append("%s %r %d %s" % (name, v, len(v), type(v).__name__))
    # (Jython's repr writes the pair in it as the one character it encodes)
    rows.append("LONE_AND_PAIR %d" % (len(LONE_AND_PAIR),))
    rows.append("f %r" % (f(),))
    rows.append("value %r" % (C.value,))
    rows.append("g %r" % (g(),))
    rows.append("json %s" % (__import__("json").dumps([PAIR, LONE, JOINED, LONE_AND_PAIR]),))
    rows.append("utf8 %r" % (PAIR.encode("utf-8"),))
    return rows
