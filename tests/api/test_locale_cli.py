#!/usr/bin/python3
"""The `authscore` command under LC_ALL=de_DE.UTF-8: it calls
setlocale(LC_ALL, "") like any host, and every number it writes (JSON
weights and score, the text report, the summary line, rules-check) still
uses '.'.  A rule with weight 1.25 makes sure there are decimals to get
wrong.  Offline: every upstream address is refused.
usage: test_locale_cli.py AUTHSCORE_CLI
Exits 77 (SKIP) when de_DE.UTF-8 is not installed (Debian: locales-all)."""
import json
import locale
import os
import re
import subprocess
import sys
import tempfile

cli = sys.argv[1]
root = os.environ["AUTHSCORE_SOURCE_ROOT"]
locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
if not any(l.lower() in ("de_de.utf8", "de_de.utf-8") for l in locales):
    print("SKIP: de_DE.UTF-8 is not installed (Debian: locales-all)")
    sys.exit(77)

env = dict(os.environ, LC_ALL="de_DE.UTF-8")
# The hazard is real in this environment: the C library writes "1,25".
locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
probe = locale.format_string("%.2f", 1.25)
locale.setlocale(locale.LC_ALL, "C")
if probe != "1,25":
    sys.exit(f"%.2f under de_DE.UTF-8 gives {probe!r}: the test would prove nothing")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


with tempfile.TemporaryDirectory() as tmp:
    conf, rules, msg = (os.path.join(tmp, n) for n in ("unbound.conf", "rules.conf", "m.eml"))
    with open(conf, "w") as f:
        f.write("server:\n  do-not-query-address: 0.0.0.0/0\n  do-not-query-address: ::/0\n")
    with open(rules, "w") as f:
        f.write(f'.include "{root}/rules/authscore.conf"\n'
                'rules {\n  QUARTERS { weight = 1.25; header { name = "Subject"; regex = "/^x/"; } }\n}\n')
    with open(msg, "w") as f:
        f.write("From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n")
    base = [cli, "check", "--trust-anchor", "none", "--dns-timeout", "300",
            "--dns-config", conf, "--rules", rules]

    def run(*args):
        r = subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=60)
        check(r.returncode == 0, f"{args[1:3]}: exit {r.returncode}: {r.stderr}")
        return r

    # JSON: parses (a "1,25" would not), and the score is the sum.
    out = run(*base, "--json", msg).stdout
    try:
        obj = json.loads(out)
        weights = {s["name"]: s["weight"] for s in obj["symbols"]}
        check(weights.get("QUARTERS") == 1.25, f"QUARTERS weight: {weights}")
        check(abs(obj["score"] - sum(weights.values())) < 1e-9, f"score {obj['score']} != sum")
        check(obj["score"] != int(obj["score"]), f"score {obj['score']} has no decimals")
        want = obj["score"]
    except (ValueError, KeyError) as e:
        failures.append(f"JSON does not parse under de_DE: {e}: {out!r}")
        want = None
    check(re.search(r'"weight":1\.25[,}]', out), f"weight written as 1.25: {out!r}")

    # Text report: "Score 1.25" and "+1.25" beside the symbol.
    out = run(*base, msg).stdout
    m = re.search(r"^  Score     (\S+)$", out, re.M)
    check(m and want is not None and m.group(1) == f"{want:.2f}", f"text score: {out!r}")
    check(re.search(r"^    QUARTERS +\+1\.25  \[Subject\]$", out, re.M), f"text weight: {out!r}")

    # Two files: the summary line's min/median/max.
    out = run(*base, msg, msg).stdout
    check(re.search(r"score min 1\.25 median 1\.25 max 1\.25", out), f"summary: {out!r}")

    # rules-check lists the weights.
    out = run(cli, "rules-check", rules).stdout
    check(re.search(r"^QUARTERS +policy +\+1\.25  ", out, re.M), f"rules-check: {out!r}")
    check(not re.search(r"\d,\d", out), f"a decimal comma in rules-check: {out!r}")

for f in failures:
    print("FAIL:", f)
print(f"{'FAIL' if failures else 'ok'}: the command's numbers under de_DE.UTF-8")
sys.exit(1 if failures else 0)
