#!/usr/bin/python3
"""DKIM conformance runner: the published vectors in
$AUTHSCORE_CONFORMANCE/dkim, verified by dkim_verify_tool (the engine with
memdns serving each suite's DNS data).

    conformance.py TOOL

Cases (each counted once, SKIPPED when its files are absent):
  rfc8463       RFC 8463 A.3: the Ed25519 and the RSA signature both pass
  dkimpy:*      dkimpy/manifest.json verify_vectors give their expected
                results; dkimpy's sign-then-verify cases (test.message with
                test.txt/test2.txt pass; badversion/badk/test_bad do not)
  mailauth-ec   the RSA key split over several TXT strings passes
  rfc6376       Appendix A's published signature does not verify: it must
                be reported as a body hash or signature failure
rsa-sha1: RFC 8301 3.1 makes it permerror weak_algorithm by default.  A
published vector that expects rsa-sha1 to pass is run with the legacy
option dkim.accept_rsa_sha1 (TOOL --accept-rsa-sha1) and its line says
"(rsa-sha1, legacy option)"; none is dropped.  The stored suites have no
such vector today (dkimpy's manifest lists rsa-sha256 and ed25519-sha256
only; its sign-verify cases sign rsa-sha256), so the counts did not move.
Prints `N passed, N failed, N skipped`.  A failure exits 1; otherwise any
skipped case (the suite or one of its parts absent) exits 77 (meson: SKIP)
with a line `SKIP: reason`, so a partial run never reports OK.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

FIXED_NOW = 1700000000  # after every t= in the suites; none has x=


def quote(txt):
    return '"' + txt.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Runner:
    def __init__(self, tool, root, work):
        self.tool, self.root, self.work = tool, root, work
        self.passed = self.failed = self.skipped = 0
        self.why = []  # "case: reason" of every skipped case
        self.n = 0

    def verify(self, zone_lines, msg_path, now=FIXED_NOW, flags=()):
        self.n += 1
        zone = os.path.join(self.work, "zone%d.txt" % self.n)
        with open(zone, "w") as f:
            f.write("\n".join(zone_lines) + "\n")
        out = subprocess.run([self.tool] + list(flags) +
                             [zone, str(now), msg_path],
                             capture_output=True, check=False)
        if out.returncode != 0:
            return None
        return [l.split("\t") for l in out.stdout.decode().splitlines()]

    def case(self, name, ok, detail=""):
        if ok is None:
            self.skipped += 1
            self.why.append("%s: %s" % (name, detail))
            print("skip %s %s" % (name, detail))
        elif ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))

    def path(self, *p):
        full = os.path.join(self.root, *p)
        return full if os.path.exists(full) else None


def zone_from_dnstxt(path):
    lines = []
    for l in open(path):
        l = l.strip()
        if not l or l.startswith(";"):
            continue
        name, value = l.split(None, 1)
        lines.append("%s TXT %s" % (name, quote(value)))
    return lines


def algorithms(msg_path):
    """The a= of each DKIM-Signature field of a message, in order."""
    head = open(msg_path, "rb").read().replace(b"\r\n", b"\n")
    head = head.split(b"\n\n", 1)[0].replace(b"\n ", b" ").replace(b"\n\t", b" ")
    out = []
    for field in head.split(b"\n"):
        if field.lower().startswith(b"dkim-signature:"):
            m = re.search(rb"(?:^|;)\s*a\s*=\s*([A-Za-z0-9-]+)", field[15:])
            out.append(m.group(1).decode().lower() if m else "")
    return out


def expect(rows, words):
    got = [r[2] for r in rows] if rows is not None else None
    return got == words, "got %s want %s" % (got, words)


def rfc8463(r):
    d = r.path("rfc8463")
    if not d:
        return r.case("rfc8463", None, "absent")
    rows = r.verify(zone_from_dnstxt(os.path.join(d, "dns.txt")),
                    os.path.join(d, "signed.eml"))
    ok, det = expect(rows, ["pass", "pass"])
    if ok:
        ok = [x[6] for x in rows] == ["ed25519-sha256", "rsa-sha256"]
    r.case("rfc8463", ok, det)


def dkimpy(r):
    d = r.path("dkimpy")
    if not d or not os.path.exists(os.path.join(d, "manifest.json")):
        return r.case("dkimpy", None, "absent")
    man = json.load(open(os.path.join(d, "manifest.json")))
    test_txt = open(os.path.join(d, "test.txt")).read().strip()
    zone = []
    for name, value in man["dns"].items():
        if value.startswith("("):  # "(contents of test.txt; ...)"
            value = test_txt
        zone.append("%s TXT %s" % (name, quote(value)))
    for vec in man["verify_vectors"]:
        legacy = any(alg == "rsa-sha1" and e == "pass" for alg, e in
                     zip(algorithms(os.path.join(d, vec["message"])),
                         vec["expect"]))
        rows = r.verify(zone, os.path.join(d, vec["message"]),
                        flags=["--accept-rsa-sha1"] if legacy else [])
        ok, det = expect(rows, vec["expect"])
        r.case("dkimpy:" + vec["message"] +
               (" (rsa-sha1, legacy option)" if legacy else ""), ok, det)

    # dkimpy's sign-then-verify tests with its key files.
    try:
        import dkim
    except ImportError:
        return r.case("dkimpy:sign-verify", None, "python3-dkim absent")
    msg = open(os.path.join(d, "test.message"), "rb").read()
    priv = open(os.path.join(d, "test.private"), "rb").read()
    for canon in ((b"simple", b"simple"), (b"relaxed", b"relaxed")):
        signed = dkim.sign(msg, b"test", b"example.com", priv,
                           canonicalize=canon) + msg
        p = os.path.join(r.work, "dkimpy-%s.eml" % canon[0].decode())
        open(p, "wb").write(signed)
        for rec, want in (("test.txt", "pass"), ("test2.txt", "pass"),
                          ("badversion.txt", "permerror"),
                          ("badk.txt", "permerror"),
                          ("test_bad.txt", "permerror")):
            value = open(os.path.join(d, rec)).read().strip()
            rows = r.verify(["test._domainkey.example.com TXT " + quote(value)],
                            p, now=int(time.time()))
            ok, det = expect(rows, [want])
            r.case("dkimpy:sign-%s-%s" % (canon[0].decode(), rec), ok, det)
    ed_msg = open(os.path.join(d, "ed25519test.msg"), "rb").read()
    seed = open(os.path.join(d, "ed25519test.key"), "rb").read().strip()
    dns = open(os.path.join(d, "ed25519test.dns")).read().strip()
    signed = dkim.sign(ed_msg, b"test", b"example.com", seed,
                       signature_algorithm=b"ed25519-sha256") + ed_msg
    p = os.path.join(r.work, "dkimpy-ed.eml")
    open(p, "wb").write(signed)
    rows = r.verify(["test._domainkey.example.com TXT " + quote(dns)], p,
                    now=int(time.time()))
    ok, det = expect(rows, ["pass"])
    r.case("dkimpy:sign-ed25519", ok, det)


def mailauth_ec(r):
    d = r.path("mailauth-ec")
    if not d:
        return r.case("mailauth-ec", None, "absent")
    dns = json.load(open(os.path.join(d, "dns.json")))
    zone = []
    split = False
    for name, types in dns.items():
        for strings in types.get("TXT", []):
            split |= len(strings) > 1 and "_domainkey" in name
            zone.append("%s TXT %s" % (name, " ".join(quote(s) for s in strings)))
    rows = r.verify(zone, os.path.join(d, "signed.eml"))
    ok, det = expect(rows, ["pass", "pass"])
    r.case("mailauth-ec (key in %s TXT strings)" %
           ("several" if split else "one"), ok and split, det)


def rfc6376(r):
    d = r.path("rfc6376")
    if not d:
        return r.case("rfc6376", None, "absent")
    rows = r.verify(zone_from_dnstxt(os.path.join(d, "dns.txt")),
                    os.path.join(d, "appendix-A2-signed.eml"))
    ok = rows is not None and len(rows) == 1 and rows[0][2] == "fail" and \
        rows[0][3] in ("body_hash_mismatch", "signature_mismatch")
    r.case("rfc6376 appendix A (known not to verify)", ok, str(rows))


def main():
    tool = sys.argv[1]
    base = os.environ.get("AUTHSCORE_CONFORMANCE", "")
    root = os.path.join(base, "dkim")
    with tempfile.TemporaryDirectory(prefix="dkim-conf-") as work:
        r = Runner(tool, root, work)
        if not base or not os.path.isdir(root):
            # Every case is reported as skipped, never as passed.
            print("0 passed, 0 failed, 4 skipped")
            print("SKIP: DKIM conformance suite absent: %s" % root)
            return 77
        rfc8463(r)
        dkimpy(r)
        mailauth_ec(r)
        rfc6376(r)
        print("%d passed, %d failed, %d skipped" %
              (r.passed, r.failed, r.skipped))
        if r.failed:
            return 1
        if r.skipped:
            print("SKIP: %s" % "; ".join(r.why))
            return 77
        return 0


if __name__ == "__main__":
    sys.exit(main())
