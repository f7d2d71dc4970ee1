"""dict_str.py N: dictionaries and strings. Generates a text of N lines
from made-up words (a linear congruential generator picks them, skewed
towards the first words of the vocabulary), then counts words and word
pairs in dicts, finds the most frequent ones, and rewrites every line
(title case, replace, join). Prints counts and a checksum; no hash() of
a str, so the output does not depend on PYTHONHASHSEED."""
import sys

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "xe", "zu", "pra", "don")


class Rand:
    def __init__(self, seed):
        self.s = seed

    def next(self, n):
        self.s = (self.s * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.s >> 8) % n


def vocabulary(rng, size):
    words, seen = [], set()
    while len(words) < size:
        w = "".join(SYLLABLES[rng.next(len(SYLLABLES))] for _ in range(1 + rng.next(3)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def text(rng, words, lines):
    out = []
    for _ in range(lines):
        k = 4 + rng.next(9)
        out.append(" ".join(words[rng.next(1 + rng.next(len(words)))] for _ in range(k)))
    return out


def checksum(s, h=0):
    for b in s.encode():
        h = (h * 31 + b) & 0xFFFFFFFF
    return h


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = Rand(42)
    words = vocabulary(rng, 400)
    lines = text(rng, words, n)

    counts, pairs, firsts = {}, {}, {}
    for line in lines:
        ws = line.split()
        for w in ws:
            counts[w] = counts.get(w, 0) + 1
        for a, b in zip(ws, ws[1:]):
            key = a + "_" + b
            pairs[key] = pairs.get(key, 0) + 1
        firsts.setdefault(ws[0][0], []).append(ws[-1])
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    top_pair = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    initials = "".join(sorted(firsts))

    h = 0
    for line in lines:
        t = line.title().replace("Ka", "KA").replace(" ", "-")
        if "zu" in line:
            t = t[::-1]
        h = checksum(t, h)
    longest = max(lines, key=lambda s: (len(s), s))
    print("dict_str %d: %d words, %d distinct, %d pairs, top %s, pair %s:%d, initials %s, longest %d, checksum %08x" % (
        n, sum(counts.values()), len(counts), len(pairs),
        ",".join("%s:%d" % kv for kv in top), top_pair[0], top_pair[1],
        initials, len(longest), h))


main()
