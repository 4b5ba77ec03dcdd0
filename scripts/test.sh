#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
# In CI (CI=true) a skipped test fails the run (scripts/test-summary.py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh
dir=${BUILD_DIR:-build}
meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
/usr/bin/python3 scripts/test-summary.py "$dir/meson-logs/testlog.json"
