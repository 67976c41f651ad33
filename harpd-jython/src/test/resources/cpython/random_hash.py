# random.Random's sequences for seeds of every kind, and hash() of CPython's types: random_hash.expected is this
# file's output under CPython 2.7.18 on x86-64 Linux (python2.7 random_hash.py), 64-bit hashes without -R.
import random
lines = []


def show(value):
    # repr without the L of a long: Jython's ints end at 2**31 - 1 (see docs/procedures.md)
    if isinstance(value, float):
        # Jython's repr of some floats has 17 digits where CPython's has the shortest (2.0 ** 62)
        return "%.17g" % value
    return repr(value).rstrip("L") if isinstance(value, (int, long)) else repr(value)


for seed in (42, 0, 1, -5, 2 ** 32, 2 ** 100, -(2 ** 70), 42L, True, "abc", u"abc", "", u"h\xe9", "web-01.example.net",
             1.5, (1, "a"), frozenset([1, 2])):
    r = random.Random(seed)
    values = [r.random(), r.randint(0, 10 ** 6), r.randrange(0, 100, 7), r.choice("abcdefgh"), r.uniform(1, 2),
              r.getrandbits(1), r.getrandbits(31), r.getrandbits(32), r.getrandbits(33), r.getrandbits(100),
              r.sample(range(100), 5), r.gauss(0, 1), r.expovariate(2), r.triangular(0, 10), r.randrange(10 ** 30)]
    items = range(20)
    r.shuffle(items)
    values.append(items)
    state = r.getstate()
    r.jumpahead(12345)
    values.append(r.random())
    r.setstate(state)
    values.append(r.random())
    r.seed(seed)
    values.append(r.random())
    lines.append("%s: %s" % (show(seed), " ".join(str(v) for v in values)))
random.seed(7)
lines.append("module seed 7: %s %s" % (random.random(), random.randint(1, 6)))
lines.append("Random(42).randint(0, 10**6) = %s" % random.Random(42).randint(0, 10 ** 6))
for expr in ["random.Random().getrandbits(0)", "random.Random().getrandbits(None)", "random.Random(1).jumpahead(1.5)",
             "random.Random(1).setstate((1, 2))"]:
    try:
        lines.append("%s -> %s" % (expr, eval(expr)))
    except Exception as e:
        lines.append("%s -> %s: %s" % (expr, type(e).__name__, e))
for value in (0, 1, -1, -2, 2 ** 31, 2 ** 62, 2 ** 63 - 1, 2 ** 63, -(2 ** 63), 2 ** 64 - 1, -(2 ** 64 - 1), 2 ** 64,
              10 ** 30, -(10 ** 30), 0L, True, False, 0.0, -0.0, 1.5, -1.5, 0.1, 1e100, -1e-310, 2.0 ** 62, 2.0 ** 63,
              1e300, float("inf"), float("-inf"), float("nan"), -1.0, "", "a", "abc", "web-01.example.net",
              "\xff\x00", u"", u"abc", u"h\xe9", u"\u20ac", u"\U0001f600", (), (1,), (1, "a", (2.5, u"b")),
              frozenset(), frozenset([1, 2, 3]), frozenset(["a"])):
    lines.append("hash(%s) = %s" % (show(value), str(hash(value)).rstrip("L")))
# hash(x) % 60 is a long in Jython when hash(x) exceeds 2**31 - 1: the same number, repr with an L (see docs/procedures.md)
lines.append("splay: %s" % " ".join(str(hash("host%d.example.net" % i) % 60) for i in range(10)))
if __name__ == "__main__":
    print "\n".join(lines)
