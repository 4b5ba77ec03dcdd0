#!/bin/bash
# The Debian packages (debian/, scripts/build-deb.sh): built with
# `dpkg-buildpackage -b -us -uc`, lintian reports no tag but those of
# tests/package/lintian-allowed (each with its reason), and each package
# holds what it should:
#   libauthscore0     the library with its soname, and a symbols file;
#   libauthscore-dev  the header, the .so link and authscore.pc;
#   authscore         the command, the milter, its unit (not enabled at
#                     install, its syntax as systemd-analyze verify reads
#                     it), the Rspamd plugin, the man pages and
#                     /etc/authscore/ as conffiles; its postinst makes the
#                     user _authscore.
# The unpacked packages work together: the milter and the command run
# from them, and the milter checks the shipped configuration (as root,
# reading the files as user nobody, as the daemon does).
# usage: run-package.sh        (77: not on Debian, or the tools cannot be had)
set -u
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }
for t in dpkg-buildpackage lintian dh systemd-analyze; do
    command -v "$t" >/dev/null 2>&1 || { "$src/scripts/deps.sh" package >/dev/null 2>&1 || true; break; }
done
for t in dpkg-buildpackage lintian dh systemd-analyze; do
    command -v "$t" >/dev/null 2>&1 || skip "$t missing (scripts/deps.sh package)"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-package.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
# The milter's --check-config reads the unpacked files as user nobody.
chmod 755 "$work"
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

t0=$(date +%s)
if "$src/scripts/build-deb.sh" "$work/out" >"$work/build.out" 2>&1; then
    ok "scripts/build-deb.sh in $(( $(date +%s) - t0 )) s: $(grep '^lintian:' "$work/build.out")"
else
    bad "scripts/build-deb.sh: $(tail -n 20 "$work/build.out")"
    echo "$passes passed, $fails failed"; exit 1
fi
# lintian's tags as "SEVERITY: PACKAGE: TAG", against the allow-list.
allowed=$src/tests/package/lintian-allowed
sed -nE 's/^([A-Z]): ([^:]+): ([^ ]+).*/\1: \2: \3/p' "$work/build.out" | sort -u >"$work/tags"
grep -v -e '^#' -e '^$' "$allowed" | sort -u >"$work/allowed"
new_tags=$(comm -23 "$work/tags" "$work/allowed")
if [ -z "$new_tags" ]; then
    ok "lintian: $(grep -c '' "$work/tags") tag(s), each in tests/package/lintian-allowed: $(tr '\n' ' ' <"$work/tags")"
else
    bad "lintian tags not in tests/package/lintian-allowed (fix them, or record them with a reason):"
    grep -E '^[A-Z]: ' "$work/build.out" | grep -F -f <(printf '%s\n' "$new_tags" | sed 's/^.*: //') | sed 's/^/  /'
fi
comm -13 "$work/tags" "$work/allowed" | sed 's/^/  note: allowed but no longer reported: /'
version=$(cd "$src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb() { echo "$work/out/$1_${version}_$arch.deb"; }
# has PACKAGE PATH...: each path is in the package.
has() {
    local p=$1 list miss=""
    shift
    list=$(dpkg-deb -c "$(deb "$p")" | awk '{print $6}' | sed 's|^\.||')
    for f; do printf '%s\n' "$list" | grep -qx "$f" || miss="$miss $f"; done
    if [ -z "$miss" ]; then ok "$p: $*"; else bad "$p lacks:$miss"; fi
}
has libauthscore0 "/usr/lib/$multiarch/libauthscore.so.$version" "/usr/lib/$multiarch/libauthscore.so.0"
has libauthscore-dev /usr/include/authscore.h "/usr/lib/$multiarch/libauthscore.so" \
    "/usr/lib/$multiarch/pkgconfig/authscore.pc"
has authscore /usr/bin/authscore /usr/sbin/authscore-milter /lib/systemd/system/authscore-milter.service \
    /usr/share/authscore/authscore.lua /usr/share/authscore/authscore_helpers.lua \
    /usr/share/man/man8/authscore-milter.8.gz /usr/share/man/man1/authscore.1.gz \
    /usr/share/man/man5/authscore.conf.5.gz
# The packaged unit, as systemd reads it: no unknown key, section or value
# (a key in the wrong section, such as StartLimitBurst= under [Service],
# is ignored by systemd, with only a log line).  The programs it runs are
# not installed here, so "not executable" is no finding.
dpkg-deb --fsys-tarfile "$(deb authscore)" | tar -xO ./lib/systemd/system/authscore-milter.service \
    >"$work/authscore-milter.service"
findings=$(systemd-analyze verify --man=no "$work/authscore-milter.service" 2>&1 |
    grep -E -i 'unknown|invalid|failed to parse|ignoring|missing')
if [ -z "$findings" ] && grep -q '^StartLimitBurst=' "$work/authscore-milter.service"; then
    ok "authscore: systemd-analyze verify reads the unit without a finding"
else bad "authscore: the unit: ${findings:-no StartLimitBurst=}"; fi
conffiles=$(dpkg-deb --ctrl-tarfile "$(deb authscore)" | tar -xO ./conffiles 2>/dev/null | sort | tr '\n' ' ')
[ "$conffiles" = "/etc/authscore/authscore.conf /etc/authscore/milter.conf /etc/authscore/unbound.conf " ] &&
    ok "authscore: conffiles $conffiles" || bad "authscore: conffiles '$conffiles'"
symbols=$(dpkg-deb --ctrl-tarfile "$(deb libauthscore0)" | tar -xO ./symbols 2>/dev/null)
case $symbols in
*"libauthscore.so.0 libauthscore0 #MINVER#"*" authscore_check@AUTHSCORE_1.0 $version"*)
    ok "libauthscore0: symbols file, $(printf '%s\n' "$symbols" | grep -c '@AUTHSCORE_1.0') symbols of AUTHSCORE_1.0" ;;
*) bad "libauthscore0: symbols: $symbols" ;;
esac
dep=$(dpkg-deb -f "$(deb libauthscore-dev)" Depends)
case $dep in *"libauthscore0 (= $version)"*) ok "libauthscore-dev depends on $dep" ;; *) bad "libauthscore-dev Depends: $dep" ;; esac
postinst=$(dpkg-deb --ctrl-tarfile "$(deb authscore)" | tar -xO ./postinst 2>/dev/null)
if printf '%s\n' "$postinst" | grep -q 'adduser --system --group' &&
   printf '%s\n' "$postinst" | grep -q 'no-create-home .*_authscore' &&
   ! printf '%s\n' "$postinst" | grep -q 'deb-systemd-invoke .*start'; then
    ok "authscore: postinst adds _authscore and does not start the milter"
else bad "authscore postinst: $(printf '%s\n' "$postinst" | grep -E 'adduser|systemd' | head -n 4)"; fi

# The packages unpacked side by side run.
root=$work/root
for p in libauthscore0 libauthscore-dev authscore; do dpkg-deb -x "$(deb "$p")" "$root"; done
export LD_LIBRARY_PATH=$root/usr/lib/$multiarch
out=$("$root/usr/sbin/authscore-milter" --version 2>&1)
case $out in "authscore-milter $version (libauthscore $version, libmilter "*) ok "packaged milter: $out" ;; *) bad "packaged milter: $out" ;; esac
sed -e "s|^rules.file = .*|rules.file = $root/etc/authscore/authscore.conf|" -e 's|^user = .*|user = nobody|' \
    -e "s|^socket = .*|socket = unix:$work/m.sock|" -e '/^socket_group = /d' \
    -e 's|^dns.timeout_ms = .*|dns.backend = none|' "$root/etc/authscore/milter.conf" >"$work/milter.conf"
out=$("$root/usr/sbin/authscore-milter" --check-config --config "$work/milter.conf" 2>&1)
case $out in *": OK: socket unix:$work/m.sock, authserv-id $(hostname), "*) ok "packaged milter checks the shipped milter.conf: $out" ;;
*) bad "packaged milter --check-config: $out" ;; esac
out=$("$root/usr/bin/authscore" rules-check "$root/etc/authscore/authscore.conf" 2>&1 | tail -n 1)
case $out in *": OK, "*) ok "packaged command: rules-check: $out" ;; *) bad "packaged rules-check: $out" ;; esac
echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
