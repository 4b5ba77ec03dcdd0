#!/usr/bin/env bash
# The library and the CLI built from scratch with clang at warning_level=3
# (-Wall -Wextra -Wpedantic), the house rule for library code; prints every
# warning.  With CLANG_WERROR=true (what .ci/run sets) a warning fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh fuzz
dir=${CLANG_BUILD_DIR:-build-clang}
werror=${CLANG_WERROR:-false}
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang-14 meson setup "$dir" -Dtests=false -Dwarning_level=3 -Dwerror="$werror" >/dev/null
else
  meson configure "$dir" -Dwarning_level=3 -Dwerror="$werror" >/dev/null
fi
# From scratch: an incremental build would show only the files it rebuilt.
ninja -C "$dir" -t clean >/dev/null
log=$dir/clang-warnings.log
rc=0
ninja -C "$dir" -k 0 >"$log" 2>&1 || rc=$?
n=$(grep -cE 'warning:|\[-Werror' "$log" || true)
if [ "$n" -gt 0 ] || [ "$rc" -ne 0 ]; then
  grep -E 'warning:|error:' "$log" || tail -n 40 "$log"
fi
echo "clang-14 warning_level=3: $n warning(s) (werror=$werror)"
exit "$rc"
