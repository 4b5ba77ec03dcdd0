#!/usr/bin/env bash
# Configure (once) and build into build/ (or $BUILD_DIR).  Extra meson
# options in $AUTHSCORE_MESON_OPTS (CI: -Dwerror=true) apply to a new build
# dir and to one configured before.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build}
read -r -a opts <<<"${AUTHSCORE_MESON_OPTS:-}"
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" "${opts[@]}" >/dev/null
elif [ ${#opts[@]} -gt 0 ]; then
  meson configure "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir"
