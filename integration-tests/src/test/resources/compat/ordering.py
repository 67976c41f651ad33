# Values that depend on hashing and seeding: splay minutes, seeded shuffles and samples, and the key order
# json.dumps gives dicts with numeric and mixed keys.
import random
from harpd.proc import procedure


@procedure
def splay(hosts):
    return dict((h, hash(h) % 60) for h in hosts)


@procedure
def hashes():
    return [str(hash(v)) for v in ("web-01", u"web-01", "", 12345, 2 ** 40, -1, 1.5, (1, "a"), 10 ** 20)]


@procedure
def seeded(seed):
    r = random.Random(seed)
    items = range(10)
    r.shuffle(items)
    return {"randint": r.randint(0, 10 ** 6), "choice": r.choice(["a", "b", "c", "d"]), "shuffle": items,
            "sample": r.sample(range(100), 3), "random": r.random(), "bits": r.getrandbits(64)}


@procedure
def module_seed(seed):
    random.seed(seed)
    return [random.randint(1, 6) for _ in range(10)]


@procedure
def by_port():
    return {22: "ssh", 80: "http", 443: "https", 8080: "alt", 9: "discard", "name": "services", None: "none",
            1.5: "half", True: "yes"}


@procedure
def counts(words):
    result = {}
    for word in words:
        result[len(word)] = result.get(len(word), 0) + 1
    return result
