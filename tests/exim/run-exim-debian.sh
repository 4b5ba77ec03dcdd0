#!/bin/bash
# Debian's own Exim configuration with authscore, as docs/exim.md ("B:
# Debian's configuration") tells an admin to set it up: the snippets are
# extracted from the page (tests/exim/snippet.py) and pasted into a copy
# of Debian's /etc/exim4 (exim4.conf.template and conf.d/) in a temp tree,
# and Debian's update-exim4.conf generates the configuration, for both of
# Debian's layouts:
#   unsplit  exim4.conf.template + exim4.conf.localmacros (the default)
#   split    conf.d/ + conf.d/main/000_localmacros
# plus the CHECK_DATA_LOCAL_ACL_FILE hook file.  For each, a real Exim:
#   - accepts pass.eml with the A-R field first, folded to 78 columns,
#     and the module's line in the main log; the snippet's dns.shared_cache
#     file is then in the spool directory, Debian-exim's, mode 0600;
#   - rejects dmarc-reject.eml (550) and defers dnssec-bogus.eml (451);
#   - defers every message when the rule file is broken (451), logs that
#     once per connection, and writes no panic log.
# Only the library path, AUTHSCORE_OPTIONS (the test's zones and rules;
# the snippet's dns.shared_cache, in $spool_directory, stays)
# and the hook file's directory (the temp tree for /etc/exim4) differ
# from the page; test-only lines (spool, log, no DNS of Exim's own) are
# added after the pasted macros.
# usage: run-exim-debian.sh PATH/TO/libauthscore.so   (exit 77: skipped)
set -u
lib=$(realpath "${1:?usage: run-exim-debian.sh libauthscore.so}")
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }
PATH=$PATH:/usr/sbin:/sbin

[ "$(id -u)" -eq 0 ] || skip "needs root (exim -C with -oMa and -Mvh)"
if ! command -v exim4 >/dev/null 2>&1 || ! command -v update-exim4.conf >/dev/null 2>&1; then
    "$src/scripts/deps.sh" test >/dev/null 2>&1 || true
fi
command -v exim4 >/dev/null 2>&1 || skip "exim4 missing and apt could not install exim4-daemon-heavy"
command -v update-exim4.conf >/dev/null 2>&1 || skip "update-exim4.conf missing (Debian package exim4-config)"
exim4 -bV 2>/dev/null | grep -q 'Expand_dlfunc' || skip "this exim4 has no \${dlfunc} (install exim4-daemon-heavy)"
[ -r /etc/exim4/exim4.conf.template ] && [ -d /etc/exim4/conf.d ] ||
    skip "Debian's exim4.conf.template or conf.d/ missing (Debian package exim4-config)"
id Debian-exim >/dev/null 2>&1 || skip "no Debian-exim user"
su -s /bin/sh Debian-exim -c "test -r '$lib'" 2>/dev/null || skip "$lib not readable by Debian-exim"

umask 022
work=$(mktemp -d /tmp/authscore-exim-debian.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
ex=$src/examples
"$src/tests/dns/sign-zones.sh" "$work/zones" "$ex/zones/example.zone" \
    "$ex/zones/good.example.zone" --tamper "$ex/zones/bogus.example.zone" >/dev/null
rc=$?
[ $rc -eq 77 ] && skip "ldnsutils missing"
[ $rc -eq 0 ] || { echo "FAIL: sign-zones.sh"; exit 1; }
chmod -R a+rX "$work/zones"

fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The page's snippets, the test's library and options.
opts="dns.config=$work/zones/unbound-serverless.conf;dns.trust_anchor=none;authserv_id=mx.receiver.example;dns.timeout_ms=3000;rules.file=$ex/authscore.conf"
snip() { /usr/bin/python3 "$src/tests/exim/snippet.py" "$src/docs/exim.md" "$@"; }
snip debian/localmacros >"$work/localmacros.snippet" && snip debian/acl_data >"$work/acl_data.snippet" ||
    { echo "FAIL: docs/exim.md: snippets debian/localmacros or debian/acl_data missing"; exit 1; }
n=$(grep -c -e '^AUTHSCORE_LIB = ' -e '^AUTHSCORE_OPTIONS = ' -e '^CHECK_DATA_LOCAL_ACL_FILE = /etc/exim4/' "$work/localmacros.snippet")
[ "$n" = 3 ] || { echo "FAIL: docs/exim.md: debian/localmacros lacks AUTHSCORE_LIB, AUTHSCORE_OPTIONS or CHECK_DATA_LOCAL_ACL_FILE"; exit 1; }
shared=$(sed -n 's/^AUTHSCORE_OPTIONS = .*;\(dns\.shared_cache=[^; #]*\).*/\1/p' "$work/localmacros.snippet")
[ -n "$shared" ] || { echo "FAIL: docs/exim.md: debian/localmacros sets no dns.shared_cache"; exit 1; }

# An SMTP session (CRLF, dot-stuffed): HELO, MAIL FROM, then each file as
# a message of its own.
session() {
    local helo=$1 from=$2 f
    shift 2
    printf 'EHLO %s\r\n' "$helo"
    for f in "$@"; do
        printf 'MAIL FROM:<%s>\r\nRCPT TO:<postmaster@receiver.example>\r\nDATA\r\n' "$from"
        sed 's/\r$//; s/^\./../; s/$/\r/' "$f"
        printf '.\r\n'
    done
    printf 'QUIT\r\n'
}
replies() { grep -E '^[245][0-9][0-9] ' | tr '\n' '|'; }

# run_layout NAME: build Debian's configuration in $work/NAME and check it.
run_layout() {
    local name=$1 d=$work/$1 tree=$work/$1/etc-exim4 conf macros out id h r rc said expanded cache
    mkdir -p "$tree" "$d/spool" "$d/log"
    chown Debian-exim:Debian-exim "$d/spool" "$d/log"
    cp /etc/exim4/exim4.conf.template "$tree/"
    cp -r /etc/exim4/conf.d "$tree/"
    cat >"$tree/update-exim4.conf.conf" <<EOF
dc_eximconfig_configtype='internet'
dc_other_hostnames='receiver.example'
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='false'
dc_relay_nets=''
dc_smarthost=''
CFILEMODE='644'
dc_use_split_config='$([ "$name" = split ] && echo true || echo false)'
dc_hide_mailname=''
dc_mailname_in_oh='true'
dc_localdelivery='mail_spool'
EOF
    if [ "$name" = split ]; then
        macros=$tree/conf.d/main/000_localmacros
    else
        macros=$tree/exim4.conf.localmacros
    fi
    sed -e "s|^AUTHSCORE_LIB = [^ #]*|AUTHSCORE_LIB = $lib|" \
        -e "s|^AUTHSCORE_OPTIONS = [^ #]*|AUTHSCORE_OPTIONS = $opts;$shared|" \
        -e "s|^CHECK_DATA_LOCAL_ACL_FILE = /etc/exim4/|CHECK_DATA_LOCAL_ACL_FILE = $tree/|" \
        "$work/localmacros.snippet" >"$macros"
    cat >>"$macros" <<EOF

# Test only: spool and logs in the temp dir, a fixed host name, and no DNS
# of Exim's own (reverse lookups, its DKIM verifier): the test is offline.
SPOOLDIR = $d/spool
MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.receiver.example
MAIN_HOST_LOOKUP = !*
log_file_path = $d/log/%slog
dkim_verify_signers =
EOF
    cp "$work/acl_data.snippet" "$tree/$(sed -n 's|^CHECK_DATA_LOCAL_ACL_FILE = /etc/exim4/||p' "$work/localmacros.snippet")"
    chmod -R a+rX "$tree"
    conf=$d/exim4.conf
    if [ "$name" = split ]; then
        update-exim4.conf -d "$tree" -o "$conf" >"$d/update.log" 2>&1
    else
        # Debian's script reads DIR/exim4.conf.localmacros only when
        # /etc/exim4/exim4.conf.localmacros exists (a quirk of -d); a copy
        # that looks in DIR runs the rest of it unchanged.
        sed "s|\"/etc/exim4/exim4.conf.localmacros\"|\"$tree/exim4.conf.localmacros\"|" \
            "$(command -v update-exim4.conf)" >"$d/update-exim4.conf"
        sh "$d/update-exim4.conf" -d "$tree" -o "$conf" >"$d/update.log" 2>&1
    fi
    rc=$?
    if [ $rc -ne 0 ] || ! grep -q '^AUTHSCORE_LIB = ' "$conf" 2>/dev/null; then
        bad "$name: update-exim4.conf: $(cat "$d/update.log")"
        return
    fi
    if ! exim4 -C "$conf" -bV >"$d/bV.log" 2>&1; then
        bad "$name: exim4 -bV refuses the configuration: $(tail -n 3 "$d/bV.log")"
        return
    fi
    ok "$name: update-exim4.conf built a configuration Exim accepts"

    # 1. Accepted, A-R first and folded, the outcome in the main log.
    out=$(session mx.good.example alice@good.example "$ex/messages/pass.eml" |
          exim4 -C "$conf" -odq -oMa 192.0.2.25 -bs 2>&1 | tr -d '\r')
    id=$(printf '%s\n' "$out" | sed -n 's/^250 OK id=\([-A-Za-z0-9]*\).*/\1/p')
    if [ -z "$id" ]; then
        bad "$name: pass.eml not accepted: $(printf '%s\n' "$out" | replies)"
    else
        h=$(exim4 -C "$conf" -Mvh "$id")
        if r=$(printf '%s\n' "$h" | /usr/bin/python3 "$src/tests/exim/headers.py" --ar); then
            ok "$name: pass.eml accepted ($id); Authentication-Results: $r"
        else bad "$name: pass.eml: $r"; fi
        r=$(printf '%s\n' "$h" | /usr/bin/python3 "$src/tests/exim/headers.py" Authentication-Results)
        case $r in
        "mx.receiver.example; spf=pass "*"dkim=pass header.d=good.example"*"dmarc=pass header.from=good.example"*) ;;
        *) bad "$name: pass.eml: Authentication-Results: $r" ;;
        esac
        if grep -q "$id authscore: spf=pass spf_helo=none dkim=pass .* dmarc=pass .* score=-1.50 " "$d/log/mainlog"; then
            ok "$name: main log: $(grep -o "$id authscore: .*dmarc=pass" "$d/log/mainlog")"
        else bad "$name: no authscore line for $id in the main log: $(tail -n 3 "$d/log/mainlog")"; fi
        cache=${shared#dns.shared_cache=}
        cache=${cache//\$spool_directory/$d/spool}
        r=$(stat -c '%U %a' "$cache" 2>&1)
        if [ "$r" = "Debian-exim 600" ]; then ok "$name: shared cache $cache: $r"
        else bad "$name: shared cache $cache: $r"; fi
    fi

    # 2. DMARC reject: 550.  A bogus DNSSEC answer (temperror): 451.
    r=$(session mail.good.example ceo@good.example "$ex/messages/dmarc-reject.eml" |
        exim4 -C "$conf" -bh 203.0.113.66 2>&1 | tr -d '\r' | replies)
    case $r in
    *"550 5.7.1 rejected by the DMARC policy"*) ok "$name: dmarc-reject.eml: 550" ;;
    *) bad "$name: dmarc-reject.eml: $r" ;;
    esac
    r=$(session mail.bogus.example support@bogus.example "$ex/messages/dnssec-bogus.eml" |
        exim4 -C "$conf" -bh 192.0.2.90 2>&1 | tr -d '\r' | replies)
    case $r in
    *"451 4.7.5 temporary DNS failure"*) ok "$name: dnssec-bogus.eml: 451" ;;
    *) bad "$name: dnssec-bogus.eml: $r" ;;
    esac

    # 3. A broken rule file: both messages of one connection deferred, the
    #    error logged once by the module, no panic log.
    sed "s|rules.file=$ex/authscore.conf|rules.file=$work/bad-rules.conf|" "$conf" >"$d/broken.conf"
    : >"$d/log/mainlog"
    r=$(session mx.good.example alice@good.example "$ex/messages/pass.eml" "$ex/messages/pass.eml" |
        exim4 -C "$d/broken.conf" -odq -oMa 192.0.2.25 -bs 2>&1 | tr -d '\r' | replies)
    said=$(grep -c "authscore: configuration error, every message is deferred until it is fixed: .*bad-rules.conf:2" "$d/log/mainlog")
    expanded=$(grep -c "temporarily rejected after DATA: failed to expand ACL string" "$d/log/mainlog")
    if [ "$(printf '%s' "$r" | tr '|' '\n' | grep -c '^451 ')" = 2 ] && [ "$said" = 1 ] &&
       [ "$expanded" = 2 ] && [ ! -s "$d/log/paniclog" ]; then
        ok "$name: broken rule file: 451 twice, logged once, no panic log"
    else
        bad "$name: broken rule file: replies $r; logged $said times; $expanded expansion lines; panic log: $(head -n 2 "$d/log/paniclog" 2>/dev/null)"
    fi
}

printf 'symbols {\n  BROKEN { weight = ; }\n}\n' >"$work/bad-rules.conf"
run_layout unsplit
run_layout split

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
