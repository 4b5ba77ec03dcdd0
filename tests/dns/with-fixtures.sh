#!/bin/sh
# with-fixtures.sh - build the DNS test fixtures in a temporary directory,
# start nsd on them, run a program, tear everything down.
#
# usage: with-fixtures.sh PROGRAM [ARGS...]
#
# The program sees:
#   AUTHSCORE_DNS_ZONES     the make-zones.sh output directory (its
#                           unbound-serverless.conf serves the zones
#                           without any network); unset when ldnsutils is
#                           missing
#   AUTHSCORE_DNS_NSD_CONF  an unbound config whose stub-zones point at an
#                           nsd on 127.0.0.1 serving the same signed zones;
#                           unset when nsd is missing
#   AUTHSCORE_DNS_NSD_PORT  its port (UDP and TCP on 127.0.0.1)
#   AUTHSCORE_DNS_SKIP      why a fixture is missing (tests report SKIPPED)
# Everything is offline and unprivileged: nsd runs without chroot or
# user change, on a free high port, with all files in the temp dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authscore-dns.XXXXXX") || exit 1
nsd_pid=""

cleanup() {
    if [ -n "$nsd_pid" ]; then
        kill "$nsd_pid" 2>/dev/null
        wait "$nsd_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    /usr/bin/python3 -c '
import socket
while True:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break'
}

# nsd is ready when its log says so; give up after 10 s.
start_nsd() {
    port=$1
    cat >"$tmp/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$port
    port: $port
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$tmp"
    database: ""
    zonelistfile: "$tmp/zone.list"
    pidfile: "$tmp/nsd.pid"
    xfrdfile: "$tmp/xfrd.state"
    logfile: "$tmp/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
EOF
    while read -r origin file; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$origin" "$file" >>"$tmp/nsd.conf"
    done <"$AUTHSCORE_DNS_ZONES/zones.list"
    : >"$tmp/nsd.log"
    nsd -d -c "$tmp/nsd.conf" >>"$tmp/nsd.log" 2>&1 &
    nsd_pid=$!
    i=0
    while [ $i -lt 100 ]; do
        if grep -q 'nsd started' "$tmp/nsd.log"; then
            return 0
        fi
        if ! kill -0 "$nsd_pid" 2>/dev/null; then
            wait "$nsd_pid" 2>/dev/null
            nsd_pid=""
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    kill "$nsd_pid" 2>/dev/null
    wait "$nsd_pid" 2>/dev/null
    nsd_pid=""
    return 1
}

skip=""
"$here/make-zones.sh" "$tmp/zones" >"$tmp/make-zones.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    export AUTHSCORE_DNS_ZONES="$tmp/zones"
elif [ $rc -eq 77 ]; then
    skip="ldnsutils (ldns-keygen, ldns-signzone) not installed"
else
    cat "$tmp/make-zones.log" >&2
    echo "$0: make-zones.sh failed ($rc)" >&2
    exit 1
fi

if [ -z "$skip" ] && ! command -v nsd >/dev/null 2>&1; then
    skip="nsd not installed"
elif [ -z "$skip" ]; then
    tries=0
    until start_nsd "$(free_port)"; do
        tries=$((tries + 1))
        if [ $tries -ge 3 ]; then
            cat "$tmp/nsd.log" >&2
            echo "$0: nsd did not start" >&2
            exit 1
        fi
    done
    {
        cat <<EOF
server:
    do-not-query-localhost: no
    local-zone: "test." nodefault
    domain-insecure: "test."
    trust-anchor-file: "$AUTHSCORE_DNS_ZONES/trust-anchors.ds"
    # Answers larger than this must come over TCP.
    edns-buffer-size: 1232
    target-fetch-policy: "0 0 0 0 0"
EOF
        while read -r origin file; do
            printf 'stub-zone:\n    name: "%s."\n    stub-addr: 127.0.0.1@%s\n' "$origin" "$port"
        done <"$AUTHSCORE_DNS_ZONES/zones.list"
    } >"$tmp/unbound-nsd.conf"
    export AUTHSCORE_DNS_NSD_CONF="$tmp/unbound-nsd.conf"
    export AUTHSCORE_DNS_NSD_PORT="$port"
fi
[ -n "$skip" ] && export AUTHSCORE_DNS_SKIP="$skip"

"$@"
exit $?
