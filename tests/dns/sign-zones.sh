#!/bin/sh
# sign-zones.sh - sign DNS zone templates at test time and write an unbound
# configuration that serves them without any network ("serverless").
#
# usage: sign-zones.sh OUTDIR [MODE] TEMPLATE [[MODE] TEMPLATE]...
#
# Each TEMPLATE is an unsigned zone file that starts with a $ORIGIN line.
# MODE applies to the template that follows it:
#   (none)      sign with NSEC (ECDSAP256SHA256, one KSK and one ZSK)
#   --nsec3     sign with NSEC3 (0 extra iterations, no salt: RFC 9276)
#   --unsigned  copy unsigned; no trust anchor covers it, so it is insecure
#   --tamper    sign, then change TXT and A data: answers are bogus
#   --expired   sign with signatures that expired in 2020: answers are bogus
#
# OUTDIR receives, for each zone ORIGIN:
#   ORIGIN.zone               the zone (signed unless --unsigned)
#   keys/KORIGIN.+013+*       the keys (.key, .private, .ds)
# and:
#   trust-anchors.ds          DS records of every signed zone
#   zones.list                "ORIGIN ZONEFILE" per line
#   unbound-serverless.conf   auth-zone: per zone, trust anchors, nothing
#                             leaves the machine (load it with ub_ctx_config
#                             or authscore --dns-config; use trust anchor
#                             "none" or keep the root's, both work).
#
# Needs ldns-keygen and ldns-signzone (Debian package ldnsutils).
# Exit status 77 when they are missing (the "skip" convention).
set -eu

usage() {
    echo "usage: $0 OUTDIR [--nsec3|--unsigned|--tamper|--expired] TEMPLATE..." >&2
    exit 2
}
[ $# -ge 2 ] || usage
for tool in ldns-keygen ldns-signzone; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool not found (install the Debian package ldnsutils)" >&2
        exit 77
    fi
done

out=$1
shift
mkdir -p "$out/keys"
out=$(cd "$out" && pwd)
: >"$out/trust-anchors.ds"
: >"$out/zones.list"
authzones=""

mode=nsec
while [ $# -gt 0 ]; do
    case $1 in
    --nsec3 | --unsigned | --tamper | --expired)
        mode=${1#--}
        shift
        continue
        ;;
    -*) usage ;;
    esac
    tpl=$1
    shift
    origin=$(sed -n 's/^\$ORIGIN[[:space:]]*\([^[:space:];]*\).*/\1/p' "$tpl" | head -n 1)
    if [ -z "$origin" ]; then
        echo "$0: $tpl: no \$ORIGIN line" >&2
        exit 1
    fi
    origin=${origin%.}
    zone="$out/$origin.zone"

    if [ "$mode" = unsigned ]; then
        cp "$tpl" "$zone"
    else
        # Keys are made in keys/; ldns-keygen prints the base name.
        ksk=$(cd "$out/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$origin")
        zsk=$(cd "$out/keys" && ldns-keygen -a ECDSAP256SHA256 "$origin")
        opts=""
        case $mode in
        nsec3) opts="-n -t 0" ;;
        expired) opts="-i 20190101 -e 20200101" ;;
        esac
        # shellcheck disable=SC2086
        ldns-signzone $opts -o "$origin." -f "$zone" "$tpl" \
            "$out/keys/$ksk" "$out/keys/$zsk"
        cat "$out/keys/$ksk.ds" >>"$out/trust-anchors.ds"
        if [ "$mode" = tamper ]; then
            # Change the data of every TXT and A RRset after signing: the
            # RRSIGs no longer match, so a validator must call it bogus.
            awk 'BEGIN { OFS = "\t" }
                 $4 == "TXT" { $0 = $0 " \"tampered\"" }
                 $4 == "A"   { $5 = "198.51.100.66" }
                 { print }' "$zone" >"$zone.tmp"
            mv "$zone.tmp" "$zone"
        fi
    fi
    echo "$origin $zone" >>"$out/zones.list"
    authzones="$authzones
auth-zone:
    name: \"$origin.\"
    zonefile: \"$zone\"
    for-upstream: yes
    for-downstream: no
    fallback-enabled: no
"
    mode=nsec
done

cat >"$out/unbound-serverless.conf" <<EOF
# Written by sign-zones.sh: every zone below is answered from its file,
# validated against the trust anchors of the zones signed here.
server:
    # Nothing leaves the machine.
    do-not-query-address: 0.0.0.0/0
    do-not-query-address: ::/0
    # libunbound answers *.test itself (RFC 6761) unless told not to.
    local-zone: "test." nodefault
    # Zones without their own anchor are insecure, even when the root's
    # trust anchor is also loaded (whose chain cannot reach .test).
    domain-insecure: "test."
    trust-anchor-file: "$out/trust-anchors.ds"
    target-fetch-policy: "0 0 0 0 0"
$authzones
EOF
