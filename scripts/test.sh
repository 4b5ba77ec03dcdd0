#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh
meson test -C "${BUILD_DIR:-build}" --print-errorlogs --num-processes 2 "$@"
