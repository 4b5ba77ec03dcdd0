#!/usr/bin/python3
"""Regenerate data/multi-signed.eml and data/signer.example.zone.

Run once by hand (the outputs are checked in; the sweep never runs this):
    /usr/bin/python3 tests/faults/make-multi.py
The examples have one signature per message at most; the allocation sweep
(tests/faults) also needs a message with several, over different keys and
outcomes.  Signing reuses tests/dkim/data/make-fixtures.py (RFC 6376 5,
dkimpy's canonicalization) with the examples' good.example key and the DKIM
fixtures' Ed25519 key:
  1. good.example  sel2026  rsa-sha256 relaxed/relaxed   pass, aligned
  2. signer.example ed      ed25519-sha256 simple/simple  pass, not aligned
  3. good.example  nokey    rsa-sha256                    permerror (no key)
  4. good.example  sel2026  bh= changed after signing     fail
"""
import base64
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
spec = importlib.util.spec_from_file_location(
    "make_fixtures", os.path.join(SRC, "tests", "dkim", "data", "make-fixtures.py"))
mf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mf)
from cryptography.hazmat.primitives import serialization  # noqa: E402

T = 1795474365  # the examples' signing time (examples/run.sh)
H = (b"from", b"to", b"subject", b"date", b"message-id", b"from")

BASE = (b"Received: from mx.good.example (mx.good.example [192.0.2.25])\r\n"
        b"\tby mx.receiver.example with ESMTPS; Mon, 23 Nov 2026 10:10:00 +0000\r\n"
        b"From: Alice <alice@good.example>\r\n"
        b"To: Bob <bob@receiver.example>\r\n"
        b"Subject: Minutes of the meeting\r\n"
        b"Date: Mon, 23 Nov 2026 10:09:58 +0000\r\n"
        b"Message-ID: <Minutes@good.example>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Hi Bob,\r\n\r\nthe minutes, signed three times over.\r\n\r\nAlice\r\n")


def key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def main():
    rsa = key(os.path.join(SRC, "examples", "keys", "dkim-sel2026.pem"))
    ed = key(os.path.join(SRC, "tests", "dkim", "data", "keys", "ed25519.pem"))
    s1 = mf.sign(BASE, rsa, b"good.example", b"sel2026", h=H, t=T)
    s2 = mf.sign(BASE, ed, b"signer.example", b"ed", alg=b"ed25519-sha256",
                 c=(b"simple", b"simple"), h=H, t=T)
    s3 = mf.sign(BASE, rsa, b"good.example", b"nokey", h=H, t=T)
    s4 = mf.sign(BASE, rsa, b"good.example", b"sel2026", h=H[:4], t=T)
    bh = s4.split(b"bh=")[1].split(b";")[0]
    s4 = s4.replace(b"bh=" + bh, b"bh=" + base64.b64encode(b"\0" * 32))
    with open(os.path.join(HERE, "data", "multi-signed.eml"), "wb") as f:
        f.write(s1 + s2 + s3 + s4 + BASE)
    with open(os.path.join(HERE, "data", "signer.example.zone"), "w") as f:
        f.write("; A third party that signs good.example's mail (Ed25519):\n"
                "; made by tests/faults/make-multi.py.\n"
                "$ORIGIN signer.example.\n$TTL 3600\n"
                "@     IN SOA ns1.example. hostmaster.signer.example. "
                "2026112301 7200 3600 1209600 300\n"
                "@     IN NS  ns1.example.\n"
                "ed._domainkey IN TXT \"v=DKIM1; k=ed25519; p=%s\"\n"
                % mf.pub_b64(ed))


if __name__ == "__main__":
    main()
