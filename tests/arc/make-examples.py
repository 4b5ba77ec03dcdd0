#!/usr/bin/python3
"""Regenerate the ARC-sealed example messages (run once by hand; the
outputs are checked in and the examples never run this):
    /usr/bin/python3 tests/arc/make-examples.py

examples/messages/forwarded.eml  list.forwarder.example relays good.example's
                                 signed mail unchanged and seals it (i=1)
examples/messages/list.eml       the same list tags the subject "[team]"
                                 (DKIM breaks) and seals what it saw: SPF,
                                 DKIM and DMARC passed for good.example
Both keep the DKIM signature of the committed forwarded.eml (signed with
keys/dkim-sel2026.pem) and are sealed with keys/arc-forwarder.pem, whose
public half is arc2026._domainkey in zones/forwarder.example.zone."""
import os
import sys

from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import arcseal  # noqa: E402

MSGS = os.path.join(SRC, "examples", "messages")
T = 1795474500  # five minutes after the examples' signing time
RESULTS = (b"spf=pass smtp.mailfrom=alice@good.example;\r\n\t"
           b"dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256;\r\n\t"
           b"dmarc=pass header.from=good.example; arc=none")
RECEIVED = (b"Received: from list.forwarder.example (list.forwarder.example [198.51.100.25])\r\n"
            b"\tby mx.receiver.example with ESMTPS; Mon, 23 Nov 2026 10:05:00 +0000\r\n")
LIST_HOP = (b"Received: from mx.good.example (mx.good.example [192.0.2.25])\r\n"
            b"\tby list.forwarder.example with ESMTPS; Mon, 23 Nov 2026 10:04:58 +0000\r\n")


def original():
    """forwarded.eml as good.example sent it: without any hop after it."""
    with open(os.path.join(MSGS, "forwarded.eml"), "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    start = data.index(b"DKIM-Signature:")
    return data[start:]


def main():
    with open(os.path.join(SRC, "examples", "keys", "arc-forwarder.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    base = original()
    seal = dict(key=key, d=b"forwarder.example", s=b"arc2026",
                srv_id=b"list.forwarder.example", results=RESULTS, t=T, fold_aar=True)
    fwd = arcseal.seal(LIST_HOP + base, **seal)
    tagged = base.replace(b"Subject: Team lunch\r\n",
                          b"Subject: [team] Team lunch\r\n"
                          b"List-Id: Team <team.list.forwarder.example>\r\n")
    assert tagged != base
    lst = arcseal.seal(LIST_HOP + tagged, **seal)
    for name, data in (("forwarded.eml", fwd), ("list.eml", lst)):
        with open(os.path.join(MSGS, name), "wb") as f:
            f.write(RECEIVED + data)


if __name__ == "__main__":
    main()
