#!/bin/bash
# authscore-milter driven by miltertest (Debian package miltertest), the
# MTA side of the milter protocol from Lua scripts, and the daemon's own
# behaviour as an admin meets it:
#   - edge.lua: abort mid-message, a connection dropped mid-message, 1000
#     recipients, a 900 KB header block and one past the library's caps,
#     our own Authentication-Results deleted and another host's kept, SMTP
#     AUTH skipped, DMARC reject (550), temperror (451), a score over the
#     threshold quarantined, a message over max_message_size (451);
#   - unaligned.lua: a DMARC reject stays 550 beside an unaligned DKIM
#     signature whose key lookup times out, under temperror_action =
#     tempfail and = accept (no spoof delivered, no retry asked);
#   - root is dropped after the socket is open (uid nobody, socket mode
#     and group as configured); a second daemon on the same socket refuses;
#   - its log goes to syslog with facility mail (<22> mail.info, <19>
#     mail.err on a /dev/log of its own: unshare -m);
#   - SIGHUP reloads (new authserv-id, temperror_action = accept), a bad
#     file keeps the running configuration and logs why with file:line,
#     five SIGHUPs in a row do not stop the daemon, a message in flight
#     finishes on the old context; SIGTERM stops it (exit 0);
#   - --check-config (exit 0/1, file:line, nearest option names; as
#     root it reads the files as user, as the daemon does), --version,
#     detaching (the parent's exit status says whether the daemon runs;
#     the pid file), and refusals at start.
# usage: run-miltertest.sh PATH/TO/authscore-milter     (77: skipped)
set -u
milter=$(realpath "${1:?usage: run-miltertest.sh authscore-milter}")
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$src/tests/milter
. "$here/common.sh"

if ! command -v miltertest >/dev/null 2>&1; then
    "$src/scripts/deps.sh" test >/dev/null 2>&1 || true
    command -v miltertest >/dev/null 2>&1 || skip "miltertest missing (Debian package miltertest)"
fi
sign_zones
sock=$work/run/milter.sock
conf=$work/milter.conf
make_conf "$conf" "$sock" mail
conf_set "$conf" max_message_size 1048576
conf_set "$conf" temperror_action tempfail
mt() { miltertest -D "SOCKET=unix:$sock" -D "EX=$ex/messages" -D "LIB=$here/lib.lua" "$@"; }
# run_lua NAME SCRIPT [-D ...]: the script's ok/FAIL lines, counted here.
run_lua() {
    local name=$1 script=$2 out rc
    shift 2
    out=$(mt "$@" -s "$here/$script" 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed -n 's/^\(ok\|FAIL\): /  \1: /p' | cut -c1-220
    if [ $rc -eq 0 ]; then ok "$name"; else bad "$name (miltertest exit $rc): $(printf '%s\n' "$out" | tail -n 2)"; fi
}
log_has() { grep -qF -- "$1" "$work/milter.log"; }

# --- start: as root, dropping to nobody ---------------------------------------
start_milter "$conf" "$sock"
uids=$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$milter_pid/status" | tr -s '\t ' ' ')
nobody=$(id -u nobody)
if [ "$uids" = "$nobody $nobody $nobody $nobody" ]; then ok "root dropped: uid $uids (nobody)"
else bad "still privileged: Uid: $uids"; fi
perm=$(stat -c '%A %U %G' "$sock")
if [ "$perm" = "srw-rw---- nobody mail" ]; then ok "socket: $perm (socket_mode 0660, socket_group mail)"
else bad "socket: $perm"; fi
out=$("$milter" --foreground --config "$conf" 2>&1)
rc=$?
case "$rc $out" in
"1 "*"another milter is listening there"*) ok "a second daemon on the same socket refuses: $out" ;;
*) bad "a second daemon (exit $rc): $out" ;;
esac

# --- the protocol -------------------------------------------------------------
run_lua "edge cases (edge.lua)" edge.lua

# --- SIGHUP ---------------------------------------------------------------------
reloads() { grep -c -e "reloaded " -e 'reload failed' "$work/milter.log"; }
more_reloads() { [ "$(reloads)" -gt "$1" ]; }
reload() {
    local before
    before=$(reloads)
    kill -HUP "$milter_pid"
    wait_for 10 more_reloads "$before"
}
run_lua "before SIGHUP: mx.receiver.example, temperror tempfail" reload.lua \
    -D AUTHSERV_ID=mx.receiver.example -D TEMPERROR=tempfail
# unaligned_case QID ACTION: dmarc-reject.eml plus an unaligned signature
# whose key lookup times out is rejected (unaligned.lua), and the log line
# of queue id QID shows that signature temperror beside dmarc=fail.
unaligned_case() {
    run_lua "DMARC reject beside an unaligned temperror, temperror_action = $2" \
        unaligned.lua -D TEMPERROR="$2" -D QID="$1"
    local line
    line=$(grep -F "authscore-milter: $1: " "$work/milter.log")
    case $line in
    *": $1: reject (dmarc disposition reject) "*"dkim=temperror"*"header.d=hang.test"*"dmarc=fail"*)
        ok "logged for $1: reject, dkim=temperror header.d=hang.test, dmarc=fail" ;;
    *) bad "log for $1 (temperror_action = $2): ${line:-none}" ;;
    esac
}
unaligned_case UNALIGNED1 tempfail
conf_set "$conf" authserv_id mx2.receiver.example
conf_set "$conf" temperror_action accept
reload || bad "no reload logged after SIGHUP"
run_lua "after SIGHUP: mx2.receiver.example, temperror accept" reload.lua \
    -D AUTHSERV_ID=mx2.receiver.example -D TEMPERROR=accept
unaligned_case UNALIGNED2 accept
cp "$conf" "$conf.good"
conf_set "$conf" temperror_action maybe
reload || bad "no reload logged after the second SIGHUP"
line=$(grep -n '^temperror_action = maybe' "$conf" | cut -d: -f1)
if log_has "reload failed, the running configuration stays: $conf:$line: temperror_action = maybe: tempfail or accept"; then
    ok "a bad file at SIGHUP: logged with file:line, the old configuration stays"
else bad "bad reload not logged: $(tail -n 2 "$work/milter.log")"; fi
run_lua "after a bad SIGHUP: still mx2.receiver.example" reload.lua \
    -D AUTHSERV_ID=mx2.receiver.example -D TEMPERROR=accept
cp "$conf.good" "$conf"
# Signals of one kind that arrive together count once: at least one reload.
n0=$(reloads)
for _ in 1 2 3 4 5; do kill -HUP "$milter_pid"; done
wait_for 20 more_reloads "$n0"
sleep 0.5
if kill -0 "$milter_pid" 2>/dev/null && ! log_has ' stopped'; then
    ok "five SIGHUPs in a row: still running, $(( $(reloads) - n0 )) reloads"
else bad "five SIGHUPs stopped the daemon"; fi
# A message in flight (DNS hangs until dns.timeout_ms) across a SIGHUP.
rm -f "$work/started"
mt -D "AUTHSERV_ID=mx2.receiver.example" -D "STARTED=$work/started" \
    -s "$here/inflight.lua" >"$work/inflight.out" 2>&1 &
mtpid=$!
wait_for 10 test -s "$work/started"
sleep 0.2
conf_set "$conf" authserv_id mx3.receiver.example
reload || bad "no reload logged during the message in flight"
wait "$mtpid"
rc=$?
sed -n 's/^\(ok\|FAIL\): /  \1: /p' "$work/inflight.out" | cut -c1-220
if [ $rc -eq 0 ]; then ok "SIGHUP during a message: it finished on the old context"
else bad "message in flight across SIGHUP: $(tail -n 2 "$work/inflight.out")"; fi
run_lua "after that SIGHUP: mx3.receiver.example" reload.lua \
    -D AUTHSERV_ID=mx3.receiver.example -D TEMPERROR=accept

# --- SIGTERM --------------------------------------------------------------------
kill -TERM "$milter_pid"
wait "$milter_pid"
rc=$?
if [ $rc -eq 0 ] && log_has 'authscore-milter: stopped'; then ok "SIGTERM: stopped, exit 0"
else bad "SIGTERM: exit $rc"; fi

# --- syslog: facility mail ------------------------------------------------------
# The daemon in a mount namespace of its own whose /dev is a tmpfs with
# the usual nodes and, as /dev/log, a datagram socket read by Python: what
# syslog(3) sends there starts <PRI>, PRI = facility*8 + severity, so
# mail.info is <22> and mail.err <19>.  (unshare -m needs root, which
# this script has; CI runs as root.  Where the namespace cannot be made,
# everything else still runs and the script ends in SKIP, 77.)
syslog_skip=""
mkdir "$work/dev" "$work/probe"
if ! unshare -m sh -c "mount -t tmpfs tmpfs '$work/probe'" 2>"$work/unshare.err"; then
    syslog_skip="unshare -m cannot mount here: $(head -n 1 "$work/unshare.err")"
fi
# in_ns CMD... &: CMD with /dev/log as $work/devlog; only in the
# background, where exec makes $! CMD's pid.
in_ns() {
    exec unshare -m sh -e -c '
        dev=$0
        mount -t tmpfs -o mode=0755 tmpfs "$dev"
        for n in null zero full random urandom; do
            touch "$dev/$n"; mount --bind "/dev/$n" "$dev/$n"
        done
        ln -s /proc/self/fd "$dev/fd"
        touch "$dev/log"; mount --bind "${dev%/dev}/devlog" "$dev/log"
        mount --move "$dev" /dev
        exec "$@"' "$work/dev" "$@"
}
# syslog_line PRI TEXT: a line of $work/syslog.txt from the daemon (pid
# $spid) with priority PRI whose message starts with TEXT.
syslog_line() {
    grep -qE "^<$1>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} authscore-milter\[$spid\]: $2" \
        "$work/syslog.txt"
}
if [ -z "$syslog_skip" ]; then
    /usr/bin/python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")' "$work/devlog" "$work/syslog.txt" 2>"$work/syslogd.err" &
    pids="$pids $!"
    wait_for 5 test -S "$work/devlog" || die "the /dev/log stand-in did not start"
    cp "$conf" "$work/syslog.conf"
    conf_set "$work/syslog.conf" socket "unix:$work/run/syslog.sock"
    conf_set "$work/syslog.conf" pid_file "$work/syslog.pid"
    in_ns "$milter" --foreground --config "$work/syslog.conf" >"$work/syslog-milter.log" 2>&1 &
    spid=$!
    pids="$pids $spid"
    wait_for 10 grep -q 'started: ' "$work/syslog.txt"
    kill -TERM "$spid"
    wait "$spid"
    wait_for 5 grep -q ': stopped' "$work/syslog.txt"
    if syslog_line 22 "started: socket unix:$work/run/syslog.sock" && syslog_line 22 "stopped"; then
        ok "syslog: started and stopped as mail.info: $(grep -m 1 'started: ' "$work/syslog.txt" | cut -c1-60)..."
    else bad "syslog, no <22> (mail.info) start and stop of pid $spid: $(head -c 600 "$work/syslog.txt"; tail -n 3 "$work/syslog-milter.log")"; fi
    conf_set "$work/syslog.conf" user no-such-user-here
    in_ns "$milter" --foreground --config "$work/syslog.conf" >>"$work/syslog-milter.log" 2>&1 &
    spid=$!
    wait "$spid"
    rc=$?
    wait_for 5 grep -q 'not started: ' "$work/syslog.txt"
    if [ $rc -eq 1 ] && syslog_line 19 "not started: $work/syslog.conf: user = no-such-user-here: no such user"; then
        ok "syslog: a refused start as mail.err"
    else bad "syslog, no <19> (mail.err) refusal of pid $spid (exit $rc): $(grep 'not started' "$work/syslog.txt")"; fi
fi

# --- --check-config, --version, start-up ------------------------------------------
check() { "$milter" --check-config --config "$1" 2>&1; }
out=$(check "$conf"); rc=$?
case "$rc $out" in
"0 $conf: OK: socket unix:$sock, authserv-id mx3.receiver.example, "*) ok "--check-config: $out" ;;
*) bad "--check-config on a good file (exit $rc): $out" ;;
esac
# expect_bad WHAT WANT [FILE]: --check-config on FILE ($work/bad.conf)
# exits 1 with WANT.
expect_bad() {
    local what=$1 want=$2 out rc
    out=$(check "${3:-$work/bad.conf}"); rc=$?
    case "$rc $out" in
    "1 authscore-milter: $want"*) ok "--check-config, $what: exit 1: $out" ;;
    *) bad "--check-config, $what (exit $rc): $out; wanted: $want" ;;
    esac
}
# bad_line LINE: the good file plus LINE at its end (line $n).
bad_line() { cp "$conf" "$work/bad.conf"; printf '%s\n' "$1" >>"$work/bad.conf"; n=$(grep -c '' "$work/bad.conf"); }
# bad_value NAME VALUE: the good file with NAME's line set to VALUE.
bad_value() {
    cp "$conf" "$work/bad.conf"; conf_set "$work/bad.conf" "$1" "$2"
    n=$(grep -n "^$1 = " "$work/bad.conf" | cut -d: -f1)
}
bad_line "sokcet = unix:/tmp/x"
expect_bad "a mistyped milter option" "$work/bad.conf:$n: unknown option sokcet (did you mean socket?)"
bad_line "dns.timeout = 5000"
expect_bad "a mistyped library option" "$work/bad.conf:$n: dns.timeout = 5000: unknown option dns.timeout (did you mean dns.timeout_ms?)"
bad_line "user = nobody"
expect_bad "a name set twice" "$work/bad.conf:$n: user is already set at line"
bad_value score_reject 6,5
expect_bad "a bad number" "$work/bad.conf:$n: score_reject = 6,5: a number"
bad_line "dmarc_reject_reply = 450 4.7.1 try later"
expect_bad "a reject reply with a 4xx code" "$work/bad.conf:$n: dmarc_reject_reply = 450 4.7.1 try later: a reply starts with a 5xx code"
bad_line "no equals sign"
expect_bad "a line without =" "$work/bad.conf:$n: expected name = value"
printf 'symbols { R_SPF_ALLOW { weight = -0.2; } }\nrules { X { weight = 1; helo = "/(x/"; } }\n' >"$work/bad-rules.conf"
chmod 644 "$work/bad-rules.conf"
cp "$conf" "$work/bad.conf"; conf_set "$work/bad.conf" rules.file "$work/bad-rules.conf"
expect_bad "a rule file with a bad regex" "$work/bad.conf: bad configuration: rules: $work/bad-rules.conf:2: rule X: regex"
# Started as root, the daemon reads its files as user (nobody): so must
# the check, or it passes a file the daemon cannot read at start.
printf 'symbols { R_SPF_ALLOW { weight = -0.2; } }\n' >"$work/root-only.conf"
chmod 600 "$work/root-only.conf"
cp "$conf" "$work/root-only-milter.conf"
conf_set "$work/root-only-milter.conf" rules.file "$work/root-only.conf"
expect_bad "a rule file only root can read, user = nobody" \
    "$work/root-only-milter.conf: bad configuration: rules: $work/root-only.conf: cannot read: Permission denied" \
    "$work/root-only-milter.conf"
out=$("$milter" --foreground --config "$work/root-only-milter.conf" 2>&1); rc=$?
case "$rc $out" in
"1 "*"root-only.conf: cannot read: Permission denied"*) ok "the daemon refuses that file at start too: exit 1" ;;
*) bad "start with a rule file only root can read (exit $rc): $out" ;;
esac
chmod 644 "$work/root-only.conf"
out=$(check "$work/root-only-milter.conf"); rc=$?
case "$rc $out" in
"0 $work/root-only-milter.conf: OK: "*) ok "--check-config: the same file made readable: $out" ;;
*) bad "--check-config, the rule file readable (exit $rc): $out" ;;
esac
out=$("$milter" --version); rc=$?
case "$rc $out" in
"0 authscore-milter 0.1.0 (libauthscore 0.1.0, libmilter "*) ok "--version: $out" ;;
*) bad "--version (exit $rc): $out" ;;
esac
# Detached: the parent's exit status is the daemon's start-up.
out=$("$milter" --config "$work/bad.conf" 2>&1); rc=$?
case "$rc $out" in
"1 "*"bad-rules.conf:2"*) ok "detached start with a broken rule file: exit 1: $(printf '%s' "$out" | head -n 1)" ;;
*) bad "detached start with a broken rule file (exit $rc): $out" ;;
esac
cp "$conf" "$work/root.conf"; sed -i '/^user = /d' "$work/root.conf"
out=$("$milter" --foreground --config "$work/root.conf" 2>&1); rc=$?
case "$rc $out" in
"1 "*"user is not set: started as root"*) ok "started as root without user: refused" ;;
*) bad "started as root without user (exit $rc): $out" ;;
esac
rm -f "$work/milter.pid"
"$milter" --config "$conf" >"$work/detach.out" 2>&1
rc=$?
dpid=$(cat "$work/milter.pid" 2>/dev/null)
[ -n "$dpid" ] && pids="$pids $dpid"
if [ $rc -eq 0 ] && [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null &&
   [ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ]; then
    ok "detached: the parent exits 0 once the daemon (pid $dpid, its own session) is ready"
else bad "detached start: exit $rc, pid file '$dpid': $(cat "$work/detach.out")"; fi
run_lua "the detached daemon answers" reload.lua \
    -D AUTHSERV_ID=mx3.receiver.example -D TEMPERROR=accept
[ -n "$dpid" ] && kill -TERM "$dpid"
wait_for 10 sh -c "! kill -0 $dpid" && ok "detached daemon stopped by its pid" ||
    bad "detached daemon still running"
finish ${syslog_skip:+"the syslog check: $syslog_skip"}
