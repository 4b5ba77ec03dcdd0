#!/bin/bash
# What `meson install` gives a site or a package, into a temp DESTDIR:
#   - exactly the files of the list below (the library with its soname and
#     the header, authscore.pc, the command, the milter and its unit, the
#     Rspamd plugin, the shipped rules, the man pages, /etc/authscore/);
#   - the unit starts the installed milter and limits its restarts;
#   - `pkg-config --cflags --libs authscore` names the installed header
#     and library, and a small program built with exactly those flags
#     links, runs, and scores a message through the installed library;
#   - the man pages format without warnings (man --warnings).
# usage: run-install-files.sh BUILD_DIR       (77: built without a part)
set -u
build=$(realpath "${1:?usage: run-install-files.sh BUILD_DIR}")
work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-install-files.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

targets=$(meson introspect "$build" --targets | /usr/bin/python3 -c '
import json, sys
print(" ".join(t["name"] for t in json.load(sys.stdin)))')
case " $targets " in *" authscore-milter "*) ;; *) skip "built without authscore-milter (libmilter-dev)" ;; esac
case " $targets " in *" authscore.1 "*) ;; *) skip "built without man pages (scdoc)" ;; esac

root=$work/root
meson install -C "$build" --no-rebuild --destdir "$root" >"$work/install.log" 2>&1 ||
    { echo "FAIL: meson install: $(tail -n 5 "$work/install.log")"; exit 1; }
read -r prefix libdir bindir sbindir datadir includedir mandir unitdir sanitize <<<"$(
    meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
p = o["prefix"]
d = lambda k: os.path.join(p, o[k])
unit = o["systemdunitdir"] or (os.path.join(p, "lib/systemd/system") if p != "/usr" else "/lib/systemd/system")
print(p, d("libdir"), d("bindir"), d("sbindir"), d("datadir"), d("includedir"), d("mandir"), unit,
      o["b_sanitize"])')"

# The list: a file or "link -> target".  Nothing missing, nothing more.
version=$(meson introspect "$build" --projectinfo | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
sort >"$work/want" <<EOF
/etc/authscore/authscore.conf
/etc/authscore/milter.conf
/etc/authscore/unbound.conf
$bindir/authscore
$sbindir/authscore-milter
$includedir/authscore.h
$libdir/libauthscore.so -> libauthscore.so.0
$libdir/libauthscore.so.0 -> libauthscore.so.$version
$libdir/libauthscore.so.$version
$libdir/pkgconfig/authscore.pc
$datadir/authscore/authscore.conf
$datadir/authscore/authscore.lua
$datadir/authscore/authscore_helpers.lua
$mandir/man1/authscore.1
$mandir/man5/authscore.conf.5
$mandir/man8/authscore-milter.8
$unitdir/authscore-milter.service
EOF
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | while read -r f; do
    if [ -L "$root$f" ]; then echo "$f -> $(readlink "$root$f")"; else echo "$f"; fi
done | sort) >"$work/got"
if diff -u "$work/want" "$work/got" >"$work/diff"; then
    ok "installed files: the $(grep -c '' "$work/want") of the list"
else bad "installed files differ from the list:"; sed -n '3,$p' "$work/diff"; fi
if readelf -d "$root$libdir/libauthscore.so.$version" | grep -q 'SONAME.*\[libauthscore\.so\.0\]'; then
    ok "soname libauthscore.so.0"
else bad "soname: $(readelf -d "$root$libdir/libauthscore.so.$version" | grep SONAME)"; fi
if grep -qx "ExecStart=$sbindir/authscore-milter --config /etc/authscore/milter.conf" \
       "$root$unitdir/authscore-milter.service"; then
    ok "the unit starts $sbindir/authscore-milter"
else bad "unit: $(grep ExecStart "$root$unitdir/authscore-milter.service")"; fi
# A start that keeps failing stops being retried (Restart=on-failure).
if awk '/^\[/ { s = $0 } s == "[Unit]" && /^StartLimitIntervalSec=[1-9]/ { i = 1 }
        s == "[Unit]" && /^StartLimitBurst=[1-9]/ { b = 1 } END { exit !(i && b) }' \
       "$root$unitdir/authscore-milter.service"; then
    ok "the unit limits restarts: $(grep -h '^StartLimit' "$root$unitdir/authscore-milter.service" | tr '\n' ' ')"
else bad "unit: no StartLimitIntervalSec and StartLimitBurst in [Unit]"; fi

# pkg-config against the DESTDIR tree (PKG_CONFIG_SYSROOT_DIR prefixes
# its -I and -L), and a program built with exactly those flags.
export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs authscore 2>&1)
rc=$?
flags=${flags% }
if [ $rc -eq 0 ] && [ "$flags" = "-I$root$includedir -L$root$libdir -lauthscore" ]; then
    ok "pkg-config --cflags --libs authscore: $flags"
else bad "pkg-config (exit $rc): '$flags'"; fi
[ "$(pkg-config --modversion authscore)" = "$version" ] && ok "pkg-config --modversion: $version" ||
    bad "pkg-config --modversion: $(pkg-config --modversion authscore 2>&1)"
cat >"$work/prog.c" <<'EOF'
/* A program that uses only the installed header and library. */
#include <stdio.h>
#include <string.h>

#include <authscore.h>

int main(void)
{
    static const char msg[] = "From: Alice <alice@example.org>\r\n"
                              "Subject: hello\r\n\r\nHi\r\n";
    authscore_ctx *ctx;
    authscore_msg *m;
    if (authscore_ctx_new(&ctx) < 0 ||
        authscore_ctx_set_option(ctx, "dns.backend", "none") < 0 ||
        authscore_ctx_set_option(ctx, "authserv_id", "mx.example.net") < 0 ||
        authscore_ctx_finalize(ctx) < 0)
        return 1;
    if (authscore_msg_new(ctx, NULL, "", "", msg, sizeof msg - 1, &m) < 0 ||
        authscore_msg_result(m) < 0)
        return 2;
    printf("%s %s | %s\n", authscore_version(),
           authscore_result_name(authscore_dkim_overall(m)), authscore_ar_header(m));
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
    return authscore_version_number() == AUTHSCORE_VERSION_NUMBER ? 0 : 3;
}
EOF
# A sanitized build installs an instrumented library: a program that
# links it needs the same runtime.
san=""
[ "$sanitize" = none ] || san=-fsanitize=$sanitize
# shellcheck disable=SC2086
if cc -std=c99 -Wall -Werror $san -o "$work/prog" "$work/prog.c" $flags 2>"$work/cc.log"; then
    out=$(LD_LIBRARY_PATH=$root$libdir "$work/prog" 2>&1)
    rc=$?
    lib=$(LD_LIBRARY_PATH=$root$libdir ldd "$work/prog" | sed -n 's/.*libauthscore.so.0 => \([^ ]*\).*/\1/p')
    case "$rc $out" in
    "0 $version none | mx.example.net; "*"dkim=none"*)
        if [ "$lib" = "$root$libdir/libauthscore.so.0" ]; then
            ok "a program built with those flags links to the installed $lib and runs: $out"
        else bad "the program loads $lib, not the installed library"; fi ;;
    *) bad "the program (exit $rc): $out" ;;
    esac
else bad "cc with the pkg-config flags: $(head -n 5 "$work/cc.log")"; fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# The man pages: formatted by man(1) without a warning.
for page in "$mandir/man1/authscore.1" "$mandir/man5/authscore.conf.5" "$mandir/man8/authscore-milter.8"; do
    warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root$page" 2>&1 >"$work/page.txt")
    if [ -z "$warn" ] && grep -q '^NAME' "$work/page.txt"; then ok "man $(basename "$page"): $(grep -c '' "$work/page.txt") lines"
    else bad "man $(basename "$page"): ${warn:-no NAME section}"; fi
done

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
