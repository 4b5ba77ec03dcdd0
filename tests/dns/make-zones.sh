#!/bin/sh
# make-zones.sh - the test zones of tests/dns, built from zones/base.zone.in:
#   example.test   signed, NSEC
#   nsec3.test     signed, NSEC3
#   unsigned.test  unsigned, no trust anchor: insecure
#   bogus.test     signed, then TXT and A data changed: bogus
#   expired.test   signed with expired signatures: bogus
# usage: make-zones.sh OUTDIR   (exit 77 when ldnsutils is missing)
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out/templates"
for z in example nsec3 unsigned bogus expired; do
    sed "s/@ORIGIN@/$z.test/g" "$here/zones/base.zone.in" >"$out/templates/$z.test.zone"
done
t="$out/templates"
exec "$here/sign-zones.sh" "$out" \
    "$t/example.test.zone" \
    --nsec3 "$t/nsec3.test.zone" \
    --unsigned "$t/unsigned.test.zone" \
    --tamper "$t/bogus.test.zone" \
    --expired "$t/expired.test.zone"
