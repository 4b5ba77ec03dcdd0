#!/bin/sh
# valgrind.sh - run the libunbound backend under valgrind (memcheck, full
# leak check) through dns_probe, a plain program: Criterion forks, which
# hides leaks.  Covers secure, insecure, bogus, expired, NXDOMAIN/NODATA,
# and a black hole whose queries are still in flight at the deadline
# (orphaned and cancelled, then freed with the context).
# usage: valgrind.sh PATH/TO/dns_probe    (exit 77 without ldnsutils)
set -u
probe=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authscore-vg.XXXXXX") || exit 1
hole_pid=""
cleanup() {
    [ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

"$here/make-zones.sh" "$tmp/zones" >"$tmp/make.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    cat "$tmp/make.log" >&2
    exit $rc
fi

vg="valgrind -q --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible"

echo "== serverless zones"
$vg "$probe" -c "$tmp/zones/unbound-serverless.conf" -a none \
    example.test/TXT sel._domainkey.example.test/TXT example.test/MX \
    nx.example.test/TXT onlya.nsec3.test/TXT nx.nsec3.test/A \
    unsigned.test/TXT bogus.test/TXT expired.test/MX big.example.test/TXT \
    ptr.example.test/PTR example.test/AAAA alias.example.test/A || exit 1

echo "== black hole (deadline 300 ms)"
/usr/bin/python3 -c '
import socket, sys, time
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(16)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", t.getsockname()[1]))
print(t.getsockname()[1], flush=True)
time.sleep(600)' >"$tmp/port" &
hole_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$tmp/port")
cat >"$tmp/hole.conf" <<EOF2
server:
    do-not-query-localhost: no
    local-zone: "test." nodefault
stub-zone:
    name: "hole.test."
    stub-addr: 127.0.0.1@$port
EOF2
out=$($vg "$probe" -c "$tmp/hole.conf" -a none -t 300 \
    a.hole.test/A b.hole.test/TXT c.hole.test/MX) || { echo "$out"; exit 1; }
echo "$out"
echo "$out" | grep -q 'timeouts=3' || { echo "expected 3 timeouts" >&2; exit 1; }
echo "valgrind: no errors, no leaks"
