#!/usr/bin/python3
"""test_report_arc.py - ARC overrides in DMARC aggregate reports (issue 21,
docs/dmarc-reports.md "Override reasons"), end to end: `authscore check
--report-log` through libunbound with the test zones, then `authscore
report`.

  list.eml         examples/messages: a list that tags the subject, sealed
                   by forwarder.example, which the example rules trust: the
                   row's override is trusted_forwarder (sealer named); the
                   report says trusted_forwarder, the comment naming the
                   rule and the sealer, disposition none;
  unreachable.eml  the same mail sealed by a trusted sealer whose keys DNS
                   cannot give (tests/arc/scenarios.py's case): ARC
                   temperror, the override undetermined.  The row keeps the
                   library's word ("temperror"); RFC 9990 has none for it,
                   so the report says type other, comment "arc_temperror:
                   RULE", disposition none, and the row is counted (it was
                   once skipped as malformed and the counts came out short);
  pass.eml         a row without an override, for the totals.
Each report validates against docs/dmarc-report.xsd (xmllint).
usage: test_report_arc.py PATH/TO/authscore.  Exit 0, 1, or 77 (SKIP)."""
import gzip
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fixture  # noqa: E402
from fixture import NOW  # noqa: E402

try:
    sys.path.insert(0, os.path.join(fixture.SRC, "tests", "arc"))
    import arcseal  # noqa: E402  (dkimpy: Debian's python3-dkim)
    from cryptography.hazmat.primitives import serialization  # noqa: E402
except ImportError as e:
    fixture.skip(f"{e.name} missing (Debian packages python3-dkim, python3-cryptography)")

NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
XSD = os.path.join(fixture.SRC, "docs", "dmarc-report.xsd")
# file, client IP, HELO, MAIL FROM, messages
SENT = [("list.eml", "198.51.100.25", "list.forwarder.example",
         "team-bounces@list.forwarder.example", 2),
        ("unreachable.eml", "203.0.113.9", "mx.relay.example", "bounces@relay.example", 3),
        ("pass.eml", "192.0.2.25", "mx.good.example", "alice@good.example", 1)]
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


fixture.need("xmllint", "libxml2-utils")
cli = sys.argv[1]
fx = fixture.Fixture(cli)
w = fx.work

# The unreachable sealer: tests/arc/scenarios.py's message, sealed now.
with open(os.path.join(fixture.SRC, "tests", "dkim", "data", "keys", "rsa2048.pem"), "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(os.path.join(fixture.EX, "messages", "forwarded.eml"), "rb") as f:
    orig = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
orig = orig[orig.index(b"DKIM-Signature:"):]
tagged = orig.replace(b"Subject: Team lunch\r\n", b"Subject: [team] Team lunch\r\n")
check(tagged != orig, "forwarded.eml: the subject to tag is gone")
with open(os.path.join(fx.msgs, "unreachable.eml"), "wb") as f:
    f.write(arcseal.seal(tagged, key=key, d=b"unreachable.test", s=b"arc",
                         srv_id=b"mx.unreachable.test",
                         results=b"spf=pass smtp.mailfrom=alice@good.example; dkim=pass "
                                 b"header.d=good.example header.s=sel2026; dmarc=pass "
                                 b"header.from=good.example"))
with open(os.path.join(fixture.EX, "messages", "list.eml"), "rb") as s, \
        open(os.path.join(fx.msgs, "list.eml"), "wb") as d:
    d.write(s.read())

# The example site's rules, which trust forwarder.example, plus the sealer
# no DNS answers for.
rules = os.path.join(w, "site.conf")
with open(rules, "w") as f:
    f.write('.include "%s"\n.include(priority=10) "%s"\n'
            % (os.path.join(fixture.EX, "authscore.conf"), os.path.join(w, "local.conf")))
with open(os.path.join(w, "local.conf"), "w") as f:
    f.write('lists { arc_trusted_sealers { domains = ["forwarder.example", '
            '"unreachable.test"]; } }\n')

env = os.path.join(w, "arc.envelopes")
n_msgs = fx.envelopes(env, SENT)
log = os.path.join(w, "arc.jsonl")
cmd = fx.check_cmd(env, "--report-log", log)
cmd[cmd.index("--rules") + 1] = rules
r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
if r.returncode:
    raise SystemExit(f"authscore check: {r.returncode}: {r.stderr[-2000:]}")

# The row log says what the library decided, in its own words.
rows = [json.loads(ln) for ln in open(log)]
check(len(rows) == n_msgs, f"{len(rows)} rows for {n_msgs} messages")
by_type = {}
for row in rows:
    for o in row["dmarc"]["overrides"]:
        by_type.setdefault(o["type"], []).append((row, o))
tf = by_type.get("trusted_forwarder", [])
te = by_type.get("temperror", [])
check(len(tf) == 2 and all(o["sealer"] == "forwarder.example" and o["comment"]
                           for _, o in tf), f"list.eml rows: {tf}")
check(len(te) == 3 and all(o["sealer"] is None and o["comment"] for _, o in te),
      f"unreachable.eml rows: the log keeps the library's temperror: {te}")
check(all(row["arc"]["result"] == "temperror" and row["dmarc"]["disposition"] == "none"
          for row, _ in te), "unreachable.eml rows: ARC temperror, disposition none")
check(set(by_type) == {"trusted_forwarder", "temperror"}, f"override types {sorted(by_type)}")
rule_tf = tf[0][1]["comment"] if tf else None
rule_te = te[0][1]["comment"] if te else None

# The report: every row counted, RFC 9990's words only.
out = os.path.join(w, "out")
os.mkdir(out)
rep = subprocess.run([cli, "report", "--log", log, "--org-name", "Receiver Example",
                      "--email", "dmarc-noreply@receiver.example", "--since", str(NOW - 3600),
                      "--until", str(NOW + 3600), "--now", str(NOW), "--out", out],
                     capture_output=True, text=True, timeout=120)
check(rep.returncode == 0, f"authscore report: {rep.returncode}: {rep.stderr}")
check("skipped" not in rep.stderr.replace("lines skipped", ""),
      f"a row was skipped: {rep.stderr}")
check(re.search(rf"\b{n_msgs} rows \(0 lines skipped\), 1 reports", rep.stderr),
      f"every row read: {rep.stderr}")
files = [f for f in os.listdir(out) if f.endswith(".xml.gz")]
check(len(files) == 1 and "!good.example!" in files[0], f"one report for good.example: {files}")
if files:
    path = os.path.join(out, files[0])
    xml = gzip.decompress(open(path, "rb").read())
    open(path + ".xml", "wb").write(xml)
    v = subprocess.run(["xmllint", "--noout", "--schema", XSD, path + ".xml"],
                       capture_output=True, text=True)
    check(v.returncode == 0, f"not valid against the XSD: {v.stderr[:600]}")
    root = ET.fromstring(xml)
    counts = {}
    total = 0
    for rec in root.findall(NS + "record"):
        ip = rec.findtext(f"{NS}row/{NS}source_ip")
        n = int(rec.findtext(f"{NS}row/{NS}count"))
        total += n
        ev = rec.find(f"{NS}row/{NS}policy_evaluated")
        why = [(x.findtext(NS + "type"), x.findtext(NS + "comment"))
               for x in ev.findall(NS + "reason")]
        counts[ip] = (counts.get(ip, (0,))[0] + n, ev.findtext(NS + "disposition"), why)
    check(total == n_msgs, f"counts add up to {total}, not the {n_msgs} messages")
    want = {"198.51.100.25": (2, "none",
                              [("trusted_forwarder", f"{rule_tf} (ARC sealer forwarder.example)")]),
            "203.0.113.9": (3, "none", [("other", f"arc_temperror: {rule_te}")]),
            "192.0.2.25": (1, None, [])}
    for ip, (n, disp, why) in want.items():
        got = counts.get(ip)
        check(got and got[0] == n and (disp is None or got[1] == disp) and got[2] == why,
              f"{ip}: {got}, want {n} messages, disposition {disp}, reasons {why}")

print(f"report-arc: {n_msgs} messages, {len(rows)} rows, {len(fails)} problems")
for f in fails:
    print("FAIL:", f)
fx.close()
sys.exit(1 if fails else 0)
