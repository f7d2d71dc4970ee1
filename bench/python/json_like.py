"""json_like.py N: nested data structures. Builds N records (dicts of
strings, ints, bools, None, lists and nested dicts), serialises them with
a JSON writer written here (str, repr and join), parses the text back with
a recursive-descent parser, checks that the round trip gives the same
data (and the same repr()), then sums it up by tag. Prints sizes, counts
and checksums."""
import sys

TAGS = ("alpha", "beta", "gamma", "delta", "eps\"ilon", "ze\\ta", "eta\n", "theta")


def make(i):
    return {
        "id": i,
        "name": "item-%d" % (i * 7919 % 10007),
        "active": i % 3 != 0,
        "parent": None if i % 5 == 0 else i // 5,
        "tags": [TAGS[(i * k) % len(TAGS)] for k in range(1 + i % 4)],
        "scores": [(i * 37 + k * 11) % 101 - 50 for k in range(6)],
        "meta": {"depth": i % 7, "path": ["r", str(i % 13), str(i % 17)], "w": {"x": i % 9, "y": -(i % 4)}},
    }


ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n"}


def dumps(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(ESC.get(c, c) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ",".join([dumps(x) for x in v]) + "]"
    return "{" + ",".join([dumps(k) + ":" + dumps(x) for k, x in v.items()]) + "}"


class Parser:
    def __init__(self, s):
        self.s, self.i = s, 0

    def value(self):
        s, i = self.s, self.i
        c = s[i]
        if c == "{":
            self.i = i + 1
            d = {}
            if s[self.i] == "}":
                self.i += 1
                return d
            while True:
                k = self.value()
                self.i += 1  # ':'
                d[k] = self.value()
                c = s[self.i]
                self.i += 1
                if c == "}":
                    return d
        if c == "[":
            self.i = i + 1
            lst = []
            if s[self.i] == "]":
                self.i += 1
                return lst
            while True:
                lst.append(self.value())
                c = s[self.i]
                self.i += 1
                if c == "]":
                    return lst
        if c == '"':
            out = []
            i += 1
            while s[i] != '"':
                if s[i] == "\\":
                    i += 1
                    out.append("\n" if s[i] == "n" else s[i])
                else:
                    out.append(s[i])
                i += 1
            self.i = i + 1
            return "".join(out)
        for word, val in (("null", None), ("true", True), ("false", False)):
            if s.startswith(word, i):
                self.i = i + len(word)
                return val
        j = i + 1
        while s[j].isdigit():
            j += 1
        self.i = j
        return int(s[i:j])


def checksum(s):
    h = 0
    for b in s.encode()[::7]:
        h = (h * 131 + b) & 0xFFFFFFFF
    return h


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    data = {"version": 1, "records": [make(i) for i in range(n)]}
    text = dumps(data)
    back = Parser(text).value()
    if back != data:
        raise SystemExit("json_like: round trip differs")
    r = repr(back)
    if r != repr(data):
        raise SystemExit("json_like: repr differs after the round trip")
    by_tag = {}
    for rec in back["records"]:
        if rec["active"]:
            for t in rec["tags"]:
                s = by_tag.setdefault(t, [0, 0])
                s[0] += 1
                s[1] += sum(rec["scores"]) + rec["meta"]["w"]["x"]
    tags = ",".join("%s=%d/%d" % (t.strip().replace("\\", "").replace('"', ""), c, s)
                    for t, (c, s) in sorted(by_tag.items()))
    print("json_like %d: %d bytes, repr %d bytes, %d tags, checksums %08x %08x %08x" % (
        n, len(text), len(r), len(by_tag), checksum(text), checksum(r), checksum(tags)))


main()
