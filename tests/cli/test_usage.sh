#!/bin/sh
# `authscore` exit statuses: 0 scored, 1 unreadable file (named), 2 usage.
set -u
cli=$1
msg=$(mktemp)
conf=$(mktemp)
trap 'rm -f "$msg" "$conf" out err' EXIT
# Nothing may leave the machine: every upstream address is refused, so
# every lookup fails at once (SERVFAIL) instead of reaching the internet.
printf 'server:\n  do-not-query-address: 0.0.0.0/0\n  do-not-query-address: ::/0\n' > "$conf"
printf 'From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n' > "$msg"
fail=0
expect() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" >out 2>err; got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; cat err; fail=1
  else
    echo "ok: $what"
  fi
}
opts="--trust-anchor none --dns-timeout 300 --dns-config $conf"
expect 2 "no arguments" "$cli"
expect 2 "check without a file" "$cli" check $opts
expect 2 "unknown option" "$cli" check --bogus "$msg"
expect 2 "bad --now" "$cli" check $opts --now yesterday "$msg"
expect 2 "bad --dns-timeout" "$cli" check --dns-config "$conf" --dns-timeout 0 "$msg"
expect 0 "--version" "$cli" --version
expect 0 "one message, no envelope" "$cli" check $opts "$msg"
expect 1 "a missing file among good ones" "$cli" check $opts "$msg" /nonexistent/x.eml "$msg"
grep -q "/nonexistent/x.eml" err || { echo "FAIL: the error does not name the file"; fail=1; }
expect 0 "message from stdin" sh -c "\"$cli\" check $opts --json - < \"$msg\""
grep -q '"file":"-"' out || { echo "FAIL: stdin result missing"; fail=1; }
expect 1 "missing rules file" "$cli" check $opts --rules /nonexistent/rules.conf "$msg"
exit $fail
