#!/bin/sh
# Run test_fork on examples/messages/pass.eml laid out as Exim would hand it
# over: LF header lines (the argument) and a -D spool file.
# usage: run-fork.sh PATH/TO/test_fork      (exit 77: ldnsutils missing)
set -u
bin=$1
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ex=$src/examples
"$src/tests/dns/sign-zones.sh" "$work/zones" "$ex/zones/example.zone" \
    "$ex/zones/good.example.zone" >/dev/null
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || exit 1
tr -d '\r' <"$ex/messages/pass.eml" >"$work/msg"
sed '/^$/,$d' "$work/msg" >"$work/headers"
{ echo "1xVdrt-0003ya-1G-D"; sed '1,/^$/d' "$work/msg"; } >"$work/spool-D"
cp "$work/spool-D" "$work/spool2-D"
"$bin" "dns.config=$work/zones/unbound-serverless.conf;dns.trust_anchor=none;dns.timeout_ms=2000" \
    "$work/headers" "$work/spool-D" "$work/spool2-D" 192.0.2.25 mx.good.example alice@good.example
