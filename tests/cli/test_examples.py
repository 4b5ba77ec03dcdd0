#!/usr/bin/python3
"""The main job end to end: every example message through the real
libunbound path against zones signed for this run.  Checks the JSON
contract's shape and what each example is there to show."""
import json
import subprocess
import sys

runner, cli = sys.argv[1], sys.argv[2]
out = subprocess.run([runner, cli, "--json"], capture_output=True, text=True, timeout=300)
if out.returncode != 0:
    print(out.stderr)
    sys.exit(f"examples/run.sh exited {out.returncode}")
results = {}
for line in out.stdout.splitlines():
    obj = json.loads(line)
    results[obj["file"].rsplit("/", 1)[-1]] = obj

# The contract of the Foundation issue: every key present, null when an
# engine does not produce it.
TOP = ["file", "message", "spf", "dkim", "dmarc", "symbols", "score", "authentication_results"]
SPF = ["result", "domain", "dnssec", "lookups", "void_lookups", "reason"]
DKIM = ["d", "s", "a", "result", "reason", "dnssec", "key_bits"]
DMARC = ["result", "policy", "disposition", "spf_aligned", "dkim_aligned", "dnssec"]
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

for name, r in results.items():
    for k in TOP:
        check(k in r, f"{name}: key {k} missing")
    check(set(r["message"]) >= {"from", "from_domain", "dkim_signatures"}, f"{name}: message keys")
    for ident in ("mfrom", "helo"):
        s = r["spf"][ident]
        check(s is None or all(k in s for k in SPF), f"{name}: spf.{ident} keys")
    for d in r["dkim"]:
        check(all(k in d for k in DKIM), f"{name}: dkim keys")
    check(r["dmarc"] is None or all(k in r["dmarc"] for k in DMARC), f"{name}: dmarc keys")

expected = {
    "pass.eml": dict(spf="pass", dkim="pass", dmarc="pass", disposition="none", dnssec="secure"),
    "dkim-body-modified.eml": dict(spf="pass", dkim="fail", dkim_reason="body_hash_mismatch",
                                   dmarc="pass"),
    "dmarc-reject.eml": dict(spf="fail", dkim=None, dmarc="fail", disposition="reject",
                             policy="reject"),
    "spf-fail.eml": dict(spf="fail", dkim=None, dmarc="fail", disposition="none", policy="none"),
    "dnssec-bogus.eml": dict(spf="temperror", spf_dnssec="bogus", dmarc="temperror",
                             dnssec="bogus"),
    "forwarded.eml": dict(spf="fail", dkim="pass", dmarc="pass", disposition="none"),
}
for name, want in expected.items():
    r = results.get(name)
    if r is None:
        failures.append(f"{name}: no result")
        continue
    sp = r["spf"]["mfrom"] or {}
    if "spf" in want:
        check(sp.get("result") == want["spf"], f"{name}: spf {sp.get('result')} != {want['spf']}")
        check(bool(sp.get("domain")), f"{name}: spf domain missing")
    if "spf_dnssec" in want:
        check(sp.get("dnssec") == want["spf_dnssec"], f"{name}: spf dnssec {sp.get('dnssec')}")
    dk = r["dkim"][0] if r["dkim"] else None
    if "dkim" in want:
        check((dk and dk["result"]) == want["dkim"] if want["dkim"] else dk is None,
              f"{name}: dkim {dk and dk['result']} != {want['dkim']}")
    if "dkim_reason" in want:
        check(dk and dk["reason"] == want["dkim_reason"], f"{name}: dkim reason {dk and dk['reason']}")
    dm = r["dmarc"] or {}
    for key, field in (("dmarc", "result"), ("disposition", "disposition"), ("policy", "policy"),
                       ("dnssec", "dnssec")):
        if key in want:
            check(dm.get(field) == want[key], f"{name}: dmarc {field} {dm.get(field)} != {want[key]}")
    if name == "pass.eml" and dk:
        check(dk["dnssec"] == "secure" and dk["key_bits"] == 2048, f"{name}: key {dk}")

# The Authentication-Results field value (RFC 8601): what each example
# must say, as substrings; the authserv-id is the one run.sh configures.
AR = {
    "pass.eml": ["mx.receiver.example; ", "spf=pass smtp.mailfrom=alice@good.example",
                 "dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256 "
                 "(2048-bit key, DNSSEC secure)",
                 "dmarc=pass header.from=good.example policy.dmarc=reject (DNSSEC secure)"],
    "spf-fail.eml": ["spf=fail ", "dkim=none", "dmarc=fail ", "header.from=softpolicy.example",
                     "policy.dmarc=none"],
    "dkim-body-modified.eml": ['dkim=fail reason="body_hash_mismatch" header.d=good.example',
                               "spf=pass smtp.mailfrom=alice@good.example", "dmarc=pass "],
    "dmarc-reject.eml": ["spf=fail ", "dkim=none", "dmarc=fail ", "policy.dmarc=reject"],
    "dnssec-bogus.eml": ["spf=temperror ", "(DNSSEC bogus)", "dmarc=temperror"],
    "forwarded.eml": ["spf=fail ", "dkim=pass header.d=good.example", "dmarc=pass "],
}
for name, parts in AR.items():
    r = results.get(name)
    ar = r and r.get("authentication_results")
    check(isinstance(ar, str), f"{name}: no authentication_results")
    if not isinstance(ar, str):
        continue
    check(ar.startswith("mx.receiver.example; "), f"{name}: authserv-id in {ar!r}")
    check(not any(c in ar for c in "\r\n\0"), f"{name}: CR/LF/NUL in A-R")
    for part in parts:
        check(part in ar, f"{name}: {part!r} not in A-R {ar!r}")

print(f"examples: {len(results)} messages, {len(failures)} problems")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
