# serve.sh - sourced by the benchmark scripts (bench/cli, bench/exim,
# bench/rspamd): configuration lines that serve the corpus zones of
# bench/cli/make_zones.py (its zones.list: "ORIGIN ZONEFILE" per line).

# An nsd.conf for 127.0.0.1@PORT with every file in DIR.
# usage: nsd_conf DIR PORT ZONES_LIST
nsd_conf() {
    printf 'server:\n    ip-address: 127.0.0.1@%s\n    port: %s\n    do-ip6: no\n' "$2" "$2"
    printf '    username: ""\n    chroot: ""\n    zonesdir: "%s"\n    database: ""\n' "$1"
    printf '    zonelistfile: "%s/zone.list"\n    pidfile: "%s/nsd.pid"\n' "$1" "$1"
    printf '    xfrdfile: "%s/xfrd.state"\n    logfile: "%s/nsd.log"\n' "$1" "$1"
    printf '    server-count: 1\n    verbosity: 1\nremote-control:\n    control-enable: no\n'
    while read -r origin file; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$origin" "$file"
    done <"$3"
}

# unbound auth-zone: blocks, answered from the files and validated like
# upstream data.  usage: auth_zones ZONES_LIST
auth_zones() {
    while read -r origin file; do
        printf 'auth-zone:\n    name: "%s."\n    zonefile: "%s"\n' "$origin" "$file"
        printf '    for-upstream: yes\n    for-downstream: no\n    fallback-enabled: no\n'
    done <"$1"
}

# unbound stub-zone: blocks pointing every zone at 127.0.0.1@PORT.
# usage: stub_zones ZONES_LIST PORT
stub_zones() {
    while read -r origin _; do
        printf 'stub-zone:\n    name: "%s."\n    stub-addr: 127.0.0.1@%s\n' "$origin" "$2"
    done <"$1"
}
