#!/bin/bash
# Debian's own Rspamd configuration (a copy of /etc/rspamd in a temp dir,
# every stock module in place) with the snippets of docs/rspamd.md pasted
# as an admin would (tests/exim/snippet.py extracts them; only installed
# paths are replaced by the build's), and a validating unbound on the
# signed example zones.  It shows:
#   - `rspamadm configtest -s` is clean: no missing dependency of the
#     modules that wait for Rspamd's spf, dkim and dmarc modules;
#   - the rule file decides the weights, also for names Rspamd ships a
#     default for: R_SPF_FAIL (stock 1.0) and AS_SPF_DNSSEC (ours) change
#     with authscore.local.conf after a SIGHUP, as rspamc shows; a weight
#     set in Rspamd's local.d/policies_group.conf still wins, and one in
#     override.d/policies_group.conf wins over both;
#   - the controller's /symbols shows the rule file's descriptions, also
#     where Rspamd ships another, and a site's own after a SIGHUP;
#   - a DMARC reject message gets the forced action reject;
#   - a mistyped key or action value in local.d/authscore.conf makes
#     `rspamadm configtest` fail with "did you mean";
#   - a broken rule file makes `rspamadm configtest` fail, and after a
#     SIGHUP every message gets AS_CONFIG_ERROR and soft reject.
# Test-only settings (ports, paths, a tiny url_tld, fuzzy_check off: the
# test is offline) go in files of their own.
# usage: run-rspamd-scores.sh PATH/TO/libauthscore.so   (exit 77: skipped)
set -u
lib=$(realpath "${1:?usage: run-rspamd-scores.sh libauthscore.so}")
here=$(cd "$(dirname "$0")" && pwd)
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
. "$here/common.sh"
need_tools rspamd rspamadm rspamc unbound
[ -r /etc/rspamd/rspamd.conf ] || skip "Debian's /etc/rspamd missing (Debian package rspamd)"
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
snip() { /usr/bin/python3 "$src/tests/exim/snippet.py" "$src/docs/rspamd.md" "$@"; }
names="rspamd/rspamd.conf.local rspamd/local.d/authscore.conf rspamd/local.d/authscore.conf-actions
rspamd/local.d/options.inc rspamd/local.d/spf.conf rspamd/local.d/dkim.conf rspamd/local.d/dmarc.conf
rspamd/local.d/arc.conf
rspamd/unbound.conf rspamd/authscore.local.conf rspamd/local.d/policies_group.conf"
# shellcheck disable=SC2086
snip --only $names || fail "docs/rspamd.md has snippets no test pastes"
# paste NAME FILE [FROM TO]...: the snippet into FILE (appended), each
# FROM replaced by TO; a FROM the snippet lacks fails the test.
paste_snippet() {
    local name=$1 file=$2 text
    shift 2
    text=$(snip "$name") || fail "docs/rspamd.md: snippet $name missing"
    while [ $# -ge 2 ]; do
        case $text in *"$1"*) ;; *) fail "docs/rspamd.md: snippet $name lacks $1" ;; esac
        text=${text//"$1"/"$2"}
        shift 2
    done
    printf '%s\n' "$text" >>"$file"
}

# 1. The validating resolver: the page's unbound lines, then the test's.
sign_examples
ub_port=$(free_port)
{
    paste_snippet rspamd/unbound.conf /dev/stdout
    unbound_test_server "$ub_port" | grep -v '^    interface:'
    unbound_auth_zones
} >"$work/unbound.conf"
start_unbound "$work/unbound.conf" "$ub_port"

# 2. Debian's /etc/rspamd, and the page's files in it.
etc=$work/etc
cp -r /etc/rspamd "$etc"
mkdir -p "$work/run" "$work/db" "$work/log" "$work/authscore"
cp "$src/rules/authscore.conf" "$work/authscore/"
vars=(--var="CONFDIR=$etc" --var="LOCAL_CONFDIR=$etc" --var="RUNDIR=$work/run"
      --var="DBDIR=$work/db" --var="LOGDIR=$work/log")
paste_snippet rspamd/rspamd.conf.local "$etc/rspamd.conf.local" \
    /usr/local/share/authscore/authscore.lua "$src/module/host/rspamd/authscore.lua"
paste_snippet rspamd/local.d/authscore.conf "$etc/local.d/authscore.conf" \
    /usr/local/lib/x86_64-linux-gnu/libauthscore.so.0 "$lib" \
    /etc/authscore/authscore.conf "$work/authscore/authscore.conf"
paste_snippet rspamd/local.d/authscore.conf-actions "$etc/local.d/authscore.conf"
paste_snippet rspamd/local.d/options.inc "$etc/local.d/options.inc" 127.0.0.1:53 "127.0.0.1:$ub_port"
for m in spf dkim dmarc arc; do paste_snippet "rspamd/local.d/$m.conf" "$etc/local.d/$m.conf"; done
# Test only: the examples' DKIM signatures were made in 2026-11.
echo 'now = 1795478000;' >>"$etc/local.d/authscore.conf"
printf 'com\nexample\ntest\n' >"$work/tld.dat"
echo "url_tld = \"$work/tld.dat\";" >>"$etc/local.d/options.inc"
echo 'enabled = false;' >"$etc/local.d/fuzzy_check.conf"
printf 'level = "info";\n' >"$etc/local.d/logging.inc"
rs_port=$(free_port)
ctl_port=$(free_port)
for w in normal:$rs_port controller:$ctl_port proxy:$(free_port); do
    printf 'bind_socket = "127.0.0.1:%s";\n' "${w#*:}" >"$etc/override.d/worker-${w%%:*}.inc"
done

# 3. configtest -s: clean, no missing dependency.
out=$(rspamadm "${vars[@]}" configtest -s -c "$etc/rspamd.conf" 2>&1)
rc=$?
if [ $rc -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'cannot find dependency'; then
    ok "configtest -s: $(printf '%s\n' "$out" | tail -n 1)"
else
    bad "configtest -s (exit $rc): $(printf '%s\n' "$out" | grep -v '^$' | head -n 8)"
fi

# Rspamd's own descriptions of the groups' symbols (Debian's scores.d),
# to tell which of ours replace a different one (step 5).
rspamadm "${vars[@]}" configdump -j -c "$etc/rspamd.conf" group >"$work/stock-groups.json" 2>"$work/configdump.log" ||
    fail "rspamadm configdump: $(tail -n 3 "$work/configdump.log")"

# 4. Rspamd itself, in the foreground.
insecure=""
[ "$(id -u)" -eq 0 ] && insecure="-i" # Rspamd refuses root workers otherwise
t0=$(now_ms)
rspamd -f $insecure -u "$(id -un)" -g "$(id -gn)" "${vars[@]}" -c "$etc/rspamd.conf" \
    >"$work/rspamd-stdout.log" 2>&1 &
rs_pid=$!
pids="$pids $rs_pid"
wait_ready "$rs_pid" /usr/bin/python3 "$here/scan.py" ping "$rs_port" ||
    fail "rspamd did not start: $(tail -n 5 "$work/log/rspamd.log")"
echo "rspamd start-up with Debian's configuration: $(( $(now_ms) - t0 )) ms"

ex=$src/examples/messages
spf_fail() { rspamc -h "127.0.0.1:$rs_port" -i 198.51.100.7 --helo mail.softpolicy.example \
    -F news@softpolicy.example "$ex/spf-fail.eml" 2>&1; }
# until_shown WHAT PATTERN...: rspamc on spf-fail.eml until every PATTERN
# shows (new workers come up after a SIGHUP), at most 60 s.
until_shown() {
    local what=$1 out p all
    shift
    for _ in $(seq 120); do
        out=$(spf_fail)
        all=1
        for p in "$@"; do printf '%s\n' "$out" | grep -q -- "$p" || all=0; done
        [ $all = 1 ] && { ok "$what: $(printf '%s\n' "$out" | grep -o -e 'R_SPF_FAIL ([-0-9.]*)' -e 'AS_SPF_DNSSEC ([-0-9.]*)' | tr '\n' ' ')"; return; }
        sleep 0.5
    done
    bad "$what: rspamc shows $(printf '%s\n' "$out" | grep -e Symbol -e Action | tr '\n' ' ')"
}
reload() {
    : >"$work/log/reload.mark"
    kill -HUP "$rs_pid"
}

# 5. The rule file's weights, also for Rspamd's own names.
until_shown "shipped rules" 'Symbol: R_SPF_FAIL (1.00)' 'Symbol: AS_SPF_DNSSEC (-0.10)'
# The descriptions too: the controller's /symbols (what the web UI lists)
# has the rule file's, also where Rspamd ships another.
descriptions() {
    if /usr/bin/python3 "$here/scan.py" descriptions "$ctl_port" "$lib" "$work/authscore/authscore.conf" \
        "$work/stock-groups.json" "$1"; then ok "descriptions (scan.py)"; else bad "descriptions (scan.py)"; fi
}
descriptions -
# The page's authscore.local.conf, plus (test only) a description of the
# site's own for R_SPF_FAIL, whose shipped one is Rspamd's wording too.
paste_snippet rspamd/authscore.local.conf "$work/authscore/authscore.local.conf" \
    'R_SPF_FAIL { weight = 7.5; }' 'R_SPF_FAIL { weight = 7.5; description = "SPF says the client may not send (site wording)"; }'
reload
until_shown "authscore.local.conf after SIGHUP: the rule file wins over Rspamd's stock weight" \
    'Symbol: R_SPF_FAIL (7.50)' 'Symbol: AS_SPF_DNSSEC (-0.30)'
descriptions R_SPF_FAIL
paste_snippet rspamd/local.d/policies_group.conf "$etc/local.d/policies_group.conf"
reload
until_shown "local.d/policies_group.conf after SIGHUP: the admin's Rspamd weight wins" \
    'Symbol: R_SPF_FAIL (3.00)' 'Symbol: AS_SPF_DNSSEC (-0.50)'
grep -q 'authscore: R_SPF_FAIL keeps the weight set in .*local.d/policies_group.conf' "$work/log/rspamd.log" &&
    ok "the plugin logs that local.d/policies_group.conf keeps R_SPF_FAIL" ||
    bad "no log line for the weight kept from local.d/policies_group.conf"
# override.d (test-only weights, no snippet): wins over local.d and the
# rule file.  Rspamd includes it at priority 10 without merging, so it
# replaces the group's whole `symbols` block: naming only R_SPF_FAIL
# drops local.d's AS_SPF_DNSSEC, which goes back to the rule file's.
printf 'symbols {\n  "R_SPF_FAIL" { weight = 4.0; }\n}\n' \
    >"$etc/override.d/policies_group.conf"
reload
until_shown "override.d/policies_group.conf after SIGHUP: wins over local.d and the rule file, and replaces local.d's block" \
    'Symbol: R_SPF_FAIL (4.00)' 'Symbol: AS_SPF_DNSSEC (-0.30)'
if grep -q 'authscore: R_SPF_FAIL keeps the weight set in .*override.d/policies_group.conf' "$work/log/rspamd.log"; then
    ok "the plugin logs that override.d/policies_group.conf keeps R_SPF_FAIL"
else bad "no log line for the weight kept from override.d/policies_group.conf"; fi

# 6. DMARC reject: the forced action.
out=$(rspamc -j -h "127.0.0.1:$rs_port" -i 203.0.113.66 --helo mail.good.example \
    -F ceo@good.example "$ex/dmarc-reject.eml" 2>&1)
said=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r.get("action"), "|", r.get("messages", {}).get("smtp_message", ""))' 2>&1)
case $said in
"reject | authscore: rejected by the DMARC policy of good.example") ok "dmarc-reject.eml: rspamc: $said" ;;
*) bad "dmarc-reject.eml: rspamc: $said" ;;
esac

# 6b. A typo in local.d/authscore.conf (the page's snippets, one word
#     changed): configtest fails and names the word with the nearest
#     known one, the way a broken rule file fails it (the running Rspamd
#     then gives every message AS_CONFIG_ERROR, as in step 7).  Without
#     the check these ran with no rule file, the default authserv-id, or
#     no DMARC reject at all.
conf=$etc/local.d/authscore.conf
cp "$conf" "$work/authscore.conf.good"
# typo NAME FROM TO HINT: FROM (which the snippets must have) becomes TO.
typo() {
    grep -q -- "$2" "$work/authscore.conf.good" || { bad "$1: the snippets lack $2"; return; }
    sed "s/$2/$3/" "$work/authscore.conf.good" >"$conf"
    out=$(rspamadm "${vars[@]}" configtest -c "$etc/rspamd.conf" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -qF -- "$4"; then
        ok "configtest with $1: exit $rc, $(printf '%s\n' "$out" | grep -oF -- "$4" | head -n 1)"
    else bad "configtest with $1: exit $rc: $(printf '%s\n' "$out" | grep -v '^$' | tail -n 3)"; fi
}
typo "rule_file" '^rules_file =' 'rule_file =' 'authscore: unknown option rule_file (did you mean rules_file?)'
typo "authserv-id" '^authserv_id =' 'authserv-id =' 'authscore: unknown option authserv-id (did you mean authserv_id?)'
typo 'reject = "rejekt"' 'reject = "reject";' 'reject = "rejekt";' \
    'authscore: actions.reject = "rejekt" is not an Rspamd action (did you mean reject?)'
cp "$work/authscore.conf.good" "$conf"

# 7. A broken rule file: configtest fails and names it; after a SIGHUP
#    every message gets AS_CONFIG_ERROR and soft reject.
printf 'symbols {\n  R_SPF_FAIL { weight = ; }\n}\n' >"$work/authscore/authscore.local.conf"
out=$(rspamadm "${vars[@]}" configtest -c "$etc/rspamd.conf" 2>&1)
rc=$?
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "authscore.local.conf:2"; then
    ok "configtest with a broken rule file: exit $rc, $(printf '%s\n' "$out" | grep -o 'authscore: authscore_ctx_finalize[^;]*' | head -n 1)"
else bad "configtest with a broken rule file: exit $rc: $(printf '%s\n' "$out" | tail -n 3)"; fi
reload
for _ in $(seq 120); do
    out=$(spf_fail)
    printf '%s\n' "$out" | grep -q 'AS_CONFIG_ERROR' && break
    sleep 0.5
done
if printf '%s\n' "$out" | grep -q '^Action: soft reject' && printf '%s\n' "$out" | grep -q 'Symbol: AS_CONFIG_ERROR' &&
   ! printf '%s\n' "$out" | grep -q 'Symbol: R_SPF'; then
    ok "broken rule file after SIGHUP: $(printf '%s\n' "$out" | grep -e '^Action' -e AS_CONFIG_ERROR | tr '\n' ' ')"
else bad "broken rule file after SIGHUP: $(printf '%s\n' "$out" | grep -e Action -e Symbol | tr '\n' ' ')"; fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
