#!/usr/bin/python3
"""test_concurrent.py - many writers on one report log (issue 21): every
message gives exactly one row, and no line is interleaved.

  1. Exim's entry point from forked children (test_exim_rows: one context
     per child, as Exim's daemon forks one per connection), report.log in
     the options argument;
  2. several `authscore check --report-log` processes at once.
Each message has its own HELO name, so each row says whose it is.
usage: test_concurrent.py PATH/TO/test_exim_rows PATH/TO/authscore
Exit 0, 1, or 77 (SKIP: ldnsutils missing)."""
import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

exim_rows, cli = sys.argv[1], sys.argv[2]
fx = fixture.Fixture(cli)
w = fx.work
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def rows_of(log, want_helos, who):
    """Every line one whole row, and each wanted HELO exactly once."""
    seen = collections.Counter()
    with open(log, "rb") as f:
        data = f.read()
    check(data.endswith(b"\n"), f"{who}: the log ends with a whole line")
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        try:
            row = json.loads(line)
        except ValueError:
            fails.append(f"{who}: line {n} is not one row: {line[:120]!r}")
            continue
        check(row.get("version") == 1, f"{who}: line {n} version")
        seen[row["envelope"]["helo"]] += 1
    check(set(seen) == set(want_helos), f"{who}: rows for {len(seen)} of {len(want_helos)} "
          f"messages, extra {sorted(set(seen) - set(want_helos))[:5]}")
    dup = [h for h, c in seen.items() if c != 1]
    check(not dup, f"{who}: more than one row for {dup[:5]}")
    return sum(seen.values())


# ---- 1. Exim, forked children ---------------------------------------------
msg = open(os.path.join(fixture.EX, "messages", "pass.eml"), "rb").read().replace(b"\r\n", b"\n")
head, body = msg.split(b"\n\n", 1)
with open(os.path.join(w, "headers"), "wb") as f:
    f.write(head + b"\n")
with open(os.path.join(w, "spool-D"), "wb") as f:
    f.write(b"1xVdrt-0003ya-1G-D\n" + body)
spools = os.path.join(w, "spools")
os.mkdir(spools)
log = os.path.join(w, "exim.jsonl")
opts = (f"dns.config={fx.dns};dns.trust_anchor=none;dns.timeout_ms=3000;"
        f"report.log={log};report.all=yes")
children, per = 8, 25
t0 = time.monotonic()
out = subprocess.run([exim_rows, opts, os.path.join(w, "headers"), os.path.join(w, "spool-D"),
                      spools, "192.0.2.25", "alice@good.example", str(children), str(per)],
                     capture_output=True, text=True, timeout=300)
took = time.monotonic() - t0
check(out.returncode == 0, f"test_exim_rows: {out.returncode}: {out.stdout} {out.stderr[-500:]}")
want = {f"c{c}-m{k}.mx.good.example" for c in range(children) for k in range(per)}
want.add(f"c{children}-m0.mx.good.example")
n = rows_of(log, want, "exim")
print(f"exim: {n} rows from {children} forked children and the parent in {took:.2f} s")

# ---- 2. the command, several processes at once ----------------------------
procs, each = 4, 150
log2 = os.path.join(w, "cli.jsonl")
want2 = set()
cmds = []
for p in range(procs):
    env = os.path.join(w, f"env{p}")
    with open(env, "w") as f:
        for k in range(each):
            helo = f"p{p}-m{k}.mx.good.example"
            want2.add(helo)
            f.write(f"{os.path.join(fx.msgs, 'pass.eml')} 192.0.2.25 {helo} alice@good.example\n")
    cmds.append(fx.check_cmd(env, "--report-log", log2, "--report-all"))
t0 = time.monotonic()
running = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
for r in running:
    _, err = r.communicate(timeout=300)
    check(r.returncode == 0, f"authscore check: {r.returncode}: {err[-300:]}")
took = time.monotonic() - t0
n = rows_of(log2, want2, "cli")
print(f"cli: {n} rows from {procs} processes at once in {took:.2f} s")

for f in fails:
    print("FAIL:", f)
fx.close()
sys.exit(1 if fails else 0)
