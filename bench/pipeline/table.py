#!/usr/bin/python3
"""Turn the logs of scripts/bench.sh into ONE markdown table.

    table.py LOGDIR

LOGDIR holds pipeline.log (bench_pipeline: lines "ROW|figure|median|
min-max|note"), dkim.log (bench/dkim/bench_dkim on the same corpus),
spf-N.log (tests/spf/bench_spf, one file per run) and *.rows (the CLI,
Exim and Rspamd scripts: "ROW|section|figure|median|min-max|note").  A missing log gives a
row that says so; the figures are printed, never judged here.
"""
import os
import re
import statistics
import sys


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def main():
    logdir = sys.argv[1]
    rows = []   # (section, figure, median, range, note)

    dk = read(os.path.join(logdir, "dkim.log"))
    corpus = re.search(r"dkim corpus: (\d+) messages, (\d+) signatures, "
                       r"([\d.]+) KB average", dk)
    eng = re.search(r"dkim engine: (\d+) msgs/s median \((\d+)-(\d+)\) over "
                    r"(\d+) runs", dk)
    flo = re.search(r"dkim floor: +(\d+) msgs/s median \((\d+)-(\d+)\)", dk)
    ratio = re.search(r"dkim ratio engine/floor: ([\d.]+)", dk)
    if corpus and eng and flo and ratio:
        kb = float(corpus.group(3)) * 1024 / 1e6  # MB per message
        m, lo, hi, runs = (int(x) for x in eng.groups())
        rows.append(("1 DKIM", "DKIM engine, keys cached (bench/dkim/bench_dkim"
                     ", same corpus, %s runs)" % runs, "%d msgs/s, %.0f MB/s"
                     % (m, m * kb), "%d-%d msgs/s" % (lo, hi),
                     "%s msgs, %s signatures" % corpus.group(1, 2)))
        fm, flo_lo, flo_hi = (int(x) for x in flo.groups())
        rows.append(("1 DKIM", "DKIM crypto floor (SHA-256 of canonical bytes "
                     "+ 1 verify per signature)", "%d msgs/s, %.0f MB/s"
                     % (fm, fm * kb), "%d-%d msgs/s" % (flo_lo, flo_hi), ""))
        rows.append(("1 DKIM", "DKIM engine / crypto floor", ratio.group(1),
                     "-", "bench_dkim's own target >= 0.70"))
    else:
        rows.append(("1 DKIM", "DKIM (bench_dkim)", "not run", "-",
                     "see dkim.log"))

    spf = {"prefetch": [], "in-order": []}
    extra = {}
    for name in sorted(os.listdir(logdir)):
        if not name.startswith("spf-"):
            continue
        for line in read(os.path.join(logdir, name)).splitlines():
            mm = re.match(r"(prefetch|in-order) +(\d+) evaluations/s +"
                          r"([\d.]+) DNS rounds +([\d.]+) lookups", line)
            if mm:
                spf[mm.group(1)].append(int(mm.group(2)))
                extra[mm.group(1)] = "%s rounds, %s lookups per evaluation" % (
                    mm.group(3), mm.group(4))
    for mode in ("prefetch", "in-order"):
        v = spf[mode]
        if v:
            rows.append(("2 SPF", "SPF, tests/spf/bench_spf (17 shapes, memdns)"
                         ", %s, %d runs" % (mode, len(v)),
                         "%d evals/s" % statistics.median(v),
                         "%d-%d" % (min(v), max(v)), extra[mode]))

    section = {"SPF": "2 SPF", "Full": "3 pipeline", "Scoring": "3 pipeline", "Cold": "4 cold",
               "Memory": "5 memory", "Start-up": "6 start-up"}
    pl = read(os.path.join(logdir, "pipeline.log"))
    for line in pl.splitlines():
        if not line.startswith("ROW|"):
            continue
        parts = line.split("|")[1:] + ["", "", "", ""]
        fig = parts[0]
        sec = next((v for k, v in section.items() if fig.startswith(k)), "?")
        rows.append((sec, fig, parts[1], parts[2], parts[3]))
    if not pl:
        rows.append(("3 pipeline", "bench_pipeline", "not run", "-",
                     "see pipeline.log"))

    # The other scripts' rows (bench/cli/run.sh, bench/exim/run.sh,
    # bench/rspamd/run.sh): "ROW|section|figure|median|min-max|note".
    for name in sorted(os.listdir(logdir)):
        if not name.endswith(".rows"):
            continue
        for line in read(os.path.join(logdir, name)).splitlines():
            if line.startswith("ROW|"):
                parts = line.split("|")[1:] + ["", "", "", "", ""]
                rows.append(tuple(parts[:5]))

    order = ["1 DKIM", "2 SPF", "3 pipeline", "4 cold", "5 memory",
             "6 start-up", "7 CLI", "8 Exim", "9 Rspamd"]
    rows.sort(key=lambda r: order.index(r[0]) if r[0] in order else 99)
    print("| # | figure | median | min-max | target / note |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| %s |" % " | ".join(x.strip() or "-" for x in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
