#!/usr/bin/python3
"""make-pipeline-seeds.py - write the seed corpus of fuzz/fuzz_pipeline.

usage: /usr/bin/python3 tests/stress/make-pipeline-seeds.py [OUTDIR]
(default OUTDIR: fuzz/corpus/pipeline).  Only the output is committed.

Each seed encodes (layout: tests/stress/pipeline_driver.h) an example
message from examples/messages/ with its envelope from ENVELOPES, and a
zone section built from examples/zones/*.zone, so the fuzzer starts from
inputs that reach every engine: SPF matches, DKIM verifies a real
2048-bit signature, DMARC aligns.  Further seeds cover wire answers, the
tight-limit context, DNS failures, SPF limits, the DKIM signature cap, the
DMARC tree walk, IPv6 and the null reverse-path, and the stop/defer/skip
answer kinds.  Regression seeds (regress-*) are written by hand and kept.
"""
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples")

# enum values of include/authscore.h
OK, NODATA, NXDOMAIN, SERVFAIL, TIMEOUT = 0, 1, 2, 3, 4
WIRE, SKIP, STOP = 5, 6, 7
INDET, INSECURE, SECURE, BOGUS = 0, 1, 2, 3
QT = {"A": 1, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}

# Order of ip_table in pipeline_driver.c
IP_TABLE = ["192.0.2.25", "198.51.100.7", "203.0.113.66", "192.0.2.90",
            "198.51.100.25", "2001:db8::25", "::ffff:192.0.2.25"]
IP_NULL = 0xFF


def ctl(kind, dnssec=INSECURE, nrec=0):
    assert 0 <= nrec <= 7
    return kind | (dnssec << 3) | (nrec << 5)


def str8(s):
    if s is None:
        return b"\xff"
    b = s.encode() if isinstance(s, str) else s
    assert len(b) < 255
    return bytes([len(b)]) + b


def u16(n):
    return struct.pack("<H", n)


def load_zone(path):
    """(name, type, text rdata) of a zone template in examples/zones."""
    text = open(path).read()
    text = re.sub(r";[^\n\"]*(?=\n)", "", text)      # comments outside strings
    # join parenthesized continuation lines
    text = re.sub(r"\(([^)]*)\)", lambda m: " ".join(m.group(1).split()), text)
    origin, out = None, []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("$ORIGIN"):
            origin = line.split()[1].rstrip(".")
            continue
        if line.startswith("$"):
            continue
        parts = line.split(None, 3)
        name, _cls, typ, data = parts[0], parts[1], parts[2], parts[3]
        fq = origin if name == "@" else name + "." + origin
        if typ == "TXT":
            data = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', data))
        elif typ == "MX":
            data = data.rstrip(".")
        if typ in QT:
            out.append((fq, typ, data))
    return out


def zone_records(dnssec_of):
    recs = {}
    for fn in sorted(os.listdir(os.path.join(EX, "zones"))):
        for name, typ, data in load_zone(os.path.join(EX, "zones", fn)):
            recs.setdefault((name, typ), []).append(data)
    entries = []
    for (name, typ), datas in sorted(recs.items()):
        entries.append((name, typ, OK, dnssec_of(name), datas))
    return entries


def default_dnssec(name):
    return BOGUS if name.endswith("bogus.example") else SECURE


def wire_txt(name, strings_list, rcode=0):
    """A DNS response: the question and one TXT record per entry."""
    qn = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    hdr = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(strings_list), 0, 0)
    body = qn + struct.pack(">HH", 16, 1)
    for strings in strings_list:
        rd = b"".join(bytes([len(s)]) + s for s in strings)
        body += b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 300, len(rd)) + rd
    return hdr + body


def encode(ip, helo, mail_from, message, zone, stream=b"", flags=0, clock=0,
           raw_ip=None):
    out = bytes([flags, clock])
    if raw_ip is not None:
        b = raw_ip.encode()
        sel = 48 * 4 + len(b)  # >= the table size, != 0xff, % 48 == len
        assert sel % 48 == len(b) and sel != 0xFF
        out += bytes([sel]) + b
    else:
        out += bytes([IP_NULL if ip is None else IP_TABLE.index(ip)])
    out += str8(helo) + str8(mail_from)
    out += struct.pack("<I", len(message))[:3] + message
    out += bytes([len(zone)])
    for ent in zone:
        name, typ, kind, dnssec, payload = ent
        out += str8(name) + bytes([QT[typ]])
        if kind == WIRE:
            out += bytes([ctl(WIRE, dnssec)]) + u16(len(payload)) + payload
        else:
            recs = payload if kind == OK else []
            out += bytes([ctl(kind, dnssec, len(recs))])
            for r in recs:
                b = r.encode() if isinstance(r, str) else r
                out += u16(len(b)) + b
    return out + stream


def dkim_fixture_zone():
    """Entries from tests/dkim/data/keys.zone (the in-memory DNS format of
    module/dns/memdns.h): TXT records, TIMEOUT/SERVFAIL names, and
    SECURE/BOGUS zones."""
    path = os.path.join(ROOT, "tests", "dkim", "data", "keys.zone")
    if not os.path.exists(path):
        return None
    recs, fails, sec = {}, {}, {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        name, what = parts[0], parts[1]
        if what == "TXT":
            data = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', parts[2]))
            recs.setdefault(name, []).append(data)
        elif what in ("TIMEOUT", "SERVFAIL"):
            fails[name] = TIMEOUT if what == "TIMEOUT" else SERVFAIL
        elif what in ("SECURE", "BOGUS", "INSECURE"):
            sec[name] = {"SECURE": SECURE, "BOGUS": BOGUS, "INSECURE": INSECURE}[what]

    def dnssec(name):
        best = INSECURE
        for z, v in sorted(sec.items(), key=lambda kv: len(kv[0])):
            if name == z or name.endswith("." + z):
                best = v
        return best
    zone = [(n, "TXT", OK, dnssec(n), d[:7]) for n, d in sorted(recs.items())]
    zone += [(n, "TXT", k, dnssec(n), []) for n, k in sorted(fails.items())]
    return zone


def envelopes():
    envs = {}
    for line in open(os.path.join(EX, "messages", "ENVELOPES")):
        if not line.strip() or line.startswith("#"):
            continue
        f, ip, helo, mf = line.split()
        envs[f] = (ip, helo, "" if mf == "<>" else mf)
    return envs


def msg(name):
    return open(os.path.join(EX, "messages", name), "rb").read()


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus", "pipeline")
    os.makedirs(outdir, exist_ok=True)
    envs = envelopes()
    zone = zone_records(default_dnssec)
    seeds = {}

    # 1-6: every example with its envelope and the signed zones' data.
    for f, (ip, helo, mf) in sorted(envs.items()):
        seeds["example-" + f.replace(".eml", "")] = encode(ip, helo, mf, msg(f), zone)

    pass_env = envs["pass.eml"]
    pass_msg = msg("pass.eml")
    key = [d for (n, t, k, s, d) in zone if n.startswith("sel2026._domainkey")][0][0]

    # The key as a wire packet split in two character-strings, as served.
    kb = key.encode()
    pkt = wire_txt("sel2026._domainkey.good.example", [[kb[:200], kb[200:]]])
    wz = [e for e in zone if not e[0].startswith("sel2026.")]
    wz.append(("sel2026._domainkey.good.example", "TXT", WIRE, SECURE, pkt))
    seeds["pass-key-wire"] = encode(*pass_env, pass_msg, wz)

    # Tight-limit context, rfc7489 mode (PSL).
    seeds["pass-variant1"] = encode(*pass_env, pass_msg, zone, flags=1)
    # result() before any question; getters checked while resolving.
    seeds["pass-result-first"] = encode(*pass_env, pass_msg, zone, flags=2)
    seeds["pass-getters-resolving"] = encode(*pass_env, pass_msg, zone, flags=4)
    # The extremes of the host's clock (int64_t), on signed messages.
    seeds["clock-int64-max"] = encode(*pass_env, pass_msg, zone, clock=0xFF)
    seeds["clock-minus-one"] = encode(*pass_env, pass_msg, zone, clock=0xFC)
    # Regressions (tests/stress/test_pipeline.c names them): a negative
    # clock made `t - now` overflow in module/dkim/dkim.c (begin()).
    seeds["regress-dkim-t-clock-int64-min"] = encode(*pass_env, pass_msg, zone, clock=0xFE)
    sat = pass_msg.replace(b"t=1795474365;", b"t=99999999999999999999;")
    assert sat != pass_msg
    seeds["regress-dkim-t-saturated-clock-minus-one"] = encode(*pass_env, sat, zone, clock=0xFC)
    # A clock a year later: the signature's x= (if any) or t= checks.
    seeds["pass-clock-late"] = encode(*pass_env, pass_msg, zone, clock=128 + 52)

    # Every question times out / SERVFAILs / is bogus (from the stream).
    seeds["pass-all-timeout"] = encode(*pass_env, pass_msg, [], bytes([ctl(TIMEOUT)]) * 16)
    seeds["pass-all-servfail"] = encode(*pass_env, pass_msg, [], bytes([ctl(SERVFAIL, SECURE)]) * 16)
    bz = [(n, t, k, BOGUS, d) for (n, t, k, s, d) in zone]
    seeds["pass-all-bogus"] = encode(*pass_env, pass_msg, bz)

    # SPF: includes, a void-lookup chain, mx, exists, macros, exp=.
    spfz = [
        ("good.example", "TXT", OK, SECURE,
         ["v=spf1 include:a.good.example a:nx1.good.example a:nx2.good.example "
          "a:nx3.good.example mx exists:%{i}.%{l}.x.good.example "
          "redirect=b.good.example exp=exp.good.example"]),
        ("a.good.example", "TXT", OK, SECURE, ["v=spf1 include:c.good.example ?all"]),
        ("c.good.example", "TXT", OK, SECURE, ["v=spf1 ptr ip6:2001:db8::/32 -all"]),
        ("b.good.example", "TXT", OK, SECURE, ["v=spf1 a/24 mx:good.example//64 -all"]),
        ("exp.good.example", "TXT", OK, SECURE, ["%{s} is not allowed from %{i}"]),
        ("good.example", "MX", OK, SECURE, ["10 mx.good.example", "20 mx2.good.example"]),
        ("mx.good.example", "A", OK, SECURE, ["192.0.2.26"]),
    ]
    seeds["spf-limits"] = encode("198.51.100.7", "mx.good.example", "alice@good.example",
                                 pass_msg, spfz)
    # ptr and %{p}: the reverse name validated forward (RFC 7208 5.5).
    ptrz = [
        ("good.example", "TXT", OK, SECURE,
         ["v=spf1 exists:%{p}.%{v}.x.good.example ptr:good.example -all "
          "exp=exp.good.example"]),
        ("exp.good.example", "TXT", OK, SECURE, ["%{p} (%{i}) is not %{d}"]),
        ("25.2.0.192.in-addr.arpa", "PTR", OK, SECURE,
         ["mx.good.example", "other.example", "mx2.good.example"]),
        ("mx.good.example", "A", OK, SECURE, ["192.0.2.25"]),
        ("mx2.good.example", "A", OK, SECURE, ["192.0.2.99"]),
    ]
    seeds["spf-ptr"] = encode("192.0.2.25", "mx.good.example", "alice@good.example",
                              pass_msg, ptrz)
    v6 = "5.2.0.0." + "0.0.0.0." * 5 + "8.b.d.0.1.0.0.2.ip6.arpa"
    ptr6 = [("good.example", "TXT", OK, SECURE, ["v=spf1 ptr -all"]),
            (v6, "PTR", OK, SECURE, ["mx6.good.example"]),
            ("mx6.good.example", "AAAA", OK, SECURE, ["2001:db8::25"])]
    seeds["spf-ptr-v6"] = encode("2001:db8::25", "mx.good.example", "alice@good.example",
                                 pass_msg, ptr6)
    loop = [("good.example", "TXT", OK, SECURE, ["v=spf1 include:good.example -all"])]
    seeds["spf-include-loop"] = encode(*pass_env, pass_msg, loop)

    # Ten DKIM-Signature fields (nine copies + the original): the cap is 8.
    hdr, _, body = pass_msg.partition(b"\n\n")
    m = re.search(rb"(?ms)^DKIM-Signature:.*?(?=^\S)", hdr + b"\n")
    many = (m.group(0) * 9) + hdr + b"\n\n" + body
    seeds["dkim-ten-signatures"] = encode(*pass_env, many, zone)

    # DMARC: every tag, quarantine, strict alignment, pct sampling.
    def with_dmarc(rec):
        return [e for e in zone if e[0] != "_dmarc.good.example"] + \
            [("_dmarc.good.example", "TXT", OK, SECURE, [rec])]
    full = ("v=DMARC1; p=quarantine; sp=reject; np=none; pct=50; fo=0:1:d:s; "
            "rua=mailto:a@good.example!10m,mailto:c@good.example; "
            "ruf=mailto:b@good.example!1g; ri=3600; adkim=s; aspf=s; rf=afrf; t=y; psd=n")
    rej_env, rej_msg = envs["dmarc-reject.eml"], msg("dmarc-reject.eml")
    seeds["dmarc-full-record"] = encode(*rej_env, rej_msg, with_dmarc(full))
    # pct= only exists in RFC 7489 mode (the context variant 1).
    seeds["dmarc-pct0"] = encode(*rej_env, rej_msg,
                                 with_dmarc("v=DMARC1; p=reject; pct=0"), flags=1)
    seeds["dmarc-strict-pass"] = encode(*pass_env, pass_msg,
                                        with_dmarc("v=DMARC1; p=reject; adkim=s; aspf=s"))

    # DMARC tree walk from a deep author domain; IPv6 client, null sender.
    deep = pass_msg.replace(b"From: Alice <alice@good.example>",
                            b"From: Alice <alice@a.b.c.d.e.f.g.good.example>")
    seeds["dmarc-walk-deep"] = encode("2001:db8::25", "mx.good.example", "", deep, zone)
    seeds["mapped-ip-null-sender"] = encode("::ffff:192.0.2.25", "mx.good.example", "",
                                            pass_msg, zone)

    # Answer kinds: defer, skip, stop mid-way; raw client IP bytes.
    stream = bytes([ctl(SKIP), ctl(OK, SECURE, 1)]) + u16(10) + b"v=spf1 +al" + \
        bytes([ctl(NODATA), ctl(STOP)])
    seeds["stream-defer-stop"] = encode(*envs["dmarc-reject.eml"], msg("dmarc-reject.eml"),
                                        [], stream)
    skipz = [(n, t, SKIP, s, d) for (n, t, k, s, d) in zone if t == "MX"] + zone
    seeds["zone-skip"] = encode("203.0.113.66", "mail.good.example", "ceo@good.example",
                                msg("dmarc-reject.eml"), skipz)
    seeds["raw-ip"] = encode(None, "mx.good.example", "alice@good.example", pass_msg, zone,
                             raw_ip="192.0.2.025")

    # The DKIM engine's own fixtures (Ed25519, rsa-sha1, l=, over-signing,
    # many keys), when present, with their key records.
    dz = dkim_fixture_zone()
    ddir = os.path.join(ROOT, "tests", "dkim", "data")
    if dz:
        for fn in sorted(os.listdir(ddir)):
            if fn.endswith(".eml"):
                seeds["dkim-fixture-" + fn[:-4]] = encode(
                    "192.0.2.25", "mail.example.com", "alice@example.com",
                    open(os.path.join(ddir, fn), "rb").read(), dz[:250])

    # Real response packets (the DNS layer's fuzz corpus: compression,
    # CNAMEs, NSEC3 denials, split TXT) as a stream of wire answers.
    rdir = os.path.join(ROOT, "fuzz", "corpus", "dns_rdata")
    if os.path.isdir(rdir):
        stream = b""
        for fn in sorted(os.listdir(rdir)):
            pkt = open(os.path.join(rdir, fn), "rb").read()
            if len(pkt) < 0xFFFF:
                stream += bytes([ctl(WIRE, SECURE)]) + u16(len(pkt)) + pkt
        seeds["wire-stream"] = encode(*pass_env, pass_msg, [], stream)
        seeds["wire-stream-spf-fail"] = encode(*envs["spf-fail.eml"], msg("spf-fail.eml"),
                                               [], stream)

    for name, data in sorted(seeds.items()):
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(data)
    print("wrote %d seeds to %s" % (len(seeds), outdir))


if __name__ == "__main__":
    main()
