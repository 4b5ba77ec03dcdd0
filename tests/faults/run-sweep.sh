#!/bin/sh
# run-sweep.sh - the fixtures of the allocation sweep, then the sweep.
#
# usage: run-sweep.sh PATH/TO/sweep       (exit 77: SKIP, ldnsutils missing)
#
# Both paths see the same zones: examples/zones plus the sweep's own
# signer.example (tests/faults/data, for the multi-signed message):
#   libunbound  signed now (bogus.example tampered after signing) and
#               served from memory by libunbound auth-zones;
#   sans-I/O    the same records, read with ldns-read-zone, in the
#               in-memory backend's format, secure except bogus.example.
set -u
sweep=${1:?usage: run-sweep.sh PATH/TO/sweep}
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in ldns-keygen ldns-signzone ldns-read-zone; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool missing (Debian package ldnsutils)"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authscore-faults.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

z=$src/examples/zones
signed="$z/example.zone $z/good.example.zone $z/softpolicy.example.zone
        $z/forwarder.example.zone $src/tests/faults/data/signer.example.zone"
# shellcheck disable=SC2086
"$src/tests/dns/sign-zones.sh" "$tmp/zones" $signed --tamper "$z/bogus.example.zone" \
    >"$tmp/sign.log" 2>&1 || { cat "$tmp/sign.log"; echo "FAIL: sign-zones.sh"; exit 1; }
{
    echo "example SECURE"
    echo "bogus.example BOGUS signature mismatch (tampered after signing)"
    # shellcheck disable=SC2086
    for f in $signed "$z/bogus.example.zone"; do ldns-read-zone "$f" || exit 1; done |
        awk -F '\t' '$4 ~ /^(A|AAAA|MX|TXT|PTR|CNAME)$/ { print $1, $4, $5 }'
} >"$tmp/memdns.zone" || { echo "FAIL: ldns-read-zone"; exit 1; }

"$sweep" "$tmp/memdns.zone" "$tmp/zones/unbound-serverless.conf"
