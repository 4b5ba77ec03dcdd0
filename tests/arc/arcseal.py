#!/usr/bin/python3
"""arcseal.py - a small ARC sealer (RFC 8617 5.1) for the tests only.

dkimpy's arc_sign refuses a 51st set and cannot write a broken one, and
the tests need both; so this follows RFC 8617 directly, with dkimpy's
canonicalization and header selection (as tests/dkim/data/make-fixtures.py
signs DKIM) and python3-cryptography for the keys.  Every chain it makes
of 50 sets or fewer is checked by dkimpy's own arc_verify in the tests
(tests/arc/scenarios.py), so the sealer and the module are not checked
against the same reading of the RFC.

    seal(message, key, d, s, srv_id, results, cv=None, ...) -> message
prepends one ARC set (ARC-Seal, ARC-Message-Signature,
ARC-Authentication-Results) with the next instance number."""
import base64
import hashlib
import re

import dkim
from dkim.canonicalization import Relaxed, Simple
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

CANON = {b"simple": Simple, b"relaxed": Relaxed}
ARC_NAMES = (b"arc-authentication-results", b"arc-message-signature", b"arc-seal")
AMS_H = (b"from", b"to", b"subject", b"date", b"message-id", b"dkim-signature",
         b"arc-authentication-results")


def fold(value, width=72):
    """Fold a tag list at its "; " and inside long values, as sealers do.
    Relaxed canonicalization (which the seal always uses) reads the folded
    value as the unfolded one, except inside b=, so a value is folded
    before anything signs it whole."""
    lines, cur = [], b""
    for tag in value.strip().split(b"; "):
        piece = (b"; " if cur else b"") + tag
        if cur and len(cur) + len(piece) > width:
            lines.append(cur + b";")
            cur = tag
        else:
            cur += piece
        while len(cur) > width and tag.startswith(b"b="):  # base64 only
            lines.append(cur[:width])
            cur = cur[width:]
    lines.append(cur)
    return b" " + b"\r\n\t".join(lines)


def instance_of(name, value):
    """The i= of an ARC field (None when it has none)."""
    if name.lower() == b"arc-authentication-results":
        m = re.match(rb"\s*i\s*=\s*(\d+)\s*;", value)
    else:
        m = re.search(rb"(?:^|;)\s*i\s*=\s*(\d+)", value)
    return int(m.group(1)) if m else None


def _sign(key, data, alg):
    if alg == b"ed25519-sha256":
        return key.sign(hashlib.sha256(data).digest())
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _relaxed(name, value, crlf=True):
    n, v = Relaxed.canonicalize_headers([[name, value]])[0]
    return n + b":" + (v if crlf else v.rstrip(b"\r\n"))


def ams(headers, body, key, d, s, i, t, h=AMS_H, c=(b"relaxed", b"relaxed"),
        alg=b"rsa-sha256"):
    """The ARC-Message-Signature value for (headers, body)."""
    hc, bc = CANON[c[0]], CANON[c[1]]
    bh = base64.b64encode(hashlib.sha256(bc.canonicalize_body(body)).digest())
    tags = [b"i=%d" % i, b"a=" + alg, b"c=" + c[0] + b"/" + c[1], b"d=" + d, b"s=" + s,
            b"t=%d" % t, b"h=" + b":".join(h), b"bh=" + bh, b"b="]
    value = b" " + b"; ".join(tags)
    signed = dkim.select_headers(hc.canonicalize_headers(headers), list(h))
    data = b"".join(n + b":" + v for n, v in signed)
    sn, sv = hc.canonicalize_headers([[b"ARC-Message-Signature", value]])[0]
    data += sn + b":" + sv.rstrip()
    return value + base64.b64encode(_sign(key, data, alg))


def seal_value(sets, key, d, s, i, cv, t, alg=b"rsa-sha256", extra=b""):
    """The ARC-Seal value over `sets` [(aar, ams, as)] of instances 1..i-1
    and the new set's (aar, ams) given as sets[i-1] = (aar, ams, None)."""
    tags = [b"i=%d" % i, b"a=" + alg, b"cv=" + cv, b"d=" + d, b"s=" + s, b"t=%d" % t]
    if extra:
        tags.append(extra)
    value = b" " + b"; ".join(tags) + b"; b="
    data = b""
    for k, (aar, am, se) in enumerate(sets):
        data += _relaxed(b"ARC-Authentication-Results", aar)
        data += _relaxed(b"ARC-Message-Signature", am)
        if k < len(sets) - 1:
            data += _relaxed(b"ARC-Seal", se)
    data += _relaxed(b"ARC-Seal", value, crlf=False)
    return value + base64.b64encode(_sign(key, data, alg))


def seal(msg, key, d, s, srv_id, results, cv=None, t=1795474365, h=AMS_H,
         alg=b"rsa-sha256", i=None, fold_aar=False, seal_with=None):
    """`msg` with one more ARC set on top.  cv: None for what the chain
    says (none at i=1, pass above); i: force an instance number;
    seal_with: (key, d, s, alg) of the ARC-Seal when not the AMS's."""
    skey, sd, ss, salg = seal_with or (key, d, s, alg)
    headers, body = dkim.rfc822_parse(msg)
    sets = {}
    for name, value in headers:
        if name.lower() in ARC_NAMES:
            n = instance_of(name, value)
            sets.setdefault(n, {})[name.lower()] = value
    i = i or (max(sets) + 1 if sets else 1)
    if cv is None:
        cv = b"none" if i == 1 else b"pass"
    sep = b"\r\n\t" if fold_aar else b" "
    aar = b" i=%d; %s;%s%s" % (i, srv_id, sep, results)
    with_aar = [[b"ARC-Authentication-Results", aar]] + headers
    am = fold(ams(with_aar, body, key, d, s, i, t, h=h, alg=alg))
    chain = [(sets[k][b"arc-authentication-results"], sets[k][b"arc-message-signature"],
              sets[k][b"arc-seal"]) for k in sorted(sets) if k < i]
    chain.append((aar, am, None))
    se = fold(seal_value(chain, skey, sd, ss, i, cv, t, alg=salg))
    top = (b"ARC-Seal:" + se + b"\r\nARC-Message-Signature:" + am +
           b"\r\nARC-Authentication-Results:" + aar + b"\r\n")
    return top + msg


def is_ed25519(key):
    return isinstance(key, ed25519.Ed25519PrivateKey)
