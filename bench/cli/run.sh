#!/usr/bin/env bash
# run.sh - the CLI benchmarks of scripts/bench.sh (docs/performance.md,
# section 7): the whole `authscore check --json` process through
# libunbound against libopendkim verifying DKIM only, side by side on the
# same corpus and core, with the lower bound of any whole-process CLI
# (start-up + reading the files + DKIM's crypto floor); then cold caches
# behind a 20 ms authoritative server.  Prints
# "ROW|section|figure|median|min-max|note" lines.
#
# usage: run.sh BUILD_DIR CORPUS WORK RUNS CPU PIPELINE_LOG [DKIM_LOG]
#   CORPUS        bench/pipeline/make_corpus.py's output
#   PIPELINE_LOG  bench_pipeline's log of the same run (the in-process
#                 figure); may be missing
#   DKIM_LOG      bench_dkim's log of the same run (its crypto floor, part
#                 of the bound); optional
# Environment: BENCH_RTT_MS (20), BENCH_COLD_MESSAGES (500),
#   BENCH_COLD_FRESH (20: messages scored one fresh process each).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dir=$1 corpus=$2 work=$3 runs=$4 core=$5 plog=$6 dlog=${7:-}
rtt=${BENCH_RTT_MS:-20}
cold_n=${BENCH_COLD_MESSAGES:-500}
fresh_n=${BENCH_COLD_FRESH:-20}
py=/usr/bin/python3
cli=$dir/module/host/cli/authscore
rules=$src/rules/authscore.conf
mkdir -p "$work"
. "$here/serve.sh"
row() { printf 'ROW|7 CLI|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4"; }

"$py" "$here/make_zones.py" "$corpus" "$work/zones"
cut -f1-4 "$corpus/envelopes.txt" >"$work/envelopes"
n=$(wc -l <"$work/envelopes")
cat "$corpus"/msgs/* >/dev/null  # the page cache, for both

odk=()
if pkg-config --exists opendkim 2>/dev/null; then
    # shellcheck disable=SC2046
    ${CC:-cc} -std=gnu11 -O2 "$here/opendkim_verify.c" -o "$work/opendkim_verify" \
        $(pkg-config --cflags --libs opendkim)
    odk=("opendkim=$work/opendkim_verify $work/zones/opendkim-keys.txt $corpus/list.txt")
else
    echo "(libopendkim-dev missing: no libopendkim baseline; scripts/deps.sh bench)" >&2
fi
# The bound's parts, in the same rounds: the CLI's start-up with no
# message, and the kernel reading the files (less a process reading none).
${CC:-cc} -std=gnu11 -O2 "$here/read_files.c" -o "$work/read_files"
: >"$work/empty"
check="$cli check --json --rules $rules --dns-config $work/zones/unbound-serverless.conf"
# A second run with dns.shared_cache: the file the first run filled
# answers every question, so no libunbound work (DNSSEC validation of the
# cold answers, its thread) is left in the process.
shared="$check --option dns.shared_cache=$work/shared.cache"
rm -f "$work/shared.cache"
$shared --envelopes "$work/envelopes" >/dev/null 2>&1
"$py" "$here/timeit.py" "$runs" "$core" "authscore=$check --envelopes $work/envelopes" \
    "nocache=$check --dns-cache-size 0 --envelopes $work/envelopes" \
    "shared=$shared --envelopes $work/envelopes" \
    "${odk[@]}" "startup=$check --envelopes $work/empty" \
    "read=$work/read_files $corpus/list.txt" "read0=$work/read_files $work/empty" \
    >"$work/timeit.log"
cat "$work/timeit.log" >&2
# Outcomes, once, outside the timing: what each side verified.
$check --envelopes "$work/envelopes" >"$work/out.jsonl" 2>/dev/null
$shared --envelopes "$work/envelopes" >"$work/out-shared.jsonl" 2>/dev/null
"$py" - "$work" "$n" "$plog" "$dlog" <<'EOF'
import json, re, sys
work, n, plog, dlog = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
t = {}
for line in open(work + "/timeit.log"):
    f = line.split()
    t[f[0]] = [float(x) for x in (f[2], f[3], f[4], f[6])]
sigs = passed = dmarc = secure = hits = 0
for line in open(work + "/out.jsonl"):
    o = json.loads(line)
    for d in o["dkim"]:
        sigs += 1
        passed += d["result"] == "pass"
    dm = o.get("dmarc") or {}
    dmarc += dm.get("result") == "pass"
    secure += dm.get("dnssec") == "secure"
def row(fig, med, rng, note):
    print("ROW|7 CLI|%s|%s|%s|%s" % (fig, med, rng, note))
a = t["authscore"]
row("CLI through libunbound: `authscore check --json --rules ... --dns-config` "
    "(whole process, %d messages, keys and policies in local auth-zones, "
    "half signed)" % n, "%.0f msgs/s (%.1f us/msg)" % (n / a[0], a[0] / n * 1e6),
    "%.0f-%.0f" % (n / a[2], n / a[1]),
    "CPU %.1f us/msg; DKIM pass %d of %d, DMARC pass %d (%d DNSSEC-secure)"
    % (a[3] / n * 1e6, passed, sigs, dmarc, secure))
c = t["nocache"]
row("The same without the module's DNS answer cache (`--dns-cache-size 0`: every "
    "question through libunbound's thread and pipe, answered from its cache)",
    "%.0f msgs/s (%.1f us/msg)" % (n / c[0], c[0] / n * 1e6), "%.0f-%.0f" % (n / c[2], n / c[1]),
    "CPU %.1f us/msg; the cache saves %.1f us/msg" % (c[3] / n * 1e6, (c[0] - a[0]) / n * 1e6))
# The warm file must change nothing but the "dns" figures (and the clock).
strip = lambda f: [re.sub(r'"time":\d+,|,"dns":\{.*\}$', "", l.rstrip("\n")) for l in open(f)]
same = strip(work + "/out.jsonl") == strip(work + "/out-shared.jsonl")
h = t["shared"]
row("The same, a second run with a warm `dns.shared_cache` file (every question "
    "answered by the file or the process's cache: no libunbound work)",
    "%.0f msgs/s (%.1f us/msg)" % (n / h[0], h[0] / n * 1e6), "%.0f-%.0f" % (n / h[2], n / h[1]),
    "CPU %.1f us/msg; reports %s the first run's" % (h[3] / n * 1e6,
                                                    "identical to" if same else "DIFFER from"))
if "opendkim" in t:
    o = t["opendkim"]
    row("libopendkim (Debian 2.11), DKIM only, the same messages (whole process; "
        "keys from memory through its DNS hooks)",
        "%.0f msgs/s (%.1f us/msg)" % (n / o[0], o[0] / n * 1e6),
        "%.0f-%.0f" % (n / o[2], n / o[1]), "CPU %.1f us/msg" % (o[3] / n * 1e6))
    r = o[0] / a[0]
    row("CLI / libopendkim, msgs/s (medians of the same run)", "%.2f" % r,
        "%.2f-%.2f" % (o[1] / a[2], o[2] / a[1]),
        "target >= 4: %s" % ("met" if r >= 4 else "MISSED"))
    r = o[0] / h[0]
    row("CLI with the warm shared file / libopendkim, msgs/s (same run; libopendkim "
        "takes its keys from memory, DNS free)", "%.2f" % r,
        "%.2f-%.2f" % (o[1] / h[2], o[2] / h[1]),
        "target >= 4: %s" % ("met" if r >= 4 else "MISSED"))
# The lower bound: what any whole-process CLI pays before it parses a byte.
s, rd, r0 = t["startup"], t["read"], t["read0"]
row("Start-up alone: `authscore check` with the same options and an empty "
    "--envelopes (exec, dynamic linking, unbound configuration, rules; no message)",
    "%.2f ms per process" % (s[0] * 1e3), "%.2f-%.2f ms" % (s[1] * 1e3, s[2] * 1e3),
    "CPU %.2f ms; a process that does nothing (read_files, empty list): %.2f ms"
    % (s[3] * 1e3, r0[0] * 1e3))
read_us = max(rd[0] - r0[0], 0.0) / n * 1e6
row("Reading the files alone (bench/cli/read_files.c: open, fstat, one read, close "
    "per message, as the CLI reads; less the same process reading none)",
    "%.1f us/msg" % read_us, "-", "CPU %.1f us/msg" % (max(rd[3] - r0[3], 0.0) / n * 1e6))
try:
    dk = open(dlog).read() if dlog else ""
except OSError:
    dk = ""
m = re.search(r"dkim floor:\s+(\d+) msgs/s median", dk)
bound = None
if m:
    floor_us = 1e6 / float(m.group(1))
    start_us = s[0] / n * 1e6
    bound = start_us + read_us + floor_us
    row("Lower bound of a whole-process CLI: start-up/N + reading + crypto floor "
        "(bench_dkim)", "%.1f us/msg (%.0f msgs/s)" % (bound, 1e6 / bound), "-",
        "start-up %.1f (%.2f ms / %d msgs) + reading %.1f + DKIM digests and verifies "
        "%.1f (bench_dkim floor, %s msgs/s)" % (start_us, s[0] * 1e3, n, read_us,
                                                floor_us, m.group(1)))
else:
    row("Lower bound of a whole-process CLI: start-up/N + reading + crypto floor "
        "(bench_dkim)", "not run", "-", "bench_dkim log missing")
fig = ("Best CLI/libopendkim ratio that bound allows (no parsing, canonicalization, "
       "SPF, DMARC, DNSSEC or output at all)")
if bound and "opendkim" in t:
    o = t["opendkim"]
    odk_us = o[0] / n * 1e6
    r = odk_us / bound
    left = odk_us / 4 - bound
    row(fig, "%.2f" % r, "%.2f-%.2f" % (o[1] / n * 1e6 / bound, o[2] / n * 1e6 / bound),
        "target 4: %s (libopendkim %.1f us/msg; range: its min-max)" % (
            "%.1f us/msg left for all the rest" % left if left > 0 else
            "beyond the bound by %.1f us/msg: out of reach with zero other work" % -left,
            odk_us))
else:
    row(fig, "not run", "-", "bench_dkim log missing" if not bound else
        "libopendkim-dev missing")
try:
    pl = open(plog).read()
except OSError:
    pl = ""
m = re.search(r"ROW\|Full pipeline, warm caches \(SPF mfrom\+HELO, DKIM, DMARC; "
              r"WITH scoring\)\|(\d+) msgs/s\|[^|]*\|.*?\(([\d.]+) us/msg\)", pl)
if m:
    inproc = float(m.group(2))
    r = a[0] / n * 1e6 / inproc
    row("CLI time per message / in-process sans-I/O (bench_pipeline, same corpus, "
        "same run: %s msgs/s, %.1f us/msg)" % (m.group(1), inproc), "%.2f" % r, "-",
        "target <= 1.5: %s" % ("met" if r <= 1.5 else "MISSED"))
EOF

# ---- start-up: what one process (one Exim connection) pays ----
${CC:-cc} -std=gnu11 -O2 -I"$src/include" "$src/bench/exim/first_message.c" -o "$work/first_message" \
    -L"$dir" -lauthscore -Wl,-rpath,"$(cd "$dir" && pwd)"
taskset -c "$core" "$work/first_message" "$work/envelopes" 50 "$runs" \
    "dns.config=$work/zones/unbound-serverless.conf;authserv_id=mx.receiver.example;rules.file=$rules" \
    >"$work/first.log"
"$py" - "$work/first.log" <<'EOF'
import sys
v = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open(sys.argv[1])}
what = {"ctx": "context: new + options + finalize (unbound config, root trust anchor, "
               "rules, resolver started)",
        "first": "the process's first message (every question cold)",
        "again": "the same message again (warm: the message itself)",
        "rest": "mean of the next 49 corpus messages in that process"}
for k in ("ctx", "first", "again", "rest"):
    print("ROW|6 start-up|One process, one connection's worth (first_message, serverless "
          "zones, a fresh process per round): %s|%.2f ms|%.2f-%.2f ms|" % ((what[k],) + tuple(v[k])))
EOF

# ---- cold: every answer from an authoritative server RTT ms away ----
PATH=$PATH:/usr/sbin:/sbin
if ! command -v nsd >/dev/null 2>&1; then
    row "Cold, ${rtt} ms authoritative" "not run" "-" "nsd missing"
    exit 0
fi
free_port() {
    "$py" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
nsd_port=$(free_port)
proxy_port=$(free_port)
nsd_conf "$work" "$nsd_port" "$work/zones/zones.list" >"$work/nsd.conf"
: >"$work/nsd.log"
nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
nsd_pid=$!
"$py" "$here/delay_proxy.py" "$proxy_port" "$nsd_port" "$rtt" 900 >"$work/proxy.log" 2>&1 &
proxy_pid=$!
trap 'kill $nsd_pid $proxy_pid 2>/dev/null; wait $nsd_pid $proxy_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q 'nsd started' "$work/nsd.log" && grep -q ready "$work/proxy.log" && break
    sleep 0.1
done
{
    printf 'server:\n    do-not-query-localhost: no\n    target-fetch-policy: "0 0 0 0 0"\n'
    printf '    edns-buffer-size: 1232\n'
    printf '    local-zone: "example." nodefault\n    domain-insecure: "example."\n'
    printf '    trust-anchor-file: "%s"\n' "$work/zones/trust-anchors.ds"
    stub_zones "$work/zones/zones.list" "$proxy_port"
} >"$work/unbound-delay.conf"
slow="$cli check --json --rules $rules --trust-anchor none --dns-config $work/unbound-delay.conf"
head -n "$fresh_n" "$work/envelopes" >"$work/fresh"
: >"$work/fresh.times"
while read -r line; do
    printf '%s\n' "$line" >"$work/one"
    "$py" - "$work/fresh.times" taskset -c "$core" $slow --envelopes "$work/one" <<'EOF'
import subprocess, sys, time
t0 = time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
open(sys.argv[1], "a").write("%.4f\n" % (time.monotonic() - t0))
EOF
done <"$work/fresh"
head -n "$cold_n" "$work/envelopes" >"$work/cold"
t0=$(date +%s.%N)
taskset -c "$core" $slow --envelopes "$work/cold" >/dev/null 2>&1
t1=$(date +%s.%N)
"$py" - "$work/fresh.times" "$t0" "$t1" "$(wc -l <"$work/cold")" "$rtt" <<'EOF'
import statistics, sys
v = [float(x) for x in open(sys.argv[1])]
t0, t1, n, rtt = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print("ROW|4 cold|Cold, %s ms authoritative (nsd behind a delaying proxy): one fresh "
      "`authscore check` process per message (start-up, every question and DNSSEC "
      "key cold)|%.0f ms|%.0f-%.0f ms|%d messages" % (rtt, statistics.median(v) * 1e3,
      min(v) * 1e3, max(v) * 1e3, len(v)))
print("ROW|4 cold|Cold, %s ms authoritative: one process over the first %d messages "
      "(caches warm as it goes)|%.0f msgs/s (%.1f ms/msg)|-|" % (rtt, n, n / (t1 - t0),
      (t1 - t0) / n * 1e3))
EOF
exit 0
