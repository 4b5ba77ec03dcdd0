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
PATH=$PATH:/usr/sbin:/sbin
skip() { echo "SKIP: $*"; exit 77; }

if ! command -v rspamd >/dev/null 2>&1 || ! command -v unbound >/dev/null 2>&1; then
    "$src/scripts/deps.sh" test >/dev/null 2>&1 || true
fi
command -v rspamd >/dev/null 2>&1 || skip "rspamd missing (Debian package rspamd)"
command -v rspamc >/dev/null 2>&1 || skip "rspamc missing (Debian package rspamd)"
command -v unbound >/dev/null 2>&1 || skip "unbound missing (Debian package unbound)"
[ -z "${AUTHSCORE_DNS_SKIP:-}" ] || skip "$AUTHSCORE_DNS_SKIP"
[ -n "${AUTHSCORE_DNS_NSD_CONF:-}" ] || skip "run me under tests/dns/with-fixtures.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-rspamd.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    if [ "${AUTHSCORE_KEEP_WORK:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done; exit 1; }

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }

# 1. The example zones, signed now (bogus.example tampered after signing).
ex=$src/examples
"$src/tests/dns/sign-zones.sh" "$work/ex" "$ex/zones/example.zone" \
    "$ex/zones/good.example.zone" "$ex/zones/softpolicy.example.zone" \
    --tamper "$ex/zones/bogus.example.zone" >"$work/sign.log" 2>&1
rc=$?
[ $rc -eq 77 ] && skip "ldnsutils missing"
[ $rc -eq 0 ] || fail "sign-zones.sh"

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
    cat <<EOF
server:
    interface: 127.0.0.1
    port: $ub_port
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: "$work/unbound.pid"
    use-syslog: no
    logfile: "$work/unbound.log"
    verbosity: 1
    val-log-level: 2
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    module-config: "validator iterator"
    # Extended DNS Errors (RFC 8914) on SERVFAIL: say when it was bogus.
    ede: yes
    # Nothing leaves the machine: every name outside the test zones is
    # refused here (no root priming, no public DNS).
    local-zone: "." refuse
    local-zone: "example." transparent
    local-zone: "test." transparent
    trust-anchor-file: "$work/ex/trust-anchors.ds"
    domain-insecure: "hang.test."
    domain-insecure: "stall.test."
    # A black-holed name must not wait out unbound's long retry schedule.
    infra-cache-max-rtt: 1000
EOF
    while read -r origin file; do
        printf 'auth-zone:\n    name: "%s."\n    zonefile: "%s"\n    for-upstream: yes\n    for-downstream: no\n    fallback-enabled: no\n' "$origin" "$file"
    done <"$work/ex/zones.list"
    printf 'stub-zone:\n    name: "hang.test."\n    stub-addr: 127.0.0.1@%s\n' "$sink_port"
    printf 'stub-zone:\n    name: "stall.test."\n    stub-addr: 127.0.0.1@%s\n' "$sink2_port"
    printf 'remote-control:\n    control-enable: no\n'
    # with-fixtures.sh: nsd's stub-zones and the test zones' trust anchors.
    printf 'include: "%s"\n' "$AUTHSCORE_DNS_NSD_CONF"
} >"$work/unbound.conf"
unbound-checkconf "$work/unbound.conf" >"$work/checkconf.log" 2>&1 || fail "unbound-checkconf: $(cat "$work/checkconf.log")"
unbound -d -c "$work/unbound.conf" >>"$work/unbound.log" 2>&1 &
pids="$pids $!"
ub_pid=$!
ready=0
for _ in $(seq 100); do
    if /usr/bin/python3 "$here/scan.py" dnsping "$ub_port" 2>/dev/null; then ready=1; break; fi
    kill -0 "$ub_pid" 2>/dev/null || break
    sleep 0.1
done
[ $ready = 1 ] || fail "unbound did not start"

# 4. Rspamd: one normal worker, no built-in filters, a tiny url_tld.
printf 'com\nexample\ntest\n' >"$work/tld.dat"
rules_file=$src/rules/authscore.conf
rules="rules_file = \"$rules_file\";"
insecure=""
[ "$(id -u)" -eq 0 ] && insecure="-i" # Rspamd refuses root workers otherwise

# start_rspamd NAME TASK_TIMEOUT [PLUGIN OPTIONS]: config in $work/NAME/,
# sets rs_port and rs_pid.
start_rspamd() {
    local d=$work/$1 t0 t1 ready=0
    mkdir -p "$d"
    rs_port=$(free_port)
    cat >"$d/rspamd.conf" <<EOF
options {
    pidfile = "$d/rspamd.pid";
    filters = "";
    url_tld = "$work/tld.dat";
    cache_file = "$d/symbols.cache";
    dynamic_conf = "$d/rspamd_dynamic";
    history_file = "$d/rspamd.history";
    stats_file = "$d/stats.ucl";
    hs_cache_dir = "$d/";
    tempdir = "$d";
    check_all_filters = false;
    task_timeout = $2;
    local_addrs = [];
    dns {
        nameserver = ["127.0.0.1:$ub_port"];
        enable_dnssec = true;
        timeout = 1s;
        retransmits = 2;
    }
}
logging {
    type = "file";
    filename = "$work/$1.log";
    level = "info";
}
worker "normal" {
    bind_socket = "127.0.0.1:$rs_port";
    count = 1;
}
actions {
    reject = 15;
    add_header = 6;
    greylist = 4;
}
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
    t0=$(now_ms)
    rspamd -f $insecure -u "$(id -un)" -g "$(id -gn)" -c "$d/rspamd.conf" >"$work/$1-stdout.log" 2>&1 &
    rs_pid=$!
    pids="$pids $rs_pid"
    for _ in $(seq 200); do
        if /usr/bin/python3 "$here/scan.py" ping "$rs_port" 2>/dev/null; then ready=1; break; fi
        kill -0 "$rs_pid" 2>/dev/null || break
        sleep 0.05
    done
    t1=$(now_ms)
    [ $ready = 1 ] || fail "rspamd ($1) did not start"
    echo "rspamd ($1) start-up: $((t1 - t0)) ms"
    [ "${EXPECT_LOADED:-yes}" = no ] && return 0
    grep -q 'authscore: libauthscore .* loaded' "$work/$1.log" || fail "plugin not loaded ($1)"
}

start_rspamd rspamd 8s
export AUTHSCORE_RSPAMD_LOG="$work/rspamd.log"
/usr/bin/python3 "$here/scan.py" check "$rs_port" "$lib" "$src" "$rules_file" || fail "scan.py check"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null
echo "rspamd stopped"

# 5. Tasks that end while lookups are in flight (task_timeout 1 s).
#    a) stall.test is black-holed (DNS would time out at 2 s): Rspamd
#       ends the task's pending DNS requests with a timeout reply, so the
#       module still finishes, with temperror results.
#    b) the EDE probe of a SERVFAIL goes to a black hole here (sink2):
#       rspamd_udp drops its pending request without a callback, so the
#       message never finishes and the mempool destructor releases it.
#    The worker scans normally afterwards.
start_rspamd abort 1s "bogus_probe = \"127.0.0.1:$sink2_port\"; bogus_probe_timeout = 5;"
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
#    line) and disables itself; Rspamd starts and scans without it.
printf 'symbols {\n  R_SPF_ALLOW { weight = -0.2; group = "spf"; }\n  BROKEN { weight = ; }\n}\n' >"$work/broken.conf"
RULES_LINE="rules_file = \"$work/broken.conf\";" EXPECT_LOADED=no start_rspamd broken 8s
if grep -q "authscore: authscore_ctx_finalize: .*$work/broken.conf:[0-9]*.*plugin disabled" "$work/broken.log"; then
    echo "ok: broken rule file: $(grep -o "authscore: authscore_ctx_finalize: .*" "$work/broken.log" | head -n 1)"
else
    fail "broken rule file: no error with file:line logged"
fi
/usr/bin/python3 "$here/scan.py" disabled "$rs_port" "$src" || fail "scan.py disabled"
kill "$rs_pid"
wait "$rs_pid" 2>/dev/null

# The other daemons end by PID in the trap.
exit 0
