#!/usr/bin/python3
"""Regenerate the ARC unit-test fixtures in this folder (run once by hand;
the outputs are checked in, the tests never run this):
    /usr/bin/python3 tests/arc/data/make-fixtures.py

Sealed with tests/arc/arcseal.py and the DKIM fixtures' keys
(tests/dkim/data/keys/, whose records are tests/dkim/data/keys.zone), so
every key outcome the DKIM tests know (timeout, SERVFAIL, revoked, too
small, secure, bogus) is a seal's outcome here too.  Each file's first
line says what it is for."""
import os
import sys

from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import arcseal  # noqa: E402

KEYS = os.path.join(HERE, "..", "..", "dkim", "data", "keys")
T = 1700000000  # the DKIM fixtures' clock (tests pin it)
BASE = (b"From: Alice <alice@example.com>\r\n"
        b"To: List <list@lists.example.net>\r\n"
        b"Subject: fixture message\r\n"
        b"Date: Mon, 13 Nov 2023 22:13:20 +0000\r\n"
        b"Message-ID: <arc-fixture@example.com>\r\n"
        b"\r\n"
        b"Hello list,\r\n\r\nthis is the body.\r\n")
RESULTS = (b"spf=pass smtp.mailfrom=alice@example.com; "
           b"dkim=pass header.d=example.com header.s=rsa2048; dmarc=pass header.from=example.com")


def key(name):
    with open(os.path.join(KEYS, name + ".pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


RSA, ED, SMALL = key("rsa2048"), key("ed25519"), key("rsa512")


def hop(msg, n, **kw):
    args = dict(key=RSA, d=b"example.com", s=b"rsa2048",
                srv_id=b"hop%d.example.net" % n, results=RESULTS, t=T + n)
    args.update(kw)
    return arcseal.seal(msg, **args)


def seal_by(k, d, s, alg=b"rsa-sha256"):
    return (k, d, s, alg)


def write(name, why, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(b"X-Fixture: " + why.encode() + b"\r\n" + data)


def main():
    one = hop(BASE, 1)
    three = hop(hop(hop(BASE, 1), 2), 3)
    write("pass1.eml", "one set: pass, oldest-pass 0", one)
    write("pass3.eml", "three sets: pass, oldest-pass 0", three)
    write("ed25519.eml", "Ed25519 seal and AMS (RFC 8463 keys; dkimpy cannot): pass",
          hop(BASE, 1, s=b"ed", key=ED, alg=b"ed25519-sha256"))
    tagged = hop(BASE, 1).replace(b"Subject: fixture message", b"Subject: [list] fixture message")
    write("oldest.eml", "subject changed after i=1: pass, oldest-pass 2",
          hop(hop(tagged, 2), 3))
    write("body.eml", "body changed after sealing: ams:body_hash_mismatch",
          one + b"appended\r\n")
    t1 = b"t=%d" % (T + 1)
    assert three.count(t1) == 2  # the seal's and the AMS's of i=1
    i = three.index(b"ARC-Seal: i=1")
    write("seal-broken.eml", "ARC-Seal i=1 changed: seal:signature_mismatch",
          three[:i] + three[i:].replace(t1, b"t=%d" % (T + 9), 1))
    write("cv-fail.eml", "a sealer said cv=fail: cv_fail", hop(one, 2, cv=b"fail"))
    write("bad-cv.eml", "cv=none at i=2: bad_cv", hop(one, 2, cv=b"none"))
    aar = one.index(b"ARC-Authentication-Results:")
    write("missing.eml", "no AAR for i=1: missing_header",
          one[:aar] + one[one.index(b"\r\n", aar) + 2:])
    write("gap.eml", "instances 1 and 3: instance_gap", hop(one, 3, i=3))
    dup_start = one.index(b"ARC-Authentication-Results:")
    dup_end = one.index(b"From:")
    write("dup.eml", "two AARs with i=1: duplicate_instance",
          one[:dup_end] + one[dup_start:dup_end] + one[dup_end:])
    write("bad-instance.eml", "an ARC-Seal with i=0: bad_instance",
          one.replace(b"ARC-Seal: i=1;", b"ARC-Seal: i=0;", 1))
    for sel, k, what in ((b"nokey", RSA, "no key record: seal:key_not_found"),
                         (b"timeout", RSA, "key query times out: temperror dns_timeout"),
                         (b"servfail", RSA, "key query SERVFAIL: temperror dns_servfail"),
                         (b"revoked", RSA, "revoked key: seal:key_revoked"),
                         (b"rsa512", SMALL, "512-bit key: seal:key_too_small")):
        write("seal-%s.eml" % sel.decode(), what,
              hop(BASE, 1, seal_with=seal_by(k, b"example.com", sel)))
    write("secure.eml", "every seal key DNSSEC-secure: AS_ARC_DNSSEC",
          hop(hop(BASE, 1, seal_with=seal_by(RSA, b"secure.example", b"rsa2048")), 2,
              seal_with=seal_by(RSA, b"secure.example", b"rsa2048")))
    write("bogus.eml", "the seal key's answer is bogus: temperror dns_bogus",
          hop(BASE, 1, seal_with=seal_by(RSA, b"bogus.example", b"rsa2048")))


if __name__ == "__main__":
    main()
