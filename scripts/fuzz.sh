#!/usr/bin/env bash
# Build every libFuzzer target with clang (ASan+UBSan) and run each for N
# seconds (default 60) from its committed seed corpus; fail on any crash.
# New inputs go to a scratch dir so the committed seeds stay as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-${FUZZ_SECONDS:-60}}
scripts/deps.sh fuzz
dir=${FUZZ_BUILD_DIR:-build-fuzz}
# Extra meson options as in scripts/build.sh (CI: -Dwerror=true).
read -r -a opts <<<"${AUTHSCORE_MESON_OPTS:-}"
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang-14 meson setup "$dir" -Dfuzz=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false "${opts[@]}" >/dev/null
elif [ ${#opts[@]} -gt 0 ]; then
  meson configure "$dir" "${opts[@]}" >/dev/null
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ninja -C "$dir" >"$scratch/build.log" 2>&1 || { tail -n 40 "$scratch/build.log"; exit 1; }
targets=$(find "$dir/fuzz" -maxdepth 1 -type f -executable -name 'fuzz_*' -printf '%f\n' | sort)
[ -n "$targets" ] || { echo "no fuzz targets built"; exit 1; }
run_one() {
  local t=$1 name=${1#fuzz_}
  mkdir -p "$scratch/$name/new" "$scratch/$name/art"
  if "$dir/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$scratch/$name/art/" -print_final_stats=1 \
       "$scratch/$name/new" "fuzz/corpus/$name" >"$scratch/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$name.log" | awk '{print $2}') runs in ${secs}s)"
  else
    echo "fuzz $name: FAILED"; tail -40 "$scratch/$name.log"
    for a in "$scratch/$name/art/"*; do [ -f "$a" ] && { echo "crash input (base64):"; base64 "$a" | head -200; }; done
    return 1
  fi
}
# meson's UBSan recovers by default: make undefined behaviour a failure.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export -f run_one; export dir secs scratch
# Two cores: two targets at a time.
echo "$targets" | xargs -P 2 -I{} bash -c 'run_one {}'
