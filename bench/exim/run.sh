#!/usr/bin/env bash
# run.sh - Exim end to end (docs/performance.md, section 8): a real Exim
# (Debian's exim4-daemon-heavy) on loopback receives the corpus over SMTP
# from parallel clients, in three configurations:
#   authscore  ${dlfunc} in the DATA ACL (SPF, DKIM, DMARC, DNSSEC, rules);
#   authscore-shared  the same plus dns.shared_cache: Exim's per-connection
#              processes share validated answers through one file;
#   builtin    Exim's own `dkim` ACL (every signature verified) and `spf`
#              condition (libspf2): no DMARC, no DNSSEC.
# All resolve through one local validating unbound daemon serving the
# corpus zones (auth-zones): Exim's resolver and libspf2 read
# /etc/resolv.conf, so everything runs in a mount and network namespace of
# its own (unshare -mn) with a resolv.conf bind-mounted over the system's;
# authscore forwards to the same unbound and validates itself.  Every
# message is discarded after the ACLs (nothing is queued or delivered).
#
# usage: run.sh BUILD_DIR CORPUS WORK CPU    (as root; prints ROW lines)
# Environment: BENCH_EXIM_MESSAGES (800), BENCH_EXIM_CLIENTS (8),
#   BENCH_EXIM_PER_CONN (50), BENCH_RTT_MS (20, the cold figure).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dir=$(cd "$1" && pwd) corpus=$2 work=$3 core=$4
py=/usr/bin/python3
msgs=${BENCH_EXIM_MESSAGES:-800}
clients=${BENCH_EXIM_CLIENTS:-8}
per=${BENCH_EXIM_PER_CONN:-50}
rtt=${BENCH_RTT_MS:-20}
PATH=$PATH:/usr/sbin:/sbin
. "$src/bench/cli/serve.sh"
row() { printf 'ROW|8 Exim|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4"; }

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    row "Exim end to end" "not run" "-" "needs root and unshare (namespaces)"
    exit 0
fi
if ! exim4 -bV 2>/dev/null | grep -q Expand_dlfunc || ! command -v unbound >/dev/null; then
    row "Exim end to end" "not run" "-" "needs exim4-daemon-heavy and unbound"
    exit 0
fi
if [ "${AS_IN_NS:-}" != 1 ]; then
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
    AS_IN_NS=1 exec unshare -mn "$0" "$dir" "$corpus" "$work" "$core"
fi

# ---- inside the namespaces ----
# Whatever this script started goes with it, also when it stops early.
trap 'for p in ${unbound_pid:-} ${epid_all:-} ${nsd_pid:-} ${proxy_pid:-}; do
          kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
ip link set lo up
cut -f2 "$corpus/envelopes.txt" | sort -u | while read -r a; do
    case $a in
    *:*) ip -6 addr add "$a/128" dev lo 2>/dev/null || true ;;
    *) ip addr add "$a/32" dev lo 2>/dev/null || true ;;
    esac
done
chmod 755 "$work"
"$py" "$src/bench/cli/make_zones.py" "$corpus" "$work/zones" >/dev/null
chmod -R a+rX "$work/zones"
printf 'nameserver 127.0.0.1\noptions edns0\n' >"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

# unbound: the corpus zones as auth-zones (for-downstream), validating.
start_unbound() { # DELAYED_PORT or ""
    {
        printf 'server:\n    interface: 127.0.0.1\n    port: 53\n    username: ""\n'
        printf '    chroot: ""\n    directory: "%s"\n    pidfile: "%s/unbound.pid"\n' "$work" "$work"
        printf '    use-syslog: no\n    logfile: "%s/unbound.log"\n    verbosity: 0\n' "$work"
        printf '    access-control: 127.0.0.0/8 allow\n    do-not-query-localhost: no\n'
        printf '    local-zone: "example." nodefault\n    domain-insecure: "example."\n'
        printf '    trust-anchor-file: "%s/zones/trust-anchors.ds"\n' "$work"
        printf '    num-threads: 1\n    edns-buffer-size: 1232\n'
        if [ -n "$1" ]; then
            stub_zones "$work/zones/zones.list" "$1"
        else
            auth_zones "$work/zones/zones.list"
        fi
        printf 'remote-control:\n    control-enable: no\n'
    } >"$work/unbound.conf"
    taskset -c "$other" unbound -d -c "$work/unbound.conf" >"$work/unbound.out" 2>&1 &
    unbound_pid=$!
    for _ in $(seq 100); do
        dig +short +time=1 +tries=1 @127.0.0.1 -t SOA mailer1.example >/dev/null 2>&1 && return 0
        "$py" -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)
q=b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07mailer1\x07example\x00\x00\x06\x00\x01"
s.sendto(q,("127.0.0.1",53)); s.recv(512)' 2>/dev/null && return 0
        sleep 0.1
    done
    echo "unbound did not start" >&2
    cat "$work/unbound.out" >&2
    return 1
}
other=$(( core == 0 ? 1 : 0 ))

# The authscore side: forward to that unbound, validate here with the
# zones' trust anchors (as docs/exim.md's example configuration does).
cat >"$work/authscore-unbound.conf" <<EOF
server:
    do-not-query-localhost: no
    local-zone: "example." nodefault
    domain-insecure: "example."
    trust-anchor-file: "$work/zones/trust-anchors.ds"
forward-zone:
    name: "."
    forward-addr: 127.0.0.1
EOF
opts="dns.config=$work/authscore-unbound.conf;dns.trust_anchor=none;authserv_id=mx.receiver.example;rules.file=$src/rules/authscore.conf"
# authscore-shared: the file in a directory of the Exim user's (the ACL
# runs as Debian-exim, which creates the file 0600 on first use).
shared_dir=$work/authscore-shared/cache
opts_shared="$opts;dns.shared_cache=$shared_dir/authscore-dns.cache"
lib=$dir/libauthscore.so

write_conf() { # NAME
    local acl o=$opts
    [ "$1" = authscore-shared ] && o=$opts_shared
    if [ "$1" != builtin ]; then
        acl="acl_data:
  warn    set acl_m_as = \${dlfunc{$lib}{authscore_exim_check}{\$sender_host_address}{\$sender_helo_name}{\$sender_address}{\$message_headers_raw}{\$spool_directory/input/\$message_exim_id-D}{$o}}
  warn    set acl_m_ar = \${dlfunc{$lib}{authscore_exim_ar}{\$sender_host_address}{\$sender_helo_name}{\$sender_address}{\$message_headers_raw}{\$spool_directory/input/\$message_exim_id-D}{$o}}
          add_header = :at_start:Authentication-Results: \$acl_m_ar
  discard
acl_dkim:
  accept
acl_mail:
  accept"
    else
        acl="acl_data:
  warn    add_header = X-DKIM: \$dkim_verify_status
  discard
acl_dkim:
  warn    add_header = X-DKIM-\$dkim_cur_signer: \$dkim_verify_status
  accept
acl_mail:
  warn    spf = pass : fail : softfail : neutral : none : temperror : permerror
          add_header = Received-SPF: \$spf_result
  accept"
    fi
    mkdir -p "$work/$1/spool" "$work/$1/log"
    [ "$1" = authscore-shared ] && mkdir -p "$shared_dir"
    chown -R Debian-exim:Debian-exim "$work/$1"
    cat >"$work/$1/exim.conf" <<EOF
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = $work/$1/spool
log_file_path = $work/$1/log/%slog
log_selector = -all
primary_hostname = mx.receiver.example
qualify_domain = receiver.example
daemon_smtp_ports = 2525
local_interfaces = <; 127.0.0.1 ; ::1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
helo_try_verify_hosts =
smtp_accept_max = 64
smtp_accept_queue_per_connection = 0
message_size_limit = 20M
keep_environment =
acl_smtp_rcpt = acl_rcpt
acl_smtp_mail = acl_mail
acl_smtp_data = acl_data
acl_smtp_dkim = acl_dkim
$( [ "$1" != builtin ] && echo "dkim_verify_signers =" || true )
begin acl
acl_rcpt:
  accept
$acl
begin routers
begin transports
EOF
}

# CPU seconds of a process and its reaped children (/proc/PID/stat).
cpu_of() {
    awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$1/stat"
}

run_one() { # NAME LIMIT -> "msgs secs exim_cpu unbound_cpu accepted deferred"
    local name=$1 limit=$2
    taskset -c "$core" exim4 -C "$work/$name/exim.conf" -bdf -odq >"$work/$name/daemon.out" 2>&1 &
    local epid=$!
    epid_all="${epid_all:-} $epid"
    for _ in $(seq 50); do
        "$py" -c 'import socket; socket.create_connection(("127.0.0.1", 2525), 0.2).close()' \
            2>/dev/null && break
        sleep 0.1
    done
    local e0 u0 out e1 u1
    e0=$(cpu_of "$epid")
    u0=$(cpu_of "$unbound_pid")
    # BENCH_EXIM_PERF=1: a profile of the Exim core, for the curious.
    local ppid=""
    if [ "${BENCH_EXIM_PERF:-}" = 1 ]; then
        perf record -q -C "$core" -g -o "$work/$name.perf" >/dev/null 2>&1 &
        ppid=$!
    fi
    out=$(taskset -c "$other" "$py" "$here/smtp_clients.py" 2525 "$corpus/envelopes.txt" \
        "$clients" "$per" "$limit")
    sleep 0.5 # the last children exit and are reaped
    if [ -n "$ppid" ]; then
        kill -INT "$ppid"
        wait "$ppid" 2>/dev/null || true
    fi
    e1=$(cpu_of "$epid")
    u1=$(cpu_of "$unbound_pid")
    kill "$epid"
    wait "$epid" 2>/dev/null || true
    set -- $out
    echo "$2 $4 $(echo "$e1 - $e0" | bc -l) $(echo "$u1 - $u0" | bc -l) $6 $8"
}

report() { # NAME "results" WHAT
    set -- "$1" $2 "$3"
    local name=$1 n=$2 secs=$3 ecpu=$4 ucpu=$5 acc=$6 dfr=$7 what=$8
    row "Exim, $what ($name): $clients clients x $per msgs per connection" \
        "$(echo "$n / $secs" | bc -l | xargs printf '%.0f') msgs/s" "-" \
        "Exim CPU $(echo "$ecpu / $n * 1000000" | bc -l | xargs printf '%.0f') us/msg, unbound CPU $(echo "$ucpu / $n * 1000000" | bc -l | xargs printf '%.0f') us/msg; $n messages, $acc accepted (discarded), $dfr deferred"
}

start_unbound ""
# What one Exim connection's process pays, with this site's options (the
# forwarder configuration): bench/exim/first_message.c.
cut -f1-4 "$corpus/envelopes.txt" >"$work/envelopes4"
${CC:-cc} -std=gnu11 -O2 -I"$src/include" "$here/first_message.c" -o "$work/first_message" \
    -L"$dir" -lauthscore -Wl,-rpath,"$dir"
taskset -c "$core" "$work/first_message" "$work/envelopes4" "$per" 7 "$opts" >"$work/first.log"
while read -r what med lo hi; do
    row "One Exim connection's process, forwarder to the local unbound: $what" \
        "$med ms" "$lo-$hi ms" "ctx = new + options + finalize; first = its first message; again = that message warm; rest = mean of the next $((per - 1))"
done <"$work/first.log"
# The same with the shared file already warm (as a later connection of a
# host that has one): one round fills it, then the measured rounds.  As
# root here: the file is root's, in a directory of its own.
first_shared="$opts;dns.shared_cache=$work/first-shared/authscore-dns.cache"
mkdir -p "$work/first-shared"
rm -f "$work/first-shared/authscore-dns.cache"
taskset -c "$core" "$work/first_message" "$work/envelopes4" "$per" 1 "$first_shared" >/dev/null
taskset -c "$core" "$work/first_message" "$work/envelopes4" "$per" 7 "$first_shared" \
    >"$work/first-shared.log"
while read -r what med lo hi; do
    row "One Exim connection's process, forwarder to the local unbound: $what with a warm shared cache" \
        "$med ms" "$lo-$hi ms" "dns.shared_cache filled by one earlier process; otherwise as the rows above"
done <"$work/first-shared.log"
for name in authscore authscore-shared builtin; do
    write_conf "$name"
    # A warm-up pass: caches (unbound's, the module's per process, the
    # shared file, emptied first) and the page cache, then the measured
    # pass.
    rm -f "$shared_dir/authscore-dns.cache"
    run_one "$name" "$msgs" >/dev/null
    if [ "$name" = authscore-shared ]; then
        echo "shared cache after the warm-up: $(stat -c '%U %a %s bytes' "$shared_dir/authscore-dns.cache" 2>&1)" >&2
    fi
    report "$name" "$(run_one "$name" "$msgs")" "warm DNS"
done
kill "$unbound_pid"
wait "$unbound_pid" 2>/dev/null || true

# ---- cold: unbound restarted in front of nsd RTT ms away ----
if command -v nsd >/dev/null 2>&1; then
    nsd_conf "$work" 5300 "$work/zones/zones.list" >"$work/nsd.conf"
    : >"$work/nsd.log"
    taskset -c "$other" nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
    nsd_pid=$!
    taskset -c "$other" "$py" "$src/bench/cli/delay_proxy.py" 5301 5300 "$rtt" 900 \
        >"$work/proxy.log" 2>&1 &
    proxy_pid=$!
    for _ in $(seq 100); do
        grep -q 'nsd started' "$work/nsd.log" && grep -q ready "$work/proxy.log" && break
        sleep 0.1
    done
    for name in authscore authscore-shared builtin; do
        start_unbound 5301
        # Cold means every cache: the shared file too.
        rm -f "$shared_dir/authscore-dns.cache"
        report "$name" "$(run_one "$name" "$msgs")" "cold DNS, ${rtt} ms authoritative"
        kill "$unbound_pid"
        wait "$unbound_pid" 2>/dev/null || true
    done
    kill "$nsd_pid" "$proxy_pid"
    wait "$nsd_pid" "$proxy_pid" 2>/dev/null || true
fi
exit 0
