#!/usr/bin/python3
"""The main job end to end: every example message through the real
libunbound path against zones signed for this run.  Checks the JSON
contract's shape and what each example is there to show.  Exits 1 on any
problem; otherwise 77 (meson: SKIP) with `SKIP: reason` when a tool it
needs is missing, so a partial run never reports OK."""
import json
import subprocess
import sys

runner, cli = sys.argv[1], sys.argv[2]
out = subprocess.run([runner, cli, "--json"], capture_output=True, text=True, timeout=300)
if out.returncode == 77:  # tests/dns/sign-zones.sh: ldnsutils missing
    print("SKIP: examples/run.sh cannot sign the zones (ldnsutils missing)")
    sys.exit(77)
if out.returncode != 0:
    print(out.stderr)
    sys.exit(f"examples/run.sh exited {out.returncode}")
results = {}
# Several files: a summary follows on stderr (stdout stays JSON Lines).
if "summary: 7 files, 0 not scored" not in out.stderr:
    sys.exit(f"no summary on stderr: {out.stderr!r}")
for line in out.stdout.splitlines():
    obj = json.loads(line)
    results[obj["file"].rsplit("/", 1)[-1]] = obj

# The contract of the Foundation issue: every key present, null when an
# engine does not produce it.
TOP = ["file", "message", "spf", "dkim", "dmarc", "arc", "symbols", "score",
       "authentication_results"]
SPF = ["result", "domain", "dnssec", "lookups", "void_lookups", "reason"]
DKIM = ["d", "s", "a", "result", "reason", "dnssec", "key_bits"]
DMARC = ["result", "policy", "disposition", "spf_aligned", "dkim_aligned", "dnssec"]
ARC = ["result", "reason", "chain_length", "oldest_pass", "instances"]
ARC_SET = ["i", "d", "s", "seal", "ams", "dnssec"]
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
    check(all(k in r["arc"] for k in ARC), f"{name}: arc keys")
    for s in r["arc"]["instances"]:
        check(all(k in s for k in ARC_SET), f"{name}: arc instance keys")

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
    # A list tagged the subject: DKIM breaks, DMARC fails under p=reject,
    # and a trusted ARC sealer's word lowers the disposition; the result
    # stays fail (docs/arc.md).
    "list.eml": dict(spf="pass", dkim="fail", dkim_reason="signature_mismatch", dmarc="fail",
                     disposition="none", policy="reject"),
}
# ARC (RFC 8617): the chain of each example.
ARC_WANT = {"forwarded.eml": ("pass", 1, 0), "list.eml": ("pass", 1, 0)}
for name, r in results.items():
    a = r["arc"]
    want = ARC_WANT.get(name, ("none", 0, None))
    check((a["result"], a["chain_length"], a["oldest_pass"]) == want,
          f"{name}: arc {a['result']} {a['chain_length']} {a['oldest_pass']} != {want}")
    if want[0] == "pass":
        check(a["instances"] == [{"i": 1, "d": "forwarder.example", "s": "arc2026", "seal": "pass",
                                  "ams": "pass", "dnssec": "secure"}],
              f"{name}: arc instances {a['instances']}")
over = ((results.get("list.eml") or {}).get("dmarc") or {}).get("overrides")
check(over == [{"type": "trusted_forwarder", "comment": "AS_ARC_TRUSTED_OVERRIDE",
                "sealer": "forwarder.example", "instance": 1}], f"list.eml: overrides {over}")
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
    "list.eml": ["spf=pass smtp.mailfrom=team-bounces@list.forwarder.example",
                 'dkim=fail reason="signature_mismatch" header.d=good.example',
                 "arc=pass (i=1, d=forwarder.example, DNSSEC secure) header.oldest-pass=0 "
                 "smtp.remote-ip=198.51.100.25",
                 'dmarc=fail reason="unaligned" header.from=good.example policy.dmarc=reject '
                 "(override=trusted_forwarder, disposition=none, sealer=forwarder.example i=1, "
                 "DNSSEC secure)"],
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

# Golden: the symbols each example raises under examples/authscore.conf
# (the shipped weights plus the example site's list and rule), in the
# module's order, their weights, and the score.  Any change to a trigger or
# a shipped weight shows up here.
GOLDEN = {
    "pass.eml": [("R_SPF_ALLOW", -0.2), ("R_DKIM_ALLOW", -0.2), ("DMARC_POLICY_ALLOW", -0.5),
                 ("AS_DMARC_ALIGNED_DKIM", -0.2), ("AS_DMARC_ALIGNED_SPF", -0.1), ("ARC_NA", 0.0),
                 ("AS_SPF_DNSSEC", -0.1), ("AS_DKIM_DNSSEC", -0.1), ("AS_DMARC_DNSSEC", -0.1)],
    "spf-fail.eml": [("R_SPF_FAIL", 1.0), ("R_DKIM_NA", 0.0), ("DMARC_POLICY_SOFTFAIL", 0.1),
                     ("ARC_NA", 0.0), ("AS_SPF_DNSSEC", -0.1), ("AS_DMARC_DNSSEC", -0.1)],
    "dkim-body-modified.eml": [("R_SPF_ALLOW", -0.2), ("R_DKIM_REJECT", 1.0),
                               ("DMARC_POLICY_ALLOW", -0.5), ("AS_DMARC_ALIGNED_SPF", -0.1),
                               ("ARC_NA", 0.0), ("AS_SPF_DNSSEC", -0.1), ("AS_DMARC_DNSSEC", -0.1)],
    # The example rule: a payment subject without DMARC pass.
    "dmarc-reject.eml": [("R_SPF_FAIL", 1.0), ("R_DKIM_NA", 0.0), ("DMARC_POLICY_REJECT", 2.0),
                         ("ARC_NA", 0.0), ("AS_SPF_DNSSEC", -0.1), ("AS_DMARC_DNSSEC", -0.1),
                         ("EXAMPLE_PAYMENT_UNVERIFIED", 3.0)],
    "dnssec-bogus.eml": [("R_SPF_DNSFAIL", 0.0), ("R_DKIM_NA", 0.0), ("DMARC_DNSFAIL", 0.0),
                         ("ARC_NA", 0.0), ("AS_DNSSEC_BOGUS", 3.0)],
    # The trusted ARC sealer vouches: the SPF failure's weight is cancelled.
    "forwarded.eml": [("R_SPF_FAIL", 0.0), ("R_DKIM_ALLOW", -0.2), ("DMARC_POLICY_ALLOW", -0.5),
                      ("AS_DMARC_ALIGNED_DKIM", -0.2), ("ARC_ALLOW", -1.0), ("AS_SPF_DNSSEC", -0.1),
                      ("AS_DKIM_DNSSEC", -0.1), ("AS_DMARC_DNSSEC", -0.1), ("AS_ARC_DNSSEC", -0.1),
                      ("AS_TRUSTED_FORWARDER", 0.0)],
    # ... and for the tagged list copy, the DMARC penalty.
    "list.eml": [("R_SPF_ALLOW", -0.2), ("R_DKIM_REJECT", 1.0), ("DMARC_POLICY_REJECT", 0.0),
                 ("AS_DMARC_UNALIGNED_PASS", 0.0), ("ARC_ALLOW", -1.0), ("AS_SPF_DNSSEC", -0.1),
                 ("AS_DMARC_DNSSEC", -0.1), ("AS_ARC_DNSSEC", -0.1),
                 ("AS_ARC_TRUSTED_OVERRIDE", 0.0)],
}
SCORE = {"pass.eml": -1.5, "spf-fail.eml": 0.9, "dkim-body-modified.eml": 0.0,
         "dmarc-reject.eml": 5.8, "dnssec-bogus.eml": 3.0, "forwarded.eml": -2.3,
         "list.eml": -0.5}
OPTIONS = {("forwarded.eml", "R_SPF_FAIL"): ["-all", "cancelled_by:AS_TRUSTED_FORWARDER"],
           ("forwarded.eml", "AS_TRUSTED_FORWARDER"): ["arc_sealer in arc_trusted_sealers",
                                                       "forwarder.example i=1 dmarc=pass"],
           ("forwarded.eml", "ARC_ALLOW"): ["forwarder.example:s=arc2026:i=1"],
           ("list.eml", "AS_ARC_TRUSTED_OVERRIDE"): ["arc_sealer in arc_trusted_sealers",
                                                     "forwarder.example i=1 dmarc=pass"],
           ("list.eml", "DMARC_POLICY_REJECT"): ["good.example", "unaligned",
                                                 "cancelled_by:AS_ARC_TRUSTED_OVERRIDE"],
           ("dmarc-reject.eml", "EXAMPLE_PAYMENT_UNVERIFIED"): ["Subject"],
           ("dnssec-bogus.eml", "AS_DNSSEC_BOGUS"): ["spf:bogus.example", "dmarc:bogus.example"],
           ("pass.eml", "R_DKIM_ALLOW"): ["good.example:s=sel2026"]}
for name, want in GOLDEN.items():
    r = results.get(name) or {}
    got = [(x["name"], x["weight"]) for x in r.get("symbols") or []]
    check(got == want, f"{name}: symbols {got} != {want}")
    check(r.get("score") == SCORE[name], f"{name}: score {r.get('score')} != {SCORE[name]}")
    check(abs(sum(w for _, w in want) - SCORE[name]) < 1e-9, f"{name}: golden score is not the sum")
for (name, sym), opts in OPTIONS.items():
    r = results.get(name) or {}
    got = next((x["options"] for x in r.get("symbols") or [] if x["name"] == sym), None)
    check(got == opts, f"{name}: {sym} options {got} != {opts}")

# Golden A-R fields, whole (the bogus one ends in the validator's own words,
# so only its start is fixed).
AR_EXACT = {
    "pass.eml": "mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure); "
                "spf=none reason=\"no SPF record at mx.good.example\" smtp.helo=mx.good.example "
                "(DNSSEC secure); dkim=pass header.d=good.example header.s=sel2026 "
                "header.a=rsa-sha256 (2048-bit key, DNSSEC secure); dmarc=pass "
                "header.from=good.example policy.dmarc=reject (DNSSEC secure)",
    "dmarc-reject.eml": "mx.receiver.example; spf=fail reason=\"fail: '-all' matched in "
                        "good.example\" smtp.mailfrom=ceo@good.example (DNSSEC secure); spf=none "
                        "reason=\"no SPF record at mail.good.example\" smtp.helo=mail.good.example "
                        "(DNSSEC secure); dkim=none; dmarc=fail reason=\"no_authenticated_identifier\" "
                        "header.from=good.example policy.dmarc=reject (DNSSEC secure)",
    "forwarded.eml": "mx.receiver.example; spf=fail reason=\"fail: '-all' matched in good.example\" "
                     "smtp.mailfrom=alice@good.example (DNSSEC secure); spf=pass "
                     "smtp.helo=list.forwarder.example (DNSSEC secure); dkim=pass "
                     "header.d=good.example header.s=sel2026 header.a=rsa-sha256 (2048-bit key, "
                     "DNSSEC secure); arc=pass (i=1, d=forwarder.example, DNSSEC secure) "
                     "header.oldest-pass=0 smtp.remote-ip=198.51.100.25; dmarc=pass "
                     "header.from=good.example policy.dmarc=reject (DNSSEC secure)",
    "dkim-body-modified.eml": "mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example "
                              "(DNSSEC secure); spf=none reason=\"no SPF record at mx.good.example\" "
                              "smtp.helo=mx.good.example (DNSSEC secure); dkim=fail "
                              "reason=\"body_hash_mismatch\" header.d=good.example header.s=sel2026 "
                              "header.a=rsa-sha256 (2048-bit key, DNSSEC secure); dmarc=pass "
                              "header.from=good.example policy.dmarc=reject (DNSSEC secure)",
    "spf-fail.eml": "mx.receiver.example; spf=fail reason=\"fail: '-all' matched in "
                    "softpolicy.example\" smtp.mailfrom=news@softpolicy.example (DNSSEC secure); "
                    "spf=none reason=\"no SPF record at mail.softpolicy.example\" "
                    "smtp.helo=mail.softpolicy.example (DNSSEC secure); dkim=none; dmarc=fail "
                    "reason=\"no_authenticated_identifier\" header.from=softpolicy.example "
                    "policy.dmarc=none (DNSSEC secure)",
}
for name, want in AR_EXACT.items():
    got = (results.get(name) or {}).get("authentication_results")
    check(got == want, f"{name}: A-R\n  got  {got!r}\n  want {want!r}")
bogus = (results.get("dnssec-bogus.eml") or {}).get("authentication_results") or ""
check(bogus.startswith('mx.receiver.example; spf=temperror reason="DNSSEC bogus answer for TXT '
                       'bogus.example: '), f"dnssec-bogus.eml: A-R {bogus!r}")
check(bogus.endswith('dkim=none; dmarc=temperror reason="dns_bogus" header.from=bogus.example '
                     '(DNSSEC bogus)'), f"dnssec-bogus.eml: A-R {bogus!r}")

# What the module writes, read back by Debian's python3-authres: the same
# method results as the JSON.
skipped = []
try:
    import authres
except ImportError:
    authres = None
    skipped.append("python3-authres missing: A-R read-back not run")
if authres:
    for name, r in results.items():
        ar = r["authentication_results"]
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(ar)
        except Exception as e:  # a parse failure is the finding
            failures.append(f"{name}: python3-authres cannot parse {ar!r}: {e}")
            continue
        got = {(x.method, x.result) for x in parsed.results}
        want = set()
        for ident in ("mfrom", "helo"):
            if r["spf"][ident]:
                want.add(("spf", r["spf"][ident]["result"]))
        want |= {("dkim", d["result"]) for d in r["dkim"]} or {("dkim", "none")}
        if r["dmarc"]:
            want.add(("dmarc", r["dmarc"]["result"]))
        if r["arc"]["result"] != "none":
            want.add(("arc", r["arc"]["result"]))
        check(got == want, f"{name}: authres read {sorted(got)} != {sorted(want)}")

print(f"examples: {len(results)} messages, {len(failures)} problems")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
if skipped:
    print("SKIP: " + "; ".join(skipped))
    sys.exit(77)
sys.exit(0)
