#!/bin/bash
# A real Postfix (Debian's package, run from a temporary config_directory
# on a loopback port, tests/milter/postfix-tree.sh) with the main.cf lines
# of docs/postfix.md as pasted, talking to authscore-milter (started from
# the shipped milter.conf) on a Unix socket inside Postfix's chroot, as on
# Debian.  DNS: the example zones signed now, as in the Exim tests.
# Messages over SMTP (tests/milter/smtp.py; XCLIENT gives each the client
# address of its example envelope):
#   - pass.eml: queued with our Authentication-Results as the first field,
#     folded at 78 columns, and X-Authscore;
#   - forged Authentication-Results with our authserv-id are removed,
#     another host's stays;
#   - dmarc-reject.eml: 550 5.7.1;
#   - a DNS timeout (hang.test, a name server that never answers): 451
#     under temperror_action = tempfail, accepted and marked temperror
#     after a SIGHUP with temperror_action = accept;
#   - a score over score_quarantine: quarantined, on hold in postqueue -p;
#   - no HELO, a 60 KB header field, a client in skip_hosts, a local
#     submission through sendmail(1) and non_smtpd_milters;
#   - 200 messages from 8 parallel clients: every one gets its verdict;
#     the milter's RSS before and after (bounded growth).
# Every daemon is stopped by its PID at the end.
# usage: run-postfix.sh PATH/TO/authscore-milter      (77: skipped)
set -u
milter=$(realpath "${1:?usage: run-postfix.sh authscore-milter}")
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$src/tests/milter
. "$here/common.sh"

id mail >/dev/null 2>&1 && getent group nogroup >/dev/null && id daemon >/dev/null 2>&1 ||
    skip "users mail and daemon, group nogroup needed for Postfix's mail_owner, default_privs, setgid_group"
# Downloaded once per build directory, when the package is not installed.
pfroot=$("$here/postfix-tree.sh" "${AUTHSCORE_BUILD_ROOT:-$work}")
rc=$?
[ $rc -eq 77 ] && skip "no Postfix: apt-get download postfix failed"
[ $rc -eq 0 ] || die "postfix-tree.sh"
pf_lib=$pfroot/usr/lib/postfix
export LD_LIBRARY_PATH=$pf_lib
postcat() { "$pfroot/usr/sbin/postcat" -c "$work/postfix" "$@"; }
postqueue() { "$pfroot/usr/sbin/postqueue" -c "$work/postfix" "$@"; }

sign_zones
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
spool=$work/spool
# The socket inside Postfix's chroot (the queue directory), as on Debian.
sock=$spool/authscore/milter.sock
conf=$work/milter.conf
make_conf "$conf" "$sock" mail
conf_set "$conf" temperror_action tempfail

# --- Postfix: the test's own settings, then docs/postfix.md as pasted -------------
snip() { /usr/bin/python3 "$src/tests/exim/snippet.py" "$src/docs/postfix.md" "$@"; }
snip --only main.cf || die "docs/postfix.md has snippets no test pastes"
mkdir -p "$work/postfix" "$work/data" "$work/log"
chmod 777 "$work/log"
cp "$pfroot/usr/share/postfix/dynamicmaps.cf" "$work/postfix/" 2>/dev/null ||
    cp /etc/postfix/dynamicmaps.cf "$work/postfix/"
{ cat <<CONF
compatibility_level = 3.6
queue_directory = $spool
data_directory = $work/data
daemon_directory = $pfroot/usr/lib/postfix/sbin
shlib_directory = $pf_lib
meta_directory = $work/postfix
mail_owner = mail
setgid_group = nogroup
default_privs = daemon
myhostname = mx.receiver.example
mydomain = receiver.example
mydestination = receiver.example
defer_transports = local
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_peername_lookup = no
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$pf_lib
maillog_file_prefixes = $work/log
maillog_file = $work/log/maillog
CONF
  snip main.cf
} >"$work/postfix/main.cf"
# Nothing is delivered (defer_transports): what is accepted stays in the
# queue for postcat; a quarantined message stays on hold.
cat >"$work/postfix/master.cf" <<CONF
127.0.0.1:$port inet n - y - - smtpd
pickup unix n - y 60 1 pickup
cleanup unix n - y - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - y - - trivial-rewrite
bounce unix - - y - 0 bounce
defer unix - - y - 0 bounce
trace unix - - y - 0 bounce
showq unix n - y - - showq
anvil unix - - y - 1 anvil
postlog unix-dgram n - n - 1 postlogd
CONF
# sendmail(1) runs postdrop with a cleaned environment: from a private
# tree, through a wrapper that names the tree's libraries.
command_dir=$pfroot/usr/sbin
if [ "$pfroot" != / ]; then
    command_dir=$work/bin
    mkdir -p "$command_dir"
    printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s/usr/sbin/postdrop "$@"\n' "$pf_lib" "$pfroot" \
        >"$command_dir/postdrop"
    chmod 755 "$command_dir/postdrop"
fi
echo "command_directory = $command_dir" >>"$work/postfix/main.cf"
for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
    mkdir -p "$spool/$d"; chown mail "$spool/$d"; chmod 700 "$spool/$d"
done
mkdir -p "$spool/maildrop" "$spool/public" "$spool/pid" "$spool/etc"
chown mail:nogroup "$spool/maildrop" "$spool/public"
chmod 730 "$spool/maildrop"; chmod 710 "$spool/public"
chown mail "$work/data"
cp /etc/services /etc/hosts "$spool/etc/" 2>/dev/null

start_milter "$conf" "$sock"
# master -d: in the foreground, its own session (it signals its process group).
setsid "$pf_lib/sbin/master" -c "$work/postfix" -d >"$work/master.log" 2>&1 &
master_pid=$!
pids="$pids $master_pid"
wait_for 10 /usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" ||
    die "Postfix did not start: $(cat "$work/log/maillog" 2>/dev/null | tail -n 5)"
ok "Postfix $("$pfroot/usr/sbin/postconf" -c "$work/postfix" -h mail_version) from $pfroot, on 127.0.0.1:$port, smtpd chrooted in $spool"

send() { /usr/bin/python3 "$here/smtp.py" send "$port" "$@"; }
qid_of() { printf '%s\n' "$1" | sed -n 's/^queued as //p'; }
# The queued message's header, folded lines as they are.
header_of() { postcat -h -q "$1" 2>/dev/null; }
field() { printf '%s\n' "$2" | /usr/bin/python3 "$here/fields.py" "$1"; }

# 1. An aligned DKIM pass: our A-R first, folded; X-Authscore.
r=$(send 192.0.2.25 mx.good.example alice@good.example "$ex/messages/pass.eml")
qid=$(qid_of "$r")
h=$(header_of "$qid")
if where=$(printf '%s\n' "$h" | /usr/bin/python3 "$here/fields.py" --ar); then
    ok "pass.eml: queued ($qid), Authentication-Results: $where"
else bad "pass.eml: '$r': $where"; fi
ar=$(field Authentication-Results "$h")
case $ar in
"mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure);"*"dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256 (2048-bit key, DNSSEC secure);"*"dmarc=pass header.from=good.example policy.dmarc=reject (DNSSEC secure)")
    ok "pass.eml: $ar" ;;
*) bad "pass.eml: Authentication-Results: '$ar'" ;;
esac
xa=$(field X-Authscore "$h")
case $xa in
"-1.50; R_SPF_ALLOW(-0.20) R_DKIM_ALLOW(-0.20) DMARC_POLICY_ALLOW(-0.50) "*) ok "pass.eml: X-Authscore: $xa" ;;
*) bad "pass.eml: X-Authscore: '$xa'" ;;
esac

# 2. Forged Authentication-Results: ours go, another host's stays.
{ printf 'Authentication-Results: mx.receiver.example; dkim=pass header.d=good.example\r\n'
  printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=good.example\r\n'
  printf 'Authentication-Results: (forged)\r\n MX.RECEIVER.EXAMPLE; dmarc=pass\r\n'
  cat "$ex/messages/pass.eml"; } >"$work/forged.eml"
r=$(send 192.0.2.25 mx.good.example alice@good.example "$work/forged.eml")
h=$(header_of "$(qid_of "$r")")
all=$(printf '%s\n' "$h" | /usr/bin/python3 "$here/fields.py" --all Authentication-Results)
n=$(printf '%s\n' "$all" | grep -c '')
first=$(printf '%s\n' "$all" | head -n 1)
second=$(printf '%s\n' "$all" | sed -n 2p)
if [ "$n" = 2 ] && [ "${first%%;*}" = mx.receiver.example ] &&
   case $first in *"dkim=pass header.d=good.example header.s=sel2026"*) true ;; *) false ;; esac &&
   [ "$second" = "other.example; spf=pass smtp.mailfrom=good.example" ]; then
    ok "forged Authentication-Results: both of ours removed, other.example's kept"
else bad "forged Authentication-Results: $n fields: $all"; fi

# 3. DMARC p=reject failure: the configured 5xx.
r=$(send 203.0.113.66 mail.good.example ceo@good.example "$ex/messages/dmarc-reject.eml")
rc=$?
if [ $rc -eq 5 ] && [ "$r" = "550 5.7.1 rejected by the DMARC policy of the author domain" ]; then
    ok "dmarc-reject.eml: $r"
else bad "dmarc-reject.eml (exit $rc): $r"; fi

# 4. A DNS timeout: 451 under temperror_action = tempfail; after SIGHUP
#    with temperror_action = accept, accepted and marked temperror.
sed -e 's/^From: .*/From: News <news@hang.test>/' "$ex/messages/spf-fail.eml" >"$work/hang.eml"
t0=$(date +%s%N)
r=$(send 192.0.2.77 mail.hang.test news@hang.test "$work/hang.eml")
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $rc -eq 4 ] && [ "$r" = "451 4.7.5 temporary failure while checking SPF, DKIM or DMARC" ]; then
    ok "DNS timeout, temperror_action = tempfail: $r (after $ms ms; dns.timeout_ms 1500)"
else bad "DNS timeout, tempfail (exit $rc): $r"; fi
conf_set "$conf" temperror_action accept
n0=$(grep -c 'reloaded ' "$work/milter.log")
kill -HUP "$milter_pid"
wait_for 10 sh -c "[ \$(grep -c 'reloaded ' '$work/milter.log') -gt $n0 ]" || bad "no reload after SIGHUP"
r=$(send 192.0.2.77 mail.hang.test news@hang.test "$work/hang.eml")
rc=$?
ar=$(field Authentication-Results "$(header_of "$(qid_of "$r")")")
case "$rc $ar" in
"0 mx.receiver.example; spf=temperror reason=\"DNS timeout for TXT hang.test\""*"dmarc=temperror"*)
    ok "DNS timeout after SIGHUP with temperror_action = accept: accepted, $ar" ;;
*) bad "DNS timeout, accept (exit $rc): $r: $ar" ;;
esac

# 5. Over score_quarantine (6): on hold (postqueue -p marks it '!').
sed -e 's/^From: .*/From: news@softpolicy.example, billing@softpolicy.example/' \
    -e 's/^Subject: .*/Subject: Urgent payment due/' "$ex/messages/spf-fail.eml" >"$work/high-score.eml"
r=$(send 198.51.100.7 mail.softpolicy.example news@softpolicy.example "$work/high-score.eml")
qid=$(qid_of "$r")
q=$(postqueue -p 2>&1)
if [ -n "$qid" ] && printf '%s\n' "$q" | grep -q "^$qid!" &&
   [ -f "$spool/hold/$qid" ]; then
    ok "score 7.90 over score_quarantine: $qid on hold: $(printf '%s\n' "$q" | grep "^$qid!")"
else bad "high score: '$r', queue: $q"; fi

# 6. No HELO: MAIL FROM right after the greeting.
r=$(send 192.0.2.25 - alice@good.example "$ex/messages/pass.eml")
ar=$(field Authentication-Results "$(header_of "$(qid_of "$r")")")
case $ar in
"mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure); dkim=pass "*"dmarc=pass"*)
    ok "no HELO: $ar" ;;
*) bad "no HELO: $r: '$ar'" ;;
esac

# 7. A 60 KB header field (60 folded lines of 1,000 bytes) above the
#    signed ones: DKIM still passes.
{ printf 'X-Huge: start'; for _ in $(seq 60); do printf '\r\n %01000d' 0; done; printf '\r\n'
  cat "$ex/messages/pass.eml"; } >"$work/huge.eml"
r=$(send 192.0.2.25 mx.good.example alice@good.example "$work/huge.eml")
ar=$(field Authentication-Results "$(header_of "$(qid_of "$r")")")
case $ar in
*"dkim=pass header.d=good.example"*"dmarc=pass"*) ok "a 60 KB header field: ${#ar}-byte A-R with dkim=pass dmarc=pass" ;;
*) bad "a 60 KB header field: $r: '$ar'" ;;
esac

# 8. skip_hosts: 127.0.0.1 (no XCLIENT address): not evaluated, our
#    forged field still removed.  A local submission (sendmail(1), then
#    pickup and cleanup's non_smtpd_milters, no client IP: "local").
r=$(send 127.0.0.1 mx.good.example alice@good.example "$work/forged.eml")
all=$(header_of "$(qid_of "$r")" | /usr/bin/python3 "$here/fields.py" --all Authentication-Results)
if [ "$all" = "other.example; spf=pass smtp.mailfrom=good.example" ]; then
    ok "a client in skip_hosts: not evaluated, our forged fields removed"
else bad "skip_hosts: $r: $all"; fi
n0=$(grep -c 'accept, not evaluated' "$work/milter.log")
"$pfroot/usr/sbin/sendmail" -C "$work/postfix" -f alice@good.example bob@receiver.example \
    <"$work/forged.eml" 2>"$work/sendmail.err"
wait_for 10 sh -c "[ \$(grep -c 'accept, not evaluated' '$work/milter.log') -gt $n0 ]"
line=$(grep 'accept, not evaluated' "$work/milter.log" | tail -n 1)
qid=$(printf '%s\n' "$line" | sed -n 's/^authscore-milter: \([0-9A-F]*\): .*/\1/p')
all=$(header_of "$qid" | /usr/bin/python3 "$here/fields.py" --all Authentication-Results)
case $line in
*": accept, not evaluated: skip_hosts; our own Authentication-Results removed")
    if [ -n "$qid" ] && [ "$all" = "other.example; spf=pass smtp.mailfrom=good.example" ]; then
        ok "local submission (sendmail, non_smtpd_milters): $qid not evaluated, our forged fields removed"
    else bad "local submission: '$qid': $all"; fi ;;
*) bad "local submission: $(cat "$work/sendmail.err") milter: $line" ;;
esac

# 9. 200 messages from 8 parallel clients; the milter's RSS around them.
rss0=$(rss_kib "$milter_pid")
threads0=$(ls "/proc/$milter_pid/task" | wc -l)
t0=$(date +%s%N)
out=$(/usr/bin/python3 "$here/smtp.py" load "$port" 8 200 192.0.2.25 mx.good.example alice@good.example "$ex/messages/pass.eml")
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rss1=$(rss_kib "$milter_pid")
ids=$(printf '%s\n' "$out" | sed -n '/^ids:$/,$p' | tail -n +2)
verdicts=0
for id in $ids; do
    field Authentication-Results "$(header_of "$id")" | grep -q 'dkim=pass .*dmarc=pass' &&
        verdicts=$((verdicts + 1))
done
logged=$(grep -c ': accept (pass) score=-1.50 ' "$work/milter.log")
echo "  load: $(printf '%s\n' "$out" | head -n 1), $ms ms; milter RSS ${rss0} KiB before, ${rss1} KiB after, threads $threads0 -> $(ls "/proc/$milter_pid/task" | wc -l)"
# Bounded: 8 connections' buffers and threads, no growth per message
# (measured: about +1 MiB).  Under ASan freed memory waits in its
# quarantine (and LeakSanitizer checks the exit instead): a wider bound.
bound=8192
ldd "$milter" 2>/dev/null | grep -q libasan && bound=65536
if [ $rc -eq 0 ] && [ "$verdicts" = 200 ] && [ $((rss1 - rss0)) -lt $bound ]; then
    ok "200 messages, 8 clients: 200 x 250, each queued with its verdict (dkim=pass dmarc=pass), RSS +$((rss1 - rss0)) KiB (bound $bound)"
else bad "load: exit $rc, $verdicts of 200 with a verdict, RSS $rss0 -> $rss1 KiB: $(printf '%s\n' "$out" | head -n 4)"; fi
[ "$logged" -ge 200 ] || bad "only $logged accept lines in the milter's log"

# Stop both daemons by PID: Postfix's master takes its children along.
kill -TERM "$master_pid" "$milter_pid"
wait "$milter_pid"; mrc=$?
wait "$master_pid"
left=$(ps -eo pid=,args= | grep -F "$work" | grep -v grep)
if [ $mrc -eq 0 ] && [ -z "$left" ]; then ok "Postfix and the milter stopped by PID, nothing left"
else bad "after stop: milter exit $mrc, still running: $left"; fi
finish
