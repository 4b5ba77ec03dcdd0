#!/usr/bin/python3
"""Rspamd load: every corpus message to /checkv2 with its envelope, from
CLIENTS parallel connections, as rspamc sends them (rspamc itself takes
one envelope for all its files, and the corpus has one per message).

    scan_load.py PORT ENVELOPES CLIENTS [MESSAGES]

Prints "messages N seconds T symbols S errors E" and, on stderr, the
symbols most often seen (a check that each configuration really ran).
"""
import collections
import json
import multiprocessing
import os
import sys
import time

# The Rspamd tests' HTTP client (one request per connection, HTTP/1.0).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "rspamd"))
from scan import http  # noqa: E402


def one(args):
    port, (path, ip, helo, mfrom) = args
    with open(path, "rb") as f:
        body = f.read()
    headers = {"IP": ip, "Helo": helo, "From": "" if mfrom == "<>" else mfrom,
               "Rcpt": "bob@receiver.example", "Pass": "all"}
    status, payload = http(port, "POST", "/checkv2", headers, body, timeout=60)
    if status != 200:
        return None
    return sorted(json.loads(payload).get("symbols", {}))


def main():
    port, env, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rows = [l.rstrip("\n").split("\t")[:4] for l in open(env) if l.strip()]
    if limit:
        rows = rows[:limit]
    t0 = time.monotonic()
    with multiprocessing.Pool(clients) as pool:
        res = pool.map(one, [(port, r) for r in rows], chunksize=8)
    dt = time.monotonic() - t0
    seen = collections.Counter(s for r in res if r for s in r)
    errors = sum(1 for r in res if r is None)
    print("messages %d seconds %.4f symbols %d errors %d"
          % (len(rows), dt, sum(seen.values()), errors))
    sys.stderr.write("top symbols: %s\n" % json.dumps(seen.most_common(12)))


if __name__ == "__main__":
    main()
