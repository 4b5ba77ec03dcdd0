#!/usr/bin/env bash
# Sign the example zones now (DNSSEC, offline), then score every example
# message with the envelope it arrived with (messages/ENVELOPES), under the
# example site's rules (authscore.conf).
# usage: examples/run.sh PATH/TO/authscore [--json]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:?usage: examples/run.sh PATH/TO/authscore [--json]}
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
z=$here/zones
"$here/../tests/dns/sign-zones.sh" "$work" "$z/example.zone" "$z/good.example.zone" \
  "$z/softpolicy.example.zone" "$z/forwarder.example.zone" \
  --tamper "$z/bogus.example.zone" >/dev/null
# The clock the examples were signed at (DKIM t=), plus an hour.
now=1795478000
# One run over every message, each with its own envelope; a progress line
# on a terminal and a summary at the end.
exec "$cli" check --dns-config "$work/unbound-serverless.conf" --trust-anchor none \
  --dns-timeout 3000 --authserv-id mx.receiver.example --now "$now" \
  --rules "$here/authscore.conf" --envelopes "$here/messages/ENVELOPES" "$@"
