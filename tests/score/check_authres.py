#!/usr/bin/python3
"""Parse every A-R value that ar_cases prints with Debian's python3-authres
(an independent RFC 8601 parser) and compare methods, results, reasons and
properties with what the cases were built from.  Exit 77 (skip) when
python3-authres is not installed."""
import json
import re
import subprocess
import sys

try:
    import authres
except ImportError:
    print("python3-authres not installed: skipped")
    sys.exit(77)

out = subprocess.run([sys.argv[1]], capture_output=True, text=True, check=True).stdout

def unescape(s):
    # authres keeps quoted-pairs as written.
    return re.sub(r'\\(.)', r'\1', s) if s is not None else None

def pvalue(v):
    m = re.fullmatch(r'"(.*)"@(.*)', v, re.S)
    if m:
        return unescape(m.group(1)) + "@" + m.group(2)
    return unescape(v)

failures = 0
cases = 0
for line in out.splitlines():
    case = json.loads(line)
    cases += 1
    name, value = case["name"], case["value"]
    if len(value) > 8192 or any(c in value for c in "\r\n\0"):
        print(f"FAIL {name}: bad bytes or over the cap"); failures += 1; continue
    try:
        h = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    except Exception as e:  # noqa: BLE001 - any parse error is a failure
        print(f"FAIL {name}: authres cannot parse {value!r}: {e!r}"); failures += 1; continue
    got = [{"method": r.method, "result": r.result, "reason": unescape(r.reason),
            "props": [[p.type, p.name, pvalue(p.value)] for p in r.properties]}
           for r in h.results]
    want = case["expect"]
    if h.authserv_id != case["authserv_id"].lower():
        print(f"FAIL {name}: authserv-id {h.authserv_id!r}"); failures += 1
    if got != want:
        print(f"FAIL {name}:\n  value {value}\n  got   {got}\n  want  {want}"); failures += 1

print(f"{cases - failures} passed, {failures} failed")
sys.exit(1 if failures or cases == 0 else 0)
