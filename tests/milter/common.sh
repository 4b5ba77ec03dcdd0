# common.sh - sourced by the milter tests (run-miltertest.sh,
# run-postfix.sh): a temp dir whose daemons are stopped by PID on exit,
# the example zones signed now (DNS as in the Exim tests), a black-holed
# zone for DNS timeouts, and authscore-milter started from the shipped
# milter.conf with the test's paths put in.
# Needs: $milter (the binary), $src (the source tree).

PATH=$PATH:/usr/sbin:/sbin
skip() { echo "SKIP: $*"; exit 77; }
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# Under -Db_sanitize the milter's reports (also from a detached daemon,
# whose stderr is gone, and at exit: leaks) land in $work/san.
# finish [WHY]: with WHY (a part that could not run here), no failure
# ends in SKIP (77), not in a pass.
finish() {
    local f
    for f in "$work"/san/*; do
        [ -e "$f" ] || continue
        bad "sanitizer report $(basename "$f"):"
        head -n 40 "$f"
    done
    echo "$passes passed, $fails failed"
    [ $fails -eq 0 ] || exit 1
    [ -z "${1:-}" ] || skip "$1"
    exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (the milter drops root to nobody; Postfix's master runs as root)"
id nobody >/dev/null 2>&1 || skip "no user nobody"
umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/authscore-milter.XXXXXX") || exit 1
chmod 755 "$work"
mkdir -m 1777 "$work/san"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$work/san/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$work/san/ubsan"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$p" 2>/dev/null
    done
    if [ "${AUTHSCORE_KEEP_WORK:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
    echo "FAIL: $*"
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
    exit 1
}

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds.
wait_for() {
    local n=$(($1 * 20))
    shift
    while [ $n -gt 0 ]; do
        "$@" 2>/dev/null && return 0
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

# The example zones signed now (bogus.example tampered after signing),
# served from memory by libunbound; hang.test is a stub zone on a name
# server that never answers (tests/rspamd/dns-sink.py): a DNS timeout.
ex=$src/examples
sign_zones() {
    "$src/tests/dns/sign-zones.sh" "$work/zones" "$ex/zones/example.zone" \
        "$ex/zones/good.example.zone" "$ex/zones/softpolicy.example.zone" \
        --tamper "$ex/zones/bogus.example.zone" >"$work/sign.log" 2>&1
    local rc=$?
    [ $rc -eq 77 ] && skip "ldnsutils missing"
    [ $rc -eq 0 ] || die "sign-zones.sh"
    /usr/bin/python3 "$src/tests/rspamd/dns-sink.py" >"$work/sink.port" 2>"$work/sink.log" &
    pids="$pids $!"
    wait_for 5 test -s "$work/sink.port" || die "dns-sink.py did not start"
    # Nothing leaves the machine but questions for 127.0.0.1 (the sink):
    # the serverless configuration, with 0.0.0.0/0 split around 127/8.
    {
        grep -v 'do-not-query-address: 0.0.0.0/0' "$work/zones/unbound-serverless.conf"
        printf 'server:\n    do-not-query-localhost: no\n'
        for n in 0.0.0.0/2 64.0.0.0/3 96.0.0.0/4 112.0.0.0/5 120.0.0.0/6 124.0.0.0/7 126.0.0.0/8 128.0.0.0/1; do
            printf '    do-not-query-address: %s\n' "$n"
        done
        printf 'stub-zone:\n    name: "hang.test."\n    stub-addr: 127.0.0.1@%s\n' "$(cat "$work/sink.port")"
    } >"$work/zones/unbound.conf"
    chmod -R a+rX "$work/zones"
}

# conf_set FILE NAME VALUE: the line "NAME = ..." gets VALUE (added when
# the file has none).
conf_set() {
    if grep -q "^$2 = " "$1"; then
        /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import sys
path, name, value = sys.argv[1:]
lines = open(path).read().split("\n")
lines = [name + " = " + value if l.startswith(name + " = ") else l for l in lines]
open(path, "w").write("\n".join(lines))
PY
    else
        printf '%s = %s\n' "$2" "$3" >>"$1"
    fi
}

# make_conf FILE SOCKET GROUP: the shipped milter.conf with the test's
# socket, user nobody, the signed zones and the example site's rules.
make_conf() {
    cp "$src/module/host/milter/milter.conf" "$1"
    conf_set "$1" socket "unix:$2"
    conf_set "$1" socket_group "$3"
    conf_set "$1" user nobody
    conf_set "$1" pid_file "$work/milter.pid"
    conf_set "$1" authserv_id mx.receiver.example
    conf_set "$1" rules.file "$ex/authscore.conf"
    conf_set "$1" dns.timeout_ms 1500
    conf_set "$1" dns.config "$work/zones/unbound.conf"
    conf_set "$1" dns.trust_anchor none
    chmod 644 "$1"
}

# start_milter CONF SOCKET: in the foreground (its log on stderr in
# $work/milter.log), ready when the socket answers; sets $milter_pid.
start_milter() {
    "$milter" --foreground --config "$1" >>"$work/milter.log" 2>&1 &
    milter_pid=$!
    pids="$pids $milter_pid"
    wait_for 10 /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$2" ||
        die "authscore-milter did not start"
}

rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
