#!/usr/bin/env python3
"""Print one 'N passed, N failed, N skipped' line from meson's test logs.

usage: test-summary.py [--ci] TESTLOG.json...

In CI (--ci, or CI=true in the environment) scripts/deps.sh has installed
every tool and data set, so a SKIP (exit 77) means a test did not run:
each one is named with its reason and the exit status is 1.  A missing
log, a failed test or a log without any test fails there too.  Outside
CI a SKIP stays a SKIP and only a failed test gives a non-zero status.
"""
import json
import os
import re
import sys

SKIP_LINE = re.compile(r"\bskip", re.IGNORECASE)


def skip_reason(out):
    """The line a skipped test said why in ("SKIP: ldnsutils missing")."""
    lines = [ln.strip() for ln in (out or "").splitlines() if ln.strip()]
    said = [ln for ln in lines if SKIP_LINE.search(ln)]
    if said:
        return said[-1]
    if lines:
        return lines[-1]
    return "exit 77 without saying why"


def main(argv):
    ci = os.environ.get("CI", "").lower() in ("true", "1", "yes")
    paths = []
    for a in argv:
        if a == "--ci":
            ci = True
        else:
            paths.append(a)
    passed = failed = skipped = 0
    skips = []
    problems = []
    for path in paths:
        try:
            with open(path) as f:
                lines = f.readlines()
        except FileNotFoundError:
            if ci:
                problems.append(f"{path}: no test log (did the tests run?)")
            continue
        for line in lines:
            if not line.strip():
                continue
            t = json.loads(line)
            r = t.get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
                out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
                skips.append((path, t.get("name", "?"), skip_reason(out)))
            else:
                failed += 1
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    for path, name, why in skips:
        print(f"{'FAIL' if ci else 'note'}: {name} skipped: {why}   [{path}]")
    if ci and paths and passed + failed + skipped == 0:
        problems.append("no test ran")
    for p in problems:
        print(f"FAIL: {p}")
    if ci and skips:
        print(f"FAIL: {len(skips)} test(s) skipped in CI, where every tool is installed")
    if failed or (ci and (skips or problems)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
