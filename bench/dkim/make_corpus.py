#!/usr/bin/python3
"""Generate the DKIM benchmark corpus and run the benchmark program on it.

    make_corpus.py BENCH_EXE [MESSAGES [KEEPDIR]]

Writes, into a temporary directory: zone.txt (key records for memdns) and
MESSAGES messages signed by dkimpy with a realistic mix: mostly RSA-2048
relaxed/relaxed, some with a second (Ed25519) signature as an ESP plus the
author domain would add, some Ed25519 only, some simple/simple and some
RSA-1024; ~15 header fields with a Received chain, bodies from 1 KB to
64 KB (median about 6 KB).  Then runs BENCH_EXE on it.  The corpus is made
fresh each run (keys too) and never checked in; KEEPDIR keeps it (for
perf record and friends).
"""
import base64
import os
import random
import subprocess
import sys
import tempfile

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


def rsa_key(bits):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    priv = k.private_bytes(serialization.Encoding.PEM,
                           serialization.PrivateFormat.TraditionalOpenSSL,
                           serialization.NoEncryption())
    pub = k.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, "v=DKIM1; k=rsa; p=" + base64.b64encode(pub).decode()


def ed_key():
    k = ed25519.Ed25519PrivateKey.generate()
    seed = k.private_bytes(serialization.Encoding.Raw,
                           serialization.PrivateFormat.Raw,
                           serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return base64.b64encode(seed), \
        "v=DKIM1; k=ed25519; p=" + base64.b64encode(pub).decode()


TEXT = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
        "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim "
        "ad minim veniam, quis nostrud exercitation ullamco laboris.").split()


def message(rng, n, domain):
    size = int(min(65536, max(1024, rng.lognormvariate(8.7, 0.9))))
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(TEXT) for _ in range(rng.randint(3, 12)))
        if rng.random() < 0.1:
            line = ""
        lines.append(line)
        total += len(line) + 2
    hops = "".join(
        "Received: from mx%d.example.net (mx%d.example.net [192.0.2.%d])\r\n"
        "\tby relay%d.example.org with ESMTPS id %08x\r\n"
        "\tfor <user@example.org>; Mon, 23 Nov 2026 10:00:%02d +0000\r\n"
        % (h, h, h, h, rng.getrandbits(32), h) for h in range(4))
    head = (hops +
            "From: Sender %d <news@%s>\r\n" % (n, domain) +
            "To: user@example.org\r\n"
            "Subject: Newsletter number %d: %s\r\n" % (n, " ".join(
                rng.choice(TEXT) for _ in range(6))) +
            "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            "Message-ID: <%d.%08x@%s>\r\n" % (n, rng.getrandbits(32), domain) +
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "List-Unsubscribe: <https://%s/u/%d>\r\n" % (domain, n) +
            "X-Mailer: bench\r\n")
    return (head + "\r\n" + "\r\n".join(lines) + "\r\n").encode()


def main():
    exe = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    rng = random.Random(8463)
    if len(sys.argv) > 3:
        os.makedirs(sys.argv[3], exist_ok=True)
        return run(exe, count, rng, sys.argv[3])
    with tempfile.TemporaryDirectory(prefix="dkim-bench-") as work:
        return run(exe, count, rng, work)


def run(exe, count, rng, work):
    keys = {"r2048": rsa_key(2048), "r1024": rsa_key(1024), "ed": ed_key()}
    alg = {"r2048": b"rsa-sha256", "r1024": b"rsa-sha256",
           "ed": b"ed25519-sha256"}
    heads = [b"from", b"to", b"subject", b"date", b"message-id",
             b"mime-version", b"content-type", b"list-unsubscribe"]
    if True:
        with open(os.path.join(work, "zone.txt"), "w") as z:
            for dom in ("news.example.com", "esp.example.net"):
                for sel, (_, rec) in keys.items():
                    z.write('%s._domainkey.%s TXT "%s"\n' % (sel, dom, rec))
        paths = []
        for n in range(count):
            r = rng.random()
            dom = "news.example.com"
            msg = message(rng, n, dom)
            plan = ([("r2048", (b"relaxed", b"relaxed"))] if r < 0.60 else
                    [("r2048", (b"relaxed", b"relaxed")),
                     ("ed", (b"relaxed", b"relaxed"))] if r < 0.75 else
                    [("ed", (b"relaxed", b"relaxed"))] if r < 0.85 else
                    [("r2048", (b"simple", b"simple"))] if r < 0.95 else
                    [("r1024", (b"relaxed", b"simple"))])
            for k, (sel, canon) in enumerate(plan):
                d = dom if k == 0 else "esp.example.net"
                msg = dkim.sign(msg, sel.encode(), d.encode(), keys[sel][0],
                                signature_algorithm=alg[sel],
                                canonicalize=canon,
                                include_headers=heads) + msg
            p = os.path.join(work, "m%04d.eml" % n)
            with open(p, "wb") as f:
                f.write(msg)
            paths.append(p)
        with open(os.path.join(work, "list.txt"), "w") as f:
            f.write("\n".join(paths) + "\n")
        sys.stdout.flush()
        return subprocess.call([exe, os.path.join(work, "zone.txt"),
                                os.path.join(work, "list.txt")])


if __name__ == "__main__":
    sys.exit(main())
