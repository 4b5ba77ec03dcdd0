#!/usr/bin/env bash
# The whole test suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
dir=${SANITIZE_BUILD_DIR:-build-sanitize}
[ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C "$dir"
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 "$@"
