#!/bin/bash
# A real Rspamd (Debian's) loads module/host/rspamd/authscore.lua, which
# drives libauthscore.so through LuaJIT's FFI and asks every DNS question
# through Rspamd's own asynchronous resolver.  That resolver talks to a
# local validating unbound daemon, so `authenticated` (the AD bit) means
# validated:
#   - test zones (tests/dns/zones: example.test, unsigned.test, bogus.test)
#     on nsd, reached through unbound stub-zones (tests/dns/with-fixtures.sh
#     starts nsd and writes those stub-zones and trust anchors);
#   - the example zones (examples/zones) signed now by sign-zones.sh and
#     loaded by unbound as auth-zones, validated like upstream data;
#   - hang.test and stall.test: stub-zones pointing at dns-sink.py, which
#     never answers.
# Nothing is asked beyond loopback: unbound refuses every other name.
# tests/rspamd/scan.py makes the assertions (see there).
#
# usage: with-fixtures.sh run-rspamd.sh PATH/TO/libauthscore.so  (77: skipped)
set -u
lib=$(realpath "${1:?usage: with-fixtures.sh run-rspamd.sh libauthscore.so}")
here=$(cd "$(dirname "$0")" && pwd)
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
. "$here/common.sh"
. "$here/standalone_conf.sh"
need_tools rspamd rspamc unbound
[ -z "${AUTHSCORE_DNS_SKIP:-}" ] || skip "$AUTHSCORE_DNS_SKIP"
[ -n "${AUTHSCORE_DNS_NSD_CONF:-}" ] || skip "run me under tests/dns/with-fixtures.sh"

# 1. The example zones, signed now (bogus.example tampered after signing).
sign_examples

# 2. Black holes: one per test, since unbound marks a silent server down
#    and then answers SERVFAIL at once for every zone behind it.
start_sink() {
    /usr/bin/python3 "$here/dns-sink.py" >"$work/$1.port" 2>"$work/$1.log" &
    pids="$pids $!"
    for _ in $(seq 50); do [ -s "$work/$1.port" ] && break; sleep 0.1; done
    [ -s "$work/$1.port" ] || fail "dns-sink.py did not start"
}
start_sink sink
start_sink sink2
sink_port=$(cat "$work/sink.port")
sink2_port=$(cat "$work/sink2.port")

# 3. The validating resolver Rspamd uses.
ub_port=$(free_port)
{
    unbound_test_server "$ub_port"
    cat <<EOF
    val-log-level: 2
    access-control: 127.0.0.0/8 allow
    # Extended DNS Errors (RFC 8914) on SERVFAIL: say when it was bogus.
    ede: yes
    domain-insecure: "hang.test."
    domain-insecure: "stall.test."
    # A black-holed name must not wait out unbound's long retry schedule.
    infra-cache-max-rtt: 1000
EOF
    unbound_auth_zones
    printf 'stub-zone:\n    name: "hang.test."\n    stub-addr: 127.0.0.1@%s\n' "$sink_port"
    printf 'stub-zone:\n    name: "stall.test."\n    stub-addr: 127.0.0.1@%s\n' "$sink2_port"
    # with-fixtures.sh: nsd's stub-zones and the test zones' trust anchors.
    printf 'include: "%s"\n' "$AUTHSCORE_DNS_NSD_CONF"
} >"$work/unbound.conf"
start_unbound "$work/unbound.conf" "$ub_port"

# 4. Rspamd: one normal worker, no built-in filters, a tiny url_tld.
printf 'com\nexample\ntest\n' >"$work/tld.dat"
rules_file=$src/rules/authscore.conf
rules="rules_file = \"$rules_file\";"
insecure=""
[ "$(id -u)" -eq 0 ] && insecure="-i" # Rspamd refuses root workers otherwise

# start_rspamd NAME TASK_TIMEOUT [PLUGIN OPTIONS]: config in $work/NAME/,
# sets rs_port and rs_pid.
start_rspamd() {
    local d=$work/$1 t0 t1
    mkdir -p "$d"
    rs_port=$(free_port)
    {
        standalone_conf "$d" "$rs_port" "$ub_port" "$work/tld.dat" "$2" "$work/$1.log" info \
            '    filters = "";
    check_all_filters = false;' '    debug_modules = ["authscore"];'
        cat <<EOF
lua = "$src/module/host/rspamd/authscore.lua";
authscore {
    library = "$lib";
    authserv_id = "mx.receiver.example";
    ${RULES_LINE-$rules}
    # Test only: the examples' DKIM signatures were made in 2026-11.
    now = 1795478000;
    ${3:-}
}
EOF
    } >"$d/rspamd.conf"
    t0=$(now_ms)
    rspamd -f $insecure -u "$(id -un)" -g "$(id -gn)" -c "$d/rspamd.conf" >"$work/$1-stdout.log" 2>&1 &
    rs_pid=$!
    pids="$pids $rs_pid"
    wait_ready "$rs_pid" /usr/bin/python3 "$here/scan.py" ping "$rs_port" || fail "rspamd ($1) did not start"
    t1=$(now_ms)
    echo "rspamd ($1) start-up: $((t1 - t0)) ms"
    [ "${EXPECT_LOADED:-yes}" = no ] && return 0
    grep -q 'authscore: libauthscore .* loaded' "$work/$1.log" || fail "plugin not loaded ($1)"
}

start_rspamd rspamd 8s
export AUTHSCORE_RSPAMD_LOG="$work/rspamd.log"
/usr/bin/python3 "$here/scan.py" check "$rs_port" "$lib" "$src" "$rules_file" || fail "scan.py check"
# Fail closed: an error of the module (here authscore_msg_new refusing a
# HELO longer than RFC 5321 allows) defers the message, never scores it.
/usr/bin/python3 "$here/scan.py" deferred "$rs_port" "$src" "authscore_msg_new: invalid argument" \
    "$(printf 'h%.0s' $(seq 600)).example" || fail "scan.py deferred (bad HELO)"
grep -q 'authscore: authscore_msg_new: invalid argument; message deferred' "$work/rspamd.log" ||
    fail "deferred message: no log line"
# Real TTLs reach authscore_msg_answer (the plugin's debug line per
# answer): the zones' TTL is 3600, the negative TTL (SOA MINIMUM) 300.
/usr/bin/python3 "$here/scan.py" ttls "$work/rspamd.log" || fail "scan.py ttls"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null
echo "rspamd stopped"

# 4b. ARC (docs/arc.md): the example site's rules (examples/authscore.conf,
#     the shipped rules plus arc_trusted_sealers forwarder.example).  The
#     sealer's key is in the signed auth-zone forwarder.example.  list.eml
#     fails DMARC under p=reject, and the trusted seal lowers the reject
#     (scan.py check shows the reject under the shipped rules).
RULES_LINE="rules_file = \"$src/examples/authscore.conf\";" start_rspamd arc 8s
/usr/bin/python3 "$here/scan.py" arc "$rs_port" "$lib" "$src" "$src/examples/authscore.conf" ||
    fail "scan.py arc"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# 5. Tasks that end while lookups are in flight (task_timeout 1 s).
#    a) stall.test is black-holed (DNS would time out at 2 s): Rspamd
#       ends the task's pending DNS requests with a timeout reply, so the
#       module still finishes, with temperror results.
#    b) the EDE probe of a SERVFAIL goes to a black hole here (sink2):
#       rspamd_udp drops its pending request without a callback, so the
#       message never finishes and the mempool destructor releases it.
#    The worker scans normally afterwards.
start_rspamd abort 1s "bogus_probe = \"127.0.0.1:$sink2_port\"; bogus_probe_timeout = 5; ttl_probe = false;"
/usr/bin/python3 "$here/scan.py" abort "$rs_port" || fail "scan.py abort"
released='authscore: task <.*> ended before its DNS answers; message released'
for _ in $(seq 40); do
    grep -q "$released" "$work/abort.log" && break
    sleep 0.1
done
grep -q "$released" "$work/abort.log" || fail "aborted task: no release logged"
echo "ok: aborted task: message released by the mempool destructor"
/usr/bin/python3 "$here/scan.py" after-abort "$rs_port" "$src" || fail "scan.py after-abort"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# 6. A broken rule file: the plugin logs authscore_ctx_error() (file and
#    line); Rspamd starts, and every message gets AS_CONFIG_ERROR and a
#    soft reject with that reason until the file is fixed: fail closed.
printf 'symbols {\n  R_SPF_ALLOW { weight = -0.2; group = "spf"; }\n  BROKEN { weight = ; }\n}\n' >"$work/broken.conf"
RULES_LINE="rules_file = \"$work/broken.conf\";" EXPECT_LOADED=no start_rspamd broken 8s
if grep -q "authscore: authscore_ctx_finalize: .*$work/broken.conf:[0-9]*.*every message gets AS_CONFIG_ERROR" "$work/broken.log"; then
    echo "ok: broken rule file: $(grep -o "authscore: authscore_ctx_finalize: .*" "$work/broken.log" | head -n 1)"
else
    fail "broken rule file: no error with file:line logged"
fi
/usr/bin/python3 "$here/scan.py" deferred "$rs_port" "$src" "configuration: authscore_ctx_finalize" ||
    fail "scan.py deferred (broken rule file)"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# 7. A typo in the plugin's section (an action Rspamd does not know):
#    the same failed configuration as a broken rule file, named with
#    the nearest action, never a message passed with the typo ignored.
EXPECT_LOADED=no start_rspamd typo 8s 'actions { reject = "rejekt"; }'
grep -q 'authscore: actions.reject = "rejekt" is not an Rspamd action (did you mean reject?).*every message gets AS_CONFIG_ERROR' \
    "$work/typo.log" || fail "action typo: no error with its hint logged"
/usr/bin/python3 "$here/scan.py" deferred "$rs_port" "$src" '(did you mean reject?)' ||
    fail "scan.py deferred (action typo)"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# 8. Actions other than the defaults take effect.
start_rspamd actions 8s 'actions { temperror = "greylist"; reject = false; }'
/usr/bin/python3 "$here/scan.py" actions "$rs_port" "$src" || fail "scan.py actions"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# The other daemons end by PID in the trap.
exit 0
