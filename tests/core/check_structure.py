#!/usr/bin/env python3
"""check_structure.py - the house rules of module/ that a reader relies on
(docs/architecture.md, "Layers"):

  - no two files of the library call each other (calls run one way), read
    from the symbols of the objects in libauthscore_internal.a (nm); the
    same within each further archive given (the authscore command's and
    the milter's objects, tests/core/meson.build), each on its own;
  - no file in module/ is over 800 lines;
  - no #include climbs with "../".

usage: check_structure.py SOURCE_ROOT LIBAUTHSCORE_INTERNAL.a [HOST_OBJECTS.a ...]
Exit 0 when all hold, 1 naming each breach, 77 when nm is missing."""
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

MAX_LINES = 800
# Fewer objects with symbols than this in an archive: nm's output was not
# understood (the smallest, the milter's, has ten).
MIN_OBJECTS = 5


def objects(archive):
    """({member: defined symbols}, {member: undefined symbols}) from nm -A."""
    out = subprocess.run(["nm", "-A", archive], check=True, capture_output=True,
                         text=True).stdout
    defs, undef = defaultdict(set), defaultdict(set)
    for line in out.splitlines():
        # "lib.a:member.o: 0000 T name" or "lib.a:member.o:          U name"
        m = re.match(r"^[^:]*:([^:]+\.o):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        member, kind, sym = m.groups()
        member = os.path.basename(member)
        if kind == "U":
            undef[member].add(sym)
        elif kind in "TDBR":
            defs[member].add(sym)
    return defs, undef


def mutual_calls(archive):
    defs, undef = objects(archive)
    owner = {s: f for f, ss in defs.items() for s in ss}
    uses = defaultdict(dict)
    for f, ss in undef.items():
        for s in ss:
            g = owner.get(s)
            if g and g != f:
                uses[f].setdefault(g, []).append(s)
    bad = []
    for a in sorted(uses):
        for b in sorted(uses[a]):
            if a < b and a in uses.get(b, {}):
                bad.append(f"{a} and {b} call each other: {a} uses "
                           f"{sorted(uses[a][b])}, {b} uses {sorted(uses[b][a])}")
    return bad, len(defs)


def source_rules(root):
    bad = []
    count = 0
    for d, _, files in os.walk(os.path.join(root, "module")):
        for name in files:
            if not name.endswith((".c", ".h", ".lua")):
                continue
            path = os.path.join(d, name)
            rel = os.path.relpath(path, root)
            count += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
            if len(lines) > MAX_LINES:
                bad.append(f"{rel}: {len(lines)} lines, over {MAX_LINES}")
            for n, line in enumerate(lines, 1):
                if re.match(r'\s*#\s*include\s*"\.\./', line):
                    bad.append(f"{rel}:{n}: includes with ../")
    for top in ("tests", "fuzz", "bench"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if name.endswith((".c", ".h")):
                    path = os.path.join(d, name)
                    with open(path, encoding="utf-8", errors="replace") as f:
                        for n, line in enumerate(f, 1):
                            if re.match(r'\s*#\s*include\s*"\.\./', line):
                                bad.append(f"{os.path.relpath(path, root)}:{n}: includes with ../")
    return bad, count


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    if not shutil.which("nm"):
        print("SKIP: nm missing (Debian package binutils)")
        return 77
    root, archives = argv[1], argv[2:]
    calls, counts = [], []
    for archive in archives:
        bad, nobj = mutual_calls(archive)
        name = os.path.basename(archive)
        calls += [f"{name}: {b}" for b in bad]
        if nobj < MIN_OBJECTS:
            calls.append(f"only {nobj} objects read from {archive}: nm output not understood")
        counts.append(f"{nobj} in {name}")
    rules, nsrc = source_rules(root)
    for b in calls + rules:
        print("FAIL:", b)
    print(f"objects: {', '.join(counts)}; {nsrc} files in module/: "
          f"{len(calls)} mutual calls, {len(rules)} size or include breaches")
    return 1 if calls or rules else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
