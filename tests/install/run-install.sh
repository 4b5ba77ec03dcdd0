#!/bin/bash
# The install layout of README "Installing", into a temp DESTDIR:
#   - the library, the command, the header, the Rspamd plugin (both files)
#     and the shipped rules land where the docs say;
#   - /etc/authscore/authscore.conf and /etc/authscore/unbound.conf are
#     created when absent and never overwritten: an edited rule file
#     survives a second install, a deleted one comes back;
#   - the installed command runs: rules-check on the installed rules, and
#     a check through the example unbound.conf (it loads; the forwarder is
#     not there, so DNS gives temperror, not a configuration error);
# and a configuration without Criterion: `meson setup` says the tests are
# off and still builds the library and the command.
# usage: run-install.sh BUILD_DIR
set -u
build=$(realpath "${1:?usage: run-install.sh BUILD_DIR}")
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-install.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

root=$work/root
install_once() { meson install -C "$build" --no-rebuild --destdir "$root" >"$work/install.log" 2>&1; }
install_once || { echo "FAIL: meson install: $(tail -n 5 "$work/install.log")"; exit 1; }
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["libdir"], o["bindir"], o["datadir"], o["includedir"])')
read -r p libdir bindir datadir includedir <<<"$prefix"
at() { case $1 in /*) echo "$root$1" ;; *) echo "$root$p/$1" ;; esac; }
for f in "$(at "$libdir")/libauthscore.so.0" "$(at "$bindir")/authscore" \
         "$(at "$includedir")/authscore.h" "$(at "$datadir")/authscore/authscore.lua" \
         "$(at "$datadir")/authscore/authscore_helpers.lua" "$(at "$datadir")/authscore/authscore.conf" \
         "$root/etc/authscore/authscore.conf" "$root/etc/authscore/unbound.conf"; do
    if [ -f "$f" ]; then ok "installed ${f#"$root"}"; else bad "missing ${f#"$root"}"; fi
done
cmp -s "$root/etc/authscore/authscore.conf" "$src/rules/authscore.conf" &&
    ok "/etc/authscore/authscore.conf is the shipped rule file" ||
    bad "/etc/authscore/authscore.conf differs from rules/authscore.conf"

# Never overwritten, created when absent.
echo '# edited by the admin' >>"$root/etc/authscore/authscore.conf"
rm "$root/etc/authscore/unbound.conf"
install_once || bad "second meson install: $(tail -n 5 "$work/install.log")"
grep -q '^# edited by the admin' "$root/etc/authscore/authscore.conf" &&
    ok "a second install keeps the edited authscore.conf" ||
    bad "a second install overwrote the edited authscore.conf"
[ -f "$root/etc/authscore/unbound.conf" ] && ok "a second install puts back a deleted unbound.conf" ||
    bad "unbound.conf not put back"

# The installed command, with the installed library.
cli=$(at "$bindir")/authscore
export LD_LIBRARY_PATH=$(at "$libdir")
if out=$("$cli" rules-check "$root/etc/authscore/authscore.conf" 2>&1) &&
   printf '%s\n' "$out" | grep -q 'R_SPF_FAIL'; then
    ok "installed authscore rules-check: $(printf '%s\n' "$out" | grep -c '^')" lines
else bad "installed authscore rules-check: $out"; fi
out=$("$cli" check --dns-config "$root/etc/authscore/unbound.conf" --dns-timeout 300 \
      --ip 192.0.2.25 --helo mx.good.example --mail-from alice@good.example \
      "$src/examples/messages/pass.eml" 2>&1)
rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'temperror' &&
   ! printf '%s\n' "$out" | grep -qi 'bad configuration'; then
    ok "the example unbound.conf loads (no resolver behind it: temperror)"
else bad "check with the example unbound.conf (exit $rc): $(printf '%s\n' "$out" | head -n 5)"; fi
unset LD_LIBRARY_PATH

# Without Criterion: the same source configures, says the tests are off,
# and still has the library and the command.  pkg-config sees every .pc
# file of the system except Criterion's.
pc=$work/pkgconfig
mkdir "$pc"
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
    [ -d "$d" ] || continue
    for f in "$d"/*.pc; do
        [ -e "$f" ] && [ "$(basename "$f")" != criterion.pc ] && ln -sf "$f" "$pc/"
    done
done
out=$(PKG_CONFIG_LIBDIR=$pc PKG_CONFIG_PATH= meson setup "$work/nocriterion" "$src" 2>&1)
rc=$?
targets=$(meson introspect "$work/nocriterion" --targets 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(" ".join(sorted("%s:%s" % (t["type"], t["name"]) for t in json.load(sys.stdin))))' 2>/dev/null)
case "$rc $out" in
"0 "*"tests are off: Criterion was not found"*)
    if printf ' %s ' "$targets" | grep -q ' executable:authscore ' &&
       printf ' %s ' "$targets" | grep -q ' shared library:authscore ' &&
       ! printf '%s' "$targets" | grep -q 'test_'; then
        ok "without Criterion: tests are off; targets: $targets"
    else bad "without Criterion: targets $targets"; fi ;;
*) bad "without Criterion (exit $rc): $(printf '%s\n' "$out" | grep -i -e error -e tests | head -n 3)" ;;
esac
out=$(PKG_CONFIG_LIBDIR=$pc PKG_CONFIG_PATH= meson setup "$work/required" "$src" -Dtests=true 2>&1)
rc=$?
case "$rc $out" in
[1-9]*"-Dtests=true, but Criterion was not found"*) ok "-Dtests=true without Criterion: an error naming libcriterion-dev" ;;
*) bad "-Dtests=true without Criterion (exit $rc): $(printf '%s\n' "$out" | tail -n 2)" ;;
esac

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
