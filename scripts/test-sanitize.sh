#!/usr/bin/env bash
# The whole test suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
# $AUTHSCORE_MESON_OPTS and CI=true as in scripts/build.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
dir=${SANITIZE_BUILD_DIR:-build-sanitize}
read -r -a opts <<<"${AUTHSCORE_MESON_OPTS:-}"
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false "${opts[@]}" >/dev/null
elif [ ${#opts[@]} -gt 0 ]; then
  meson configure "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir"
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 "$@"
/usr/bin/python3 scripts/test-summary.py "$dir/meson-logs/testlog.json"
