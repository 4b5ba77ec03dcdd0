#!/bin/sh
# run.sh - meson benchmark entry: make a small corpus in a temp dir and run
# bench_pipeline on it.  usage: run.sh MAKE_CORPUS_PY BENCH_PIPELINE RULES
# (scripts/bench.sh runs the full-size figures and prints the table.)
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authscore-pipeline.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$1" "$tmp" "${BENCH_MESSAGES:-300}"
"$2" "$tmp/zone.txt" "$tmp/envelopes.txt" --mem-messages 10000 --sleep-sample 4 --rules "$3"
