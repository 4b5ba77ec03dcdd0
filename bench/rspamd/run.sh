#!/usr/bin/env bash
# run.sh - Rspamd end to end (docs/performance.md, section 9): a real
# Rspamd (Debian's) scans the corpus, sent by scan_load.py (/checkv2 with
# each message's envelope, as rspamc sends it) from parallel clients, in
# two configurations, each with the other disabled:
#   authscore  the plugin (module/host/rspamd/authscore.lua over FFI);
#   builtin    Rspamd's own dkim (C), spf and dmarc (Lua) modules.
# Both ask one local validating unbound daemon that serves the corpus
# zones (auth-zones) and refuses every other name; Rspamd's resolver asks
# it with DNSSEC on.  One normal worker, pinned to the core given.
#
# usage: run.sh BUILD_DIR CORPUS WORK CPU     (prints ROW lines)
# Environment: BENCH_RSPAMD_MESSAGES (800), BENCH_RSPAMD_CLIENTS (8).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dir=$(cd "$1" && pwd) corpus=$2 work=$3 core=$4
py=/usr/bin/python3
msgs=${BENCH_RSPAMD_MESSAGES:-800}
clients=${BENCH_RSPAMD_CLIENTS:-8}
PATH=$PATH:/usr/sbin:/sbin
. "$src/bench/cli/serve.sh"
. "$src/tests/rspamd/standalone_conf.sh"
row() { printf 'ROW|9 Rspamd|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4"; }
if ! command -v rspamd >/dev/null || ! command -v unbound >/dev/null; then
    row "Rspamd end to end" "not run" "-" "needs rspamd and unbound"
    exit 0
fi
other=$(( core == 0 ? 1 : 0 ))
mkdir -p "$work"
work=$(cd "$work" && pwd)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
"$py" "$src/bench/cli/make_zones.py" "$corpus" "$work/zones" >/dev/null

ub_port=$(free_port)
{
    printf 'server:\n    interface: 127.0.0.1\n    port: %s\n    do-ip6: no\n' "$ub_port"
    printf '    do-daemonize: no\n    username: ""\n    chroot: ""\n    directory: "%s"\n' "$work"
    printf '    pidfile: "%s/unbound.pid"\n    use-syslog: no\n    logfile: "%s/unbound.log"\n' "$work" "$work"
    printf '    verbosity: 0\n    num-threads: 1\n    module-config: "validator iterator"\n'
    printf '    access-control: 127.0.0.0/8 allow\n'
    printf '    local-zone: "." refuse\n    local-zone: "example." transparent\n'
    printf '    domain-insecure: "example."\n'
    printf '    trust-anchor-file: "%s/zones/trust-anchors.ds"\n' "$work"
    auth_zones "$work/zones/zones.list"
    printf 'remote-control:\n    control-enable: no\n'
} >"$work/unbound.conf"
taskset -c "$other" unbound -d -c "$work/unbound.conf" >"$work/unbound.out" 2>&1 &
ub_pid=$!
pids="$pids $ub_pid"
sleep 1

printf 'com\nexample\n' >"$work/tld.dat"
insecure=""
[ "$(id -u)" -eq 0 ] && insecure="-i"

start_rspamd() { # NAME BODY
    local d=$work/$1
    mkdir -p "$d"
    rs_port=$(free_port)
    {
        standalone_conf "$d" "$rs_port" "$ub_port" "$work/tld.dat" 8s "$d/rspamd.log" warning "$2"
        printf '%s\n' "$3"
    } >"$d/rspamd.conf"
    taskset -c "$core" rspamd -f $insecure -u "$(id -un)" -g "$(id -gn)" -c "$d/rspamd.conf" \
        >"$d/stdout.log" 2>&1 &
    rs_pid=$!
    pids="$pids $rs_pid"
    for _ in $(seq 200); do
        "$py" -c "import socket; socket.create_connection(('127.0.0.1', $rs_port), 0.2).close()" \
            2>/dev/null && return 0
        sleep 0.05
    done
    echo "rspamd $1 did not start" >&2
    tail -n 20 "$d/stdout.log" "$d/rspamd.log" >&2
    return 1
}

# CPU seconds of Rspamd's processes (main + worker): the process group.
cpu_tree() {
    local total=0 p
    for p in $(pgrep -g "$(ps -o pgid= "$1" | tr -d ' ')" rspamd 2>/dev/null); do
        total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" \
            '{print t + ($14 + $15 + $16 + $17) / hz}' "/proc/$p/stat")
    done
    echo "$total"
}

measure() { # NAME WHAT
    "$py" "$here/scan_load.py" "$rs_port" "$corpus/envelopes.txt" "$clients" "$msgs" \
        >/dev/null 2>"$work/$1/warm.log" # warm-up: Rspamd's and unbound's caches
    local c0 c1 out
    c0=$(cpu_tree "$rs_pid")
    out=$(taskset -c "$other" "$py" "$here/scan_load.py" "$rs_port" "$corpus/envelopes.txt" \
        "$clients" "$msgs" 2>"$work/$1/symbols.log")
    c1=$(cpu_tree "$rs_pid")
    set -- "$1" "$2" $out
    local n=$4 secs=$6 errs=${10}
    row "Rspamd, $2 ($1): $clients parallel clients, one worker" \
        "$(echo "$n / $secs" | bc -l | xargs printf '%.0f') msgs/s" "-" \
        "Rspamd CPU $(echo "($c1 - $c0) / $n * 1000000" | bc -l | xargs printf '%.0f') us/msg; $n messages, $errs errors; $(head -c 300 "$work/$1/symbols.log" | tr '|' '/')"
    kill "$rs_pid"
    wait "$rs_pid" 2>/dev/null || true
}

rules=$src/rules/authscore.conf
start_rspamd authscore '    filters = "";' "lua = \"$src/module/host/rspamd/authscore.lua\";
authscore {
    library = \"$dir/libauthscore.so\";
    authserv_id = \"mx.receiver.example\";
    rules_file = \"$rules\";
}"
measure authscore "warm DNS, the plugin"

plugins=/usr/share/rspamd/plugins
start_rspamd builtin '    filters = "dkim";' "modules {
    path = \"$plugins/spf.lua\";
    path = \"$plugins/dmarc.lua\";
}
dkim { }
spf { }
dmarc { }"
measure builtin "warm DNS, Rspamd's dkim + spf + dmarc"
exit 0
