#!/bin/sh
# `authscore` exit statuses: 0 scored, 1 unreadable file (named), 2 usage.
set -u
cli=$1
msg=$(mktemp)
conf=$(mktemp)
rules=$(mktemp)
envs=$(mktemp)
trap 'rm -f "$msg" "$conf" "$rules" "$envs" out err' EXIT
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
grep -q "cannot start: rules: /nonexistent/rules.conf: cannot read: No such file or directory" err ||
  { echo "FAIL: missing rules file message: $(cat err)"; fail=1; }
# The summary comes after several files: on stdout for text, stderr for JSON.
expect 0 "two messages: a summary line" "$cli" check $opts "$msg" "$msg"
grep -q "^summary: 2 files, 0 not scored; DMARC" out || { echo "FAIL: no summary: $(cat out)"; fail=1; }
expect 0 "one message: no summary" "$cli" check $opts "$msg"
grep -q "^summary:" out && { echo "FAIL: a summary for one file"; fail=1; }
expect 0 "JSON: the summary goes to stderr" "$cli" check $opts --json "$msg" "$msg"
[ "$(grep -c '^{' out)" = 2 ] && grep -q "^summary: 2 files" err ||
  { echo "FAIL: JSON lines polluted or summary missing"; fail=1; }

# rules-check: the shipped file loads and lists every symbol with its weight.
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
expect 0 "rules-check of the shipped rules" "$cli" rules-check "$src/rules/authscore.conf"
grep -q "^DMARC_POLICY_REJECT  *dmarc  *+2.00  DMARC reject policy$" out ||
  { echo "FAIL: rules-check lacks DMARC_POLICY_REJECT: $(head -3 out)"; fail=1; }
grep -q "authscore.conf: OK, 46 symbols$" out || { echo "FAIL: rules-check count: $(tail -1 out)"; fail=1; }
[ -s err ] && { echo "FAIL: warnings for the shipped rules: $(cat err)"; fail=1; }
printf 'symbols {\n  R_SPF_ALLOW { weight = -0.2; }\n}\nrules {\n  X { weight = 1; from_domain = "/(pay/i"; }\n}\n' > "$rules"
expect 1 "rules-check of a bad regex" "$cli" rules-check "$rules"
grep -q "^authscore: rules: $rules:5: rule X: regex \"/(pay/i\": missing closing parenthesis at offset 4$" err ||
  { echo "FAIL: rules-check message: $(cat err)"; fail=1; }
printf 'symbols { R_SPF_ALLOW { weight = -0.2; } }\n' > "$rules"
expect 0 "rules-check warns about symbols without a weight" "$cli" rules-check "$rules"
grep -q "no weight for 41 symbol(s), scored 0: R_SPF_FAIL, " err || { echo "FAIL: no warning: $(cat err)"; fail=1; }
expect 2 "rules-check without a file" "$cli" rules-check

# --envelopes: one envelope per message; errors name the line.
printf '# file ip helo mail-from\n%s 192.0.2.1 mx.example.test a@example.test\n%s 192.0.2.2 mx.example.test <>\n' \
  "$msg" "$msg" > "$envs"
expect 0 "--envelopes" "$cli" check $opts --json --envelopes "$envs"
[ "$(grep -c '"mfrom":{' out)" = 2 ] || { echo "FAIL: envelopes not applied: $(cat out)"; fail=1; }
printf '%s 192.0.2.1 mx.example.test\n' "$msg" > "$envs"
expect 1 "--envelopes with a short line" "$cli" check $opts --envelopes "$envs"
grep -q "$envs:1: expected FILE IP HELO MAIL-FROM" err || { echo "FAIL: envelope error: $(cat err)"; fail=1; }
expect 2 "--envelopes and files" "$cli" check $opts --envelopes "$envs" "$msg"

# --option: any library option; a mistyped name names the nearest one.
expect 0 "--option" "$cli" check $opts --option dkim.max_signatures=4 "$msg"
expect 2 "--option with a mistyped name" "$cli" check $opts --option dkim.max_signature=4 "$msg"
grep -q "did you mean dkim.max_signatures" err || { echo "FAIL: --option hint: $(cat err)"; fail=1; }
expect 2 "--option without =" "$cli" check $opts --option dkim.max_signatures "$msg"
# --report-log: a log that cannot be written never fails the message.
expect 0 "--report-log that cannot be written" \
  "$cli" check $opts --report-all --report-log /nonexistent/dir/rows.jsonl "$msg"
grep -q "report log /nonexistent/dir/rows.jsonl: No such file or directory" err ||
  { echo "FAIL: the write failure is not said: $(cat err)"; fail=1; }

# report: required options, usage, a log that cannot be read.
expect 2 "report without options" "$cli" report
expect 0 "report --help" "$cli" report --help
grep -q "^usage: authscore report --log FILE" out || { echo "FAIL: report usage: $(cat out)"; fail=1; }
expect 2 "report without --email" "$cli" report --org-name x --log /dev/null
expect 2 "report with a bad --since" "$cli" report --org-name x --email a@x.example --log /dev/null --since yesterday
expect 2 "report with a bad --exclude-net" "$cli" report --org-name x --email a@x.example --log /dev/null --exclude-net 10.0.0.0/33
expect 1 "report of a missing log" "$cli" report --org-name x --email a@x.example --log /nonexistent/log.jsonl --out /tmp
grep -q "/nonexistent/log.jsonl: No such file or directory" err || { echo "FAIL: missing log: $(cat err)"; fail=1; }
exit $fail
