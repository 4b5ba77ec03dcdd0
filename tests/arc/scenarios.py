#!/usr/bin/python3
"""scenarios.py - forwarded mail through `authscore check --json` with the
example zones, signed now (tests/dns/sign-zones.sh) and served by
libunbound, under the example site's rules (examples/authscore.conf:
forwarder.example is a trusted ARC sealer).

Messages are made at test time: good.example's DKIM-signed mail (the one
examples/messages/forwarded.eml carries) relayed by list hosts that seal
with ARC (tests/arc/arcseal.py):
  trusted    a list tags the subject and seals as forwarder.example: DMARC
             fails, the penalty is cancelled (AS_ARC_TRUSTED_OVERRIDE),
             the disposition drops to none, the result stays fail, and the
             A-R header says why (override=trusted_forwarder);
  untrusted  the same, sealed by relay.example (not in the list): no
             override, the reject stands;
  broken     the trusted copy with its seal changed: arc=fail, no override;
  unreachable  sealed by a trusted sealer whose keys DNS cannot give:
             arc=temperror, and fail closed: no override, but no reject
             either (the disposition is none, the override "temperror");
  fifty-one  51 sets: arc=fail (too_many_sets);
  fifty      50 sets with large headers: arc=pass, in bounded time.
Every chain of 50 sets or fewer is also checked with dkimpy's arc_verify,
so the sealer and the module are not judged by one reading of the RFC.
usage: scenarios.py PATH/TO/authscore   (exit 77: ldnsutils missing)"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import arcseal  # noqa: E402
import dkim  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

cli = sys.argv[1]
NOW = 1795478000           # the examples' clock (examples/run.sh)
BOUND_SECONDS = 10.0       # the 50-set message, also under ASan+UBSan
LIST = ("198.51.100.25", "list.forwarder.example", "team-bounces@list.forwarder.example")
RELAY = ("203.0.113.9", "mx.relay.example", "bounces@relay.example")
RESULTS = (b"spf=pass smtp.mailfrom=alice@good.example; dkim=pass header.d=good.example "
           b"header.s=sel2026; dmarc=pass header.from=good.example")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def pub(k):
    der = k.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def original():
    """good.example's signed message, as it left good.example."""
    with open(os.path.join(SRC, "examples", "messages", "forwarded.eml"), "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data[data.index(b"DKIM-Signature:"):]


def zone_txt(path):
    """The TXT records of an unsigned zone template, for dkimpy."""
    out, origin = {}, ""
    text = open(path).read()
    for m in re.finditer(r"^\$ORIGIN\s+(\S+)", text, re.M):
        origin = m.group(1).rstrip(".")
    for m in re.finditer(r"^(\S+)\s+IN\s+TXT\s+\(?([^)\n]*(?:\n[^)\n]*)*?)\)?\s*$", text, re.M):
        name = m.group(1) if m.group(1).endswith(".") else m.group(1) + "." + origin
        out[name.rstrip(".")] = "".join(re.findall(r'"([^"]*)"', m.group(2))).encode()
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="authscore-arc-scenarios-")
    z = os.path.join(SRC, "examples", "zones")
    fwd_key = key(os.path.join(SRC, "examples", "keys", "arc-forwarder.pem"))
    relay_key = key(os.path.join(SRC, "tests", "dkim", "data", "keys", "rsa2048.pem"))
    p = pub(relay_key)
    relay_zone = os.path.join(tmp, "relay.example.zone")
    with open(relay_zone, "w") as f:
        f.write("$ORIGIN relay.example.\n$TTL 3600\n"
                "@ IN SOA ns1.example. hostmaster.relay.example. 1 7200 3600 1209600 300\n"
                "@ IN NS ns1.example.\n"
                'arc._domainkey IN TXT ( "v=DKIM1; k=rsa; p=%s" "%s" )\n' % (p[:200], p[200:]))
    zones = [os.path.join(z, n) for n in ("example.zone", "good.example.zone",
                                          "softpolicy.example.zone", "forwarder.example.zone")]
    rc = subprocess.run([os.path.join(SRC, "tests", "dns", "sign-zones.sh"),
                         os.path.join(tmp, "signed")] + zones + [relay_zone],
                        capture_output=True, text=True)
    if rc.returncode == 77:
        print("SKIP: ldnsutils (ldns-keygen, ldns-signzone) missing: cannot sign the zones")
        sys.exit(77)
    if rc.returncode:
        sys.exit("sign-zones.sh failed: " + rc.stderr)
    txt = {}
    for path in zones + [relay_zone]:
        txt.update(zone_txt(path))

    def dnsfunc(name, timeout=5):
        return txt.get((name.decode() if isinstance(name, bytes) else name).rstrip("."))

    trusted = dict(key=fwd_key, d=b"forwarder.example", s=b"arc2026",
                   srv_id=b"list.forwarder.example", results=RESULTS)
    untrusted = dict(key=relay_key, d=b"relay.example", s=b"arc",
                     srv_id=b"mx.relay.example", results=RESULTS)
    base = original()
    tagged = base.replace(b"Subject: Team lunch\r\n", b"Subject: [team] Team lunch\r\n")
    msgs = {"trusted.eml": (arcseal.seal(tagged, **trusted), LIST),
            "untrusted.eml": (arcseal.seal(tagged, **untrusted), RELAY)}
    t = msgs["trusted.eml"][0]
    s0 = t.index(b"ARC-Seal:")
    ts = re.search(rb"t=(\d+)", t[s0:])
    broken = t[:s0] + t[s0:].replace(ts.group(0), b"t=%d" % (int(ts.group(1)) + 1), 1)
    msgs["broken.eml"] = (broken, LIST)
    # A trusted sealer whose zone no server answers for (SERVFAIL).
    gone = dict(untrusted, d=b"unreachable.test", srv_id=b"mx.unreachable.test")
    msgs["unreachable.eml"] = (arcseal.seal(tagged, **gone), RELAY)
    # 50 sets with large headers: every hop adds 7 KB of its own header and
    # writes a 6 KB AAR, so each seal hashes every earlier set's.
    m = base
    for i in range(1, 52):
        hop = dict(trusted if i % 2 else untrusted)
        hop["results"] = RESULTS + b"; x-note=" + b"n" * 6000 if i <= 50 else RESULTS
        m = b"X-Hop-%d: %s\r\n" % (i, b"h" * 7000) + m if i <= 50 else m
        m = arcseal.seal(m, **hop)
        if i == 50:
            msgs["fifty.eml"] = (m, LIST)
    msgs["fifty-one.eml"] = (m, RELAY)
    msgs["one.eml"] = (arcseal.seal(base, **trusted), LIST)

    env = os.path.join(tmp, "ENVELOPES")
    with open(env, "w") as f:
        for name, (data, (ip, helo, mf)) in msgs.items():
            with open(os.path.join(tmp, name), "wb") as g:
                g.write(data)
            f.write(f"{name} {ip} {helo} {mf}\n")

    rules = os.path.join(tmp, "site.conf")
    with open(rules, "w") as f:
        f.write('.include "%s"\n.include(priority=10) "local.conf"\n'
                % os.path.join(SRC, "examples", "authscore.conf"))
    with open(os.path.join(tmp, "local.conf"), "w") as f:
        f.write('lists { arc_trusted_sealers { domains = ["forwarder.example", '
                '"unreachable.test"]; } }\n')

    def run(names):
        sub = os.path.join(tmp, "env-" + "-".join(names))
        with open(sub, "w") as f:
            for line in open(env):
                if line.split()[0] in names:
                    f.write(line)
        t0 = time.monotonic()
        out = subprocess.run([cli, "check", "--dns-config",
                              os.path.join(tmp, "signed", "unbound-serverless.conf"),
                              "--trust-anchor", "none", "--dns-timeout", "3000",
                              "--authserv-id", "mx.receiver.example", "--now", str(NOW),
                              "--rules", rules,
                              "--json", "--envelopes", sub],
                             capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
        if out.returncode:
            sys.exit(f"authscore exited {out.returncode}: {out.stderr[-2000:]}")
        res = {}
        for line in out.stdout.splitlines():
            obj = json.loads(line)
            res[os.path.basename(obj["file"])] = obj
        return res, took

    res, _ = run(["trusted.eml", "untrusted.eml", "broken.eml", "fifty-one.eml",
                  "unreachable.eml"])
    one, t_one = run(["one.eml"])
    fifty, t_fifty = run(["fifty.eml"])
    res.update(one)
    res.update(fifty)

    def sym(r, name):
        return next((s for s in r["symbols"] if s["name"] == name), None)

    # A list that tags the subject, sealed by a trusted sealer.
    r = res["trusted.eml"]
    check(r["dkim"][0]["result"] == "fail", f"trusted: DKIM {r['dkim'][0]['result']}")
    check(r["dmarc"]["result"] == "fail", "trusted: the DMARC result stays fail")
    check(r["dmarc"]["disposition"] == "none", f"trusted: disposition {r['dmarc']['disposition']}")
    check(r["arc"]["result"] == "pass", f"trusted: arc {r['arc']}")
    check(r["dmarc"]["overrides"] == [{"type": "trusted_forwarder",
                                       "comment": "AS_ARC_TRUSTED_OVERRIDE",
                                       "sealer": "forwarder.example", "instance": 1}],
          f"trusted: overrides {r['dmarc']['overrides']}")
    s = sym(r, "DMARC_POLICY_REJECT")
    check(s and s["weight"] == 0 and "cancelled_by:AS_ARC_TRUSTED_OVERRIDE" in s["options"],
          f"trusted: the DMARC penalty is not cancelled: {s}")
    check(sym(r, "AS_ARC_TRUSTED_OVERRIDE") is not None, "trusted: no AS_ARC_TRUSTED_OVERRIDE")
    ar = r["authentication_results"]
    check("; arc=pass (i=1, d=forwarder.example, DNSSEC secure) header.oldest-pass=0 "
          "smtp.remote-ip=198.51.100.25" in ar, f"trusted: A-R {ar}")
    check('dmarc=fail reason="unaligned" header.from=good.example policy.dmarc=reject '
          "(override=trusted_forwarder, disposition=none, sealer=forwarder.example i=1, "
          "DNSSEC secure)" in ar, f"trusted: A-R says why: {ar}")

    # The same with an untrusted sealer: no override.
    r = res["untrusted.eml"]
    check(r["arc"]["result"] == "pass", f"untrusted: arc {r['arc']}")
    check(r["arc"]["instances"][0]["d"] == "relay.example", "untrusted: sealer")
    check(r["dmarc"]["result"] == "fail" and r["dmarc"]["disposition"] == "reject",
          f"untrusted: DMARC {r['dmarc']['result']} {r['dmarc']['disposition']}")
    check(r["dmarc"]["overrides"] == [], f"untrusted: overrides {r['dmarc']['overrides']}")
    s = sym(r, "DMARC_POLICY_REJECT")
    check(s and s["weight"] == 2.0, f"untrusted: the penalty stands: {s}")
    check(sym(r, "AS_ARC_TRUSTED_OVERRIDE") is None, "untrusted: override fired")
    check("override" not in r["authentication_results"], "untrusted: A-R names an override")

    # A broken seal.
    r = res["broken.eml"]
    check(r["arc"]["result"] == "fail" and r["arc"]["reason"] == "seal:signature_mismatch",
          f"broken: arc {r['arc']}")
    check(sym(r, "ARC_REJECT") is not None and sym(r, "ARC_ALLOW") is None, "broken: symbols")
    check(r["dmarc"]["disposition"] == "reject", "broken: no override on a failed chain")
    check('arc=fail reason="seal:signature_mismatch"' in r["authentication_results"],
          f"broken: A-R {r['authentication_results']}")

    # A trusted sealer whose keys cannot be had: fail closed.
    r = res["unreachable.eml"]
    check(r["arc"]["result"] == "temperror", f"unreachable: arc {r['arc']}")
    check(r["dmarc"]["result"] == "fail" and r["dmarc"]["disposition"] == "none",
          f"unreachable: DMARC {r['dmarc']['result']} {r['dmarc']['disposition']}")
    check(r["dmarc"]["overrides"] == [{"type": "temperror", "comment": "AS_ARC_TRUSTED_OVERRIDE",
                                       "sealer": None, "instance": None}],
          f"unreachable: overrides {r['dmarc']['overrides']}")
    check(sym(r, "AS_ARC_TRUSTED_OVERRIDE") is None, "unreachable: the override fired")
    check("(override=temperror, arc temperror" in r["authentication_results"],
          f"unreachable: A-R {r['authentication_results']}")

    # 51 sets.
    r = res["fifty-one.eml"]
    check(r["arc"]["result"] == "fail" and r["arc"]["reason"] == "too_many_sets"
          and r["arc"]["chain_length"] == 51 and r["arc"]["instances"] == [],
          f"fifty-one: arc {r['arc']}")
    check(sym(r, "ARC_INVALID") is not None, "fifty-one: ARC_INVALID")

    # 50 sets with large headers, in bounded time.
    r = res["fifty.eml"]
    size = len(msgs["fifty.eml"][0])
    check(r["arc"]["result"] == "pass" and r["arc"]["chain_length"] == 50
          and r["arc"]["oldest_pass"] == 0 and len(r["arc"]["instances"]) == 50,
          f"fifty: arc {r['arc']['result']} {r['arc']['reason']} {r['arc']['chain_length']}")
    check(t_fifty < BOUND_SECONDS, f"fifty: {t_fifty:.2f} s, over the {BOUND_SECONDS} s bound")
    print(f"arc-scenarios: 50 sets, {size} bytes of message: {t_fifty * 1000:.0f} ms for the "
          f"whole authscore run (one set: {t_one * 1000:.0f} ms)")

    # dkimpy agrees on every chain it can read (at most 50 sets).
    for name in ("trusted.eml", "untrusted.eml", "broken.eml", "one.eml", "fifty.eml"):
        cv = dkim.arc_verify(msgs[name][0], dnsfunc=dnsfunc)[0]
        ours = res[name]["arc"]["result"]
        check((cv or b"fail").decode() == ours, f"{name}: dkimpy says {cv}, authscore {ours}")

    print(f"arc-scenarios: {len(msgs)} messages, {len(failures)} problems")
    for f in failures:
        print("FAIL:", f)
    subprocess.run(["rm", "-rf", tmp])
    sys.exit(1 if failures else 0)


main()
