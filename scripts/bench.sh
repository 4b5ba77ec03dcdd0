#!/usr/bin/env bash
# bench.sh - build a release tree, run every benchmark on one core, print
# ONE table (docs/performance.md explains each figure).
#
#   scripts/bench.sh            # whole run, about 1-2 minutes once built
#
# Environment:
#   BENCH_DIR       build directory (default build-bench, -Dbuildtype=release)
#   BENCH_MESSAGES  corpus size (default 800)
#   BENCH_MEM       messages of the memory pass (default 100000)
#   BENCH_RUNS      timed runs per throughput figure (default 7, >= 5)
#   BENCH_RTT_MS    simulated round-trip time (default 20)
#   BENCH_CPU       the core to pin to (default 0)
#   BENCH_KEEP      a directory to keep the corpus and the logs in
#   BENCH_E2E       1: also the real daemons (Exim, Rspamd); needs root,
#                   for the network and mount namespaces they run in
#   BENCH_COLD_MESSAGES, BENCH_COLD_FRESH: see bench/cli/run.sh
# Benchmarks print figures; this script fails only when something does not
# build or a program cannot run, never on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-build-bench}
msgs=${BENCH_MESSAGES:-800}
mem=${BENCH_MEM:-100000}
runs=${BENCH_RUNS:-7}
rtt=${BENCH_RTT_MS:-20}
core=${BENCH_CPU:-0}
py=/usr/bin/python3

if [ -n "${BENCH_KEEP:-}" ]; then
    work=$BENCH_KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-bench.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
logs=$work/logs
mkdir -p "$logs"

# One core: taskset when it is there (bench_pipeline also pins itself).
pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "$core")
fi

# What the benchmarks need (only the missing packages are installed).
scripts/deps.sh bench >&2 || echo "(scripts/deps.sh bench failed: some figures may be missing)" >&2

echo "== build ($dir, release)" >&2
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dbuildtype=release >"$logs/setup.log" 2>&1 ||
        { cat "$logs/setup.log" >&2; exit 1; }
else
    meson configure "$dir" -Dbuildtype=release >/dev/null
fi
targets=(libauthscore_internal.a tests/spf/bench_spf bench/dkim/bench_dkim
         module/host/cli/authscore)
if ninja -C "$dir" -t targets all 2>/dev/null | grep -q '^bench/pipeline/bench_pipeline:'; then
    targets+=(bench/pipeline/bench_pipeline)
    pipeline=$dir/bench/pipeline/bench_pipeline
else
    # bench/pipeline not yet listed in the top-level meson.build: build it
    # by hand, with the same flags its meson.build gives.
    pipeline=$dir/bench-pipeline-manual/bench_pipeline
fi
ninja -C "$dir" "${targets[@]}" >"$logs/build.log" 2>&1 ||
    { tail -n 30 "$logs/build.log" >&2; exit 1; }
if [ "$pipeline" = "$dir/bench-pipeline-manual/bench_pipeline" ]; then
    mkdir -p "$(dirname "$pipeline")"
    # shellcheck disable=SC2046
    ${CC:-cc} -std=gnu11 -O2 -g -D_GNU_SOURCE -Iinclude -Imodule \
        bench/pipeline/bench_pipeline.c bench/pipeline/answers.c \
        bench/pipeline/memcount.c -o "$pipeline" "$dir/libauthscore_internal.a" \
        $(pkg-config --libs openssl libunbound libpcre2-8 libpsl libidn2) -lpthread -lm \
        -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=free
fi

echo "== corpus ($msgs messages, signed by dkimpy)" >&2
"$py" bench/pipeline/make_corpus.py "$work/corpus" "$msgs" >&2

# Signed zones served without a server, for the unbound start-up figure.
conf_opt=()
if tests/dns/make-zones.sh "$work/zones" >"$logs/zones.log" 2>&1; then
    conf_opt=(--unbound-conf "$work/zones/unbound-serverless.conf")
else
    echo "(ldnsutils missing: no unbound start-up figure)" >&2
fi

echo "== bench_pipeline (pipeline, SPF on the corpus, cold, memory, start-up)" >&2
"${pin[@]}" "$pipeline" "$work/corpus/zone.txt" "$work/corpus/envelopes.txt" \
    --runs "$runs" --mem-messages "$mem" --rtt-ms "$rtt" "${conf_opt[@]}" \
    --rules rules/authscore.conf \
    >"$logs/pipeline.log" 2>&1 || { cat "$logs/pipeline.log" >&2; exit 1; }

echo "== bench_dkim_worst (the costliest message the DKIM caps allow)" >&2
ninja -C "$dir" bench/dkim/bench_dkim_worst >>"$logs/build.log" 2>&1
"${pin[@]}" "$dir/bench/dkim/bench_dkim_worst" "$runs" >"$logs/dkim-worst.log" 2>&1 ||
    { cat "$logs/dkim-worst.log" >&2; exit 1; }
cat "$logs/dkim-worst.log" >&2
echo "== bench_dkim (same corpus)" >&2
"${pin[@]}" "$dir/bench/dkim/bench_dkim" "$work/corpus/zone.txt" \
    "$work/corpus/list.txt" "$runs" >"$logs/dkim.log" 2>&1 ||
    { cat "$logs/dkim.log" >&2; exit 1; }

echo "== the DNS answer cache, 1 and 2 threads (bench/dns/cache_contention.c)" >&2
${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -Iinclude -Imodule bench/dns/cache_contention.c \
    -o "$work/cache_contention" "$dir/libauthscore_internal.a" -lpthread
"$work/cache_contention" 2 >"$logs/cache.rows" 2>&1 || { cat "$logs/cache.rows" >&2; exit 1; }

echo "== CLI through libunbound vs libopendkim, cold behind ${rtt} ms (bench/cli/run.sh)" >&2
BENCH_RTT_MS=$rtt bench/cli/run.sh "$dir" "$work/corpus" "$work/cli" "$runs" "$core" \
    "$logs/pipeline.log" "$logs/dkim.log" >"$logs/cli.rows" 2>"$logs/cli.log" ||
    { cat "$logs/cli.log" >&2; exit 1; }

# Real daemons, opt-in: they need root (namespaces) and Debian's daemons.
if [ "${BENCH_E2E:-0}" = 1 ]; then
    echo "== Exim end to end (bench/exim/run.sh)" >&2
    bench/exim/run.sh "$dir" "$work/corpus" "$work/exim" "$core" \
        >"$logs/exim.rows" 2>"$logs/exim.log" || { tail -n 30 "$logs/exim.log" >&2; exit 1; }
    echo "== Rspamd end to end (bench/rspamd/run.sh)" >&2
    bench/rspamd/run.sh "$dir" "$work/corpus" "$work/rspamd" "$core" \
        >"$logs/rspamd.rows" 2>"$logs/rspamd.log" || { tail -n 30 "$logs/rspamd.log" >&2; exit 1; }
fi

echo "== bench_spf ($runs runs)" >&2
for i in $(seq 1 "$runs"); do
    "${pin[@]}" "$dir/tests/spf/bench_spf" 20000 >"$logs/spf-$i.log" 2>&1
done

grep -v '^ROW|' "$logs/pipeline.log" >&2 || true
echo >&2
echo "authscore $(git describe --always --dirty 2>/dev/null || echo '?'), $(uname -m)," \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), one core (CPU $core)," \
    "$(date -u +%Y-%m-%dT%H:%MZ)"
echo
"$py" bench/pipeline/table.py "$logs"
