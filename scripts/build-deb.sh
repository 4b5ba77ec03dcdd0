#!/usr/bin/env bash
# Build the Debian packages libauthscore0, libauthscore-dev and authscore
# from debian/ with `dpkg-buildpackage -b -us -uc`, then check them with
# lintian.  The build runs in a copy of the tree (the files git tracks and
# the new ones it does not ignore; outside git, all but build*/), so the
# checkout gets no build files and no .deb lands beside it.
# usage: scripts/build-deb.sh [OUTDIR]       (default: build-deb/)
# Prints the packages and lintian's tags; exits 1 when the build fails or
# lintian reports an error (E:).  Needs the `package` group of
# scripts/deps.sh (installed here when missing) and the build dependencies
# of debian/control (checked by dpkg-buildpackage).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
scripts/deps.sh package >&2
version=$(dpkg-parsechangelog -S Version)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authscore-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/authscore-$version
mkdir -p "$src" "$out"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | tar -c --null -T - -f - | tar -x -C "$src"
else
  # An unpacked tarball: everything but build directories.
  tar -c --exclude='./build*' --exclude='./.git' -f - . | tar -x -C "$src"
fi
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1 || {
  # The errors, not ninja's command lines.
  grep -E 'error|FAILED|warning: .*-Werror' "$tmp/build.log" | grep -v '^cc ' | head -n 20 >&2
  tail -n 5 "$tmp/build.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed" >&2
  exit 1
}
echo "built in $(( $(date +%s) - t0 )) s" >&2
changes=$(ls "$tmp"/authscore_"$version"_*.changes)
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
cp "$tmp"/*.deb "$tmp"/*.buildinfo "$changes" "$out/"
ls -1 "$out"/*.deb
# lintian: errors fail the build; warnings and the rest are listed.
lintian --allow-root -I --tag-display-limit 0 "$out/$(basename "$changes")" >"$tmp/lintian.txt" 2>&1 || true
echo "lintian: $(grep -c '^E:' "$tmp/lintian.txt" || true) errors, $(grep -c '^W:' "$tmp/lintian.txt" || true) warnings"
cat "$tmp/lintian.txt"
cp "$tmp/lintian.txt" "$out/lintian.txt"
! grep -q '^E:' "$tmp/lintian.txt"
