#!/usr/bin/env bash
# The README's main job: install what is missing, build, sign the example
# zones (DNSSEC, offline), and score every example message with `authscore`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
export BUILD_DIR=${BUILD_DIR:-build-run}
scripts/build.sh -Dtests=false
exec examples/run.sh "$BUILD_DIR/module/host/cli/authscore" "$@"
