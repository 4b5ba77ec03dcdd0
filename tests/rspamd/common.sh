# common.sh - sourced by the Rspamd host tests (run-rspamd.sh,
# run-rspamd-scores.sh): the temp dir and its daemons (stopped by PID on
# exit), free ports, the example zones signed now, and a validating unbound
# that serves them as auth-zones and refuses every other name, so nothing
# leaves the machine.
# Needs: $here (tests/rspamd), $src (the source tree).

PATH=$PATH:/usr/sbin:/sbin
skip() { echo "SKIP: $*"; exit 77; }

# need_tools TOOL...: each on PATH; otherwise install the test packages
# (scripts/deps.sh) and look again; skip (77) when one is still missing.
need_tools() {
    local t
    for t; do
        command -v "$t" >/dev/null 2>&1 && continue
        "$src/scripts/deps.sh" test >/dev/null 2>&1 || true
        break
    done
    for t; do
        command -v "$t" >/dev/null 2>&1 || skip "$t missing (Debian packages rspamd, unbound)"
    done
}

# wait_ready PID CMD...: run CMD until it succeeds, at most 10 s and while
# the daemon PID lives; fails like CMD.
wait_ready() {
    local pid=$1
    shift
    for _ in $(seq 200); do
        "$@" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

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

# The example zones, signed now (bogus.example tampered after signing),
# in $work/ex (zones.list, trust-anchors.ds); forwarder.example holds the
# ARC sealing key of forwarded.eml and list.eml.
sign_examples() {
    local ex=$src/examples rc
    "$src/tests/dns/sign-zones.sh" "$work/ex" "$ex/zones/example.zone" \
        "$ex/zones/good.example.zone" "$ex/zones/softpolicy.example.zone" \
        "$ex/zones/forwarder.example.zone" \
        --tamper "$ex/zones/bogus.example.zone" >"$work/sign.log" 2>&1
    rc=$?
    [ $rc -eq 77 ] && skip "ldnsutils missing"
    [ $rc -eq 0 ] || fail "sign-zones.sh"
}

# The test's own `server:` lines for an unbound on 127.0.0.1:$1: files in
# $work, the signed examples' trust anchors, every other name refused.
unbound_test_server() {
    cat <<EOF
server:
    interface: 127.0.0.1
    port: $1
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: "$work/unbound.pid"
    use-syslog: no
    logfile: "$work/unbound.log"
    verbosity: 1
    num-threads: 1
    module-config: "validator iterator"
    # Nothing leaves the machine: every name outside the test zones is
    # refused here (no root priming, no public DNS).
    local-zone: "." refuse
    local-zone: "example." transparent
    local-zone: "test." transparent
    trust-anchor-file: "$work/ex/trust-anchors.ds"
EOF
}

# auth-zone: blocks for the signed examples, validated like upstream data.
unbound_auth_zones() {
    while read -r origin file; do
        printf 'auth-zone:\n    name: "%s."\n    zonefile: "%s"\n    for-upstream: yes\n    for-downstream: no\n    fallback-enabled: no\n' "$origin" "$file"
    done <"$work/ex/zones.list"
    printf 'remote-control:\n    control-enable: no\n'
}

# start_unbound CONF PORT: check the configuration, start unbound in the
# foreground (stopped on exit), wait until it answers.
start_unbound() {
    local conf=$1 port=$2 ub_pid
    unbound-checkconf "$conf" >"$work/checkconf.log" 2>&1 || fail "unbound-checkconf: $(cat "$work/checkconf.log")"
    unbound -d -c "$conf" >>"$work/unbound.log" 2>&1 &
    ub_pid=$!
    pids="$pids $ub_pid"
    wait_ready "$ub_pid" /usr/bin/python3 "$here/scan.py" dnsping "$port" || fail "unbound did not start"
}
