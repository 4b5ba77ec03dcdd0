#!/usr/bin/python3
"""Convert an openspf YAML test suite (rfc7208-tests.yml, rfc4408-tests.yml)
into the line format read by tests/spf/conformance.c.

Run at test time (the suites are never copied into the repository).  Every
field that may hold arbitrary bytes is hex-encoded, so the C side needs no
quoting rules:

  S <n>                              start of scenario n (new zone)
  R <hex name> <TYPE> <hex rdata>    record (TXT joined; A/AAAA/PTR text;
                                     MX "pref name", null MX "0 .")
  N <hex name> <hex target>          CNAME
  T <hex name> <TYPE>                (name, TYPE) times out
  C <id> <hex helo> <hex host> <hex mailfrom> <results> <hex exp or ->

Zone semantics follow the suite's reference driver (pyspf test/testspf.py):
- type SPF (99) records are never queried (RFC 7208 4.4); a name with no
  TXT entry gets its SPF entries as TXT records (the suite's documented
  "auto-magic duplication"); "TXT: NONE" means no TXT and no duplication;
- a TIMEOUT entry times out every type with no record listed before it;
  records after it are never served.
"""
import sys

try:
    import yaml
except ImportError:  # no python3-yaml: the runner reports SKIP
    sys.stderr.write("python3-yaml not found: skipped\n")
    sys.exit(77)

TYPES = ("A", "AAAA", "MX", "TXT", "PTR")


def raw(s):
    """YAML text to the bytes it stands for ("\\xEF" escapes are bytes)."""
    if isinstance(s, bytes):
        return s
    s = str(s)
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def hx(b):
    return raw(b).hex() or "-"


def txt_value(v):
    if isinstance(v, list):
        return b"".join(raw(x) for x in v)
    return raw(v)


def zone_lines(zonedata):
    out = []
    for name, entries in (zonedata or {}).items():
        name = hx(str(name).lower().rstrip("."))
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        items = []
        for e in entries:
            if e == "TIMEOUT":
                items.append(("TIMEOUT", None))
                continue
            for t, v in e.items():
                if t == "SPF":
                    continue  # type 99 is never queried
                if v == "NONE":
                    continue
                items.append((t, v))
        if not has_txt:
            for e in entries:
                if isinstance(e, dict) and "SPF" in e and e["SPF"] != "NONE":
                    items.append(("TXT", e["SPF"]))
        seen = set()
        for t, v in items:
            if t == "TIMEOUT":
                for ty in TYPES:
                    if ty not in seen:
                        out.append("T %s %s" % (name, ty))
                break
            seen.add(t)
            if t == "TXT":
                out.append("R %s TXT %s" % (name, hx(txt_value(v))))
            elif t == "MX":
                out.append("R %s MX %s" % (name, hx("%d %s" % (v[0], v[1] or "."))))
            elif t == "CNAME":
                out.append("N %s %s" % (name, hx(str(v))))
            elif t in ("A", "AAAA", "PTR"):
                vals = v if isinstance(v, list) else [v]
                for x in vals:
                    out.append("R %s %s %s" % (name, t, hx(str(x))))
            else:
                raise SystemExit("unknown record type %r at %s" % (t, name))
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: spf_suite.py SUITE.yml")
    with open(sys.argv[1], "rb") as f:
        docs = list(yaml.safe_load_all(f))
    n = 0
    for doc in docs:
        if not doc:
            continue
        n += 1
        print("S %d" % n)
        for line in zone_lines(doc.get("zonedata")):
            print(line)
        for cid, t in doc["tests"].items():
            res = t["result"]
            if isinstance(res, list):
                res = ",".join(res)
            exp = t.get("explanation")
            print("C %s %s %s %s %s %s" % (
                cid, hx(t.get("helo", "")), hx(t["host"]),
                hx(t.get("mailfrom", "")), res,
                hx(exp) if exp is not None else "-"))


if __name__ == "__main__":
    main()
