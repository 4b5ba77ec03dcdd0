#!/usr/bin/python3
"""valimail.py - the ValiMail ARC validation suite through `authscore check
--json`, each scenario's txt-records served by the real libunbound path.

usage: valimail.py PATH/TO/authscore
The suite is $AUTHSCORE_CONFORMANCE/arc/valimail/arc-draft-validation-
tests.yml (read there, never copied into the tree); absent, or without
Debian's python3-yaml, the test is SKIP (exit 77).

For each scenario: its txt-records become unsigned zones, one per domain,
served from memory by libunbound auth-zones with nothing leaving the
machine (no trust anchor: the answers are insecure, which must not stop
validation); every test message of the scenario goes through one
`authscore check --json` run, and arc.result must be the case's cv for
None, Pass and Fail.  Cases with an empty cv are listed and counted
apart, neither passed nor failed.  Exit 1 on any mismatch."""
import json
import os
import subprocess
import sys
import tempfile

cli = sys.argv[1]
base = os.environ.get("AUTHSCORE_CONFORMANCE", "")
suite = os.path.join(base, "arc", "valimail", "arc-draft-validation-tests.yml")
if not base or not os.path.isfile(suite):
    print(f"SKIP: no ValiMail ARC suite at {suite!r} (meson option conformance_dir)")
    sys.exit(77)
try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml missing (apt-get install python3-yaml)")
    sys.exit(77)

# The time the suite's seals were made in (t=12345) is long past; the
# clock is pinned so that no run depends on today's date.
NOW = "1700000000"
TXT_CHUNK = 250  # a character-string holds 255 bytes


def zone_of(name):
    return ".".join(name.rstrip(".").split(".")[-2:])


def write_zones(tmp, records):
    """One unsigned zone per domain; returns the unbound configuration."""
    zones = {}
    for name, value in (records or {}).items():
        zones.setdefault(zone_of(name), []).append((name.rstrip("."), value.replace("\n", "")))
    conf = ["server:",
            "    do-not-query-address: 0.0.0.0/0",
            "    do-not-query-address: ::/0",
            '    target-fetch-policy: "0 0 0 0 0"']
    for zone, rrs in sorted(zones.items()):
        path = os.path.join(tmp, zone + ".zone")
        with open(path, "w") as f:
            f.write(f"$ORIGIN {zone}.\n$TTL 300\n"
                    f"@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n"
                    f"@ IN NS ns.{zone}.\n")
            for name, value in rrs:
                chunks = [value[i:i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)]
                text = " ".join('"%s"' % c.replace("\\", "\\\\").replace('"', '\\"')
                                for c in chunks or [""])
                f.write(f"{name}. IN TXT {text}\n")
        conf += ["auth-zone:", f'    name: "{zone}."', f'    zonefile: "{path}"',
                 "    for-upstream: yes", "    for-downstream: no", "    fallback-enabled: no"]
    path = os.path.join(tmp, "unbound.conf")
    with open(path, "w") as f:
        f.write("\n".join(conf) + "\n")
    return path


def run_scenario(n, scenario, tmp):
    d = os.path.join(tmp, f"s{n:02d}")
    os.makedirs(d)
    conf = write_zones(d, scenario.get("txt-records"))
    cases = {}
    for name, t in scenario["tests"].items():
        path = os.path.join(d, name + ".eml")
        with open(path, "wb") as f:
            f.write((t.get("message") or "").encode())
        cases[path] = (name, str(t.get("cv") or "").strip().lower())
    out = subprocess.run([cli, "check", "--json", "--dns-config", conf, "--trust-anchor", "none",
                          "--dns-timeout", "3000", "--now", NOW] + sorted(cases),
                         capture_output=True, text=True, timeout=600)
    got = {}
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        got[obj["file"]] = obj
    if len(got) != len(cases):
        sys.exit(f"scenario {n}: {len(got)} results for {len(cases)} messages "
                 f"(exit {out.returncode}): {out.stderr[-2000:]}")
    return [(cases[p][0], cases[p][1], got[p]) for p in sorted(cases)]


with open(suite) as f:
    scenarios = list(yaml.safe_load_all(f))
passed, failed, empty = [], [], []
with tempfile.TemporaryDirectory(prefix="authscore-arc-") as tmp:
    for n, sc in enumerate(scenarios):
        for name, cv, obj in run_scenario(n, sc, tmp):
            arc = obj.get("arc") or {}
            result = arc.get("result")
            if not cv:
                empty.append(f"{name} (got {result}, {arc.get('reason')})")
            elif result == cv:
                passed.append(name)
            else:
                failed.append(f"{name}: cv {cv}, got {result} ({arc.get('reason')})")

total = len(passed) + len(failed)
print(f"arc-valimail: {len(passed)}/{total} cases with a cv of None, Pass or Fail give it")
print(f"arc-valimail: {len(empty)} cases with an empty cv (reported, not counted): "
      + "; ".join(empty))
for f in failed:
    print("FAIL:", f)
sys.exit(1 if failed or not total else 0)
