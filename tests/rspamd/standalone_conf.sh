# standalone_conf.sh - sourced by the Rspamd test (run-rspamd.sh) and the
# Rspamd benchmark (bench/rspamd/run.sh): the rspamd.conf skeleton both
# start Rspamd with, one normal worker on loopback asking one local
# validating unbound, everything in one directory.  The caller appends
# its plugin configuration.

# standalone_conf DIR PORT DNS_PORT TLD_FILE TASK_TIMEOUT LOG_FILE \
#     LOG_LEVEL [OPTIONS_LINES [LOGGING_LINES]]: prints the skeleton.
standalone_conf() {
    cat <<EOF
options {
    pidfile = "$1/rspamd.pid";
    url_tld = "$4";
    cache_file = "$1/symbols.cache";
    dynamic_conf = "$1/rspamd_dynamic";
    history_file = "$1/rspamd.history";
    stats_file = "$1/stats.ucl";
    hs_cache_dir = "$1/";
    tempdir = "$1";
    task_timeout = $5;
    local_addrs = [];
    dns {
        nameserver = ["127.0.0.1:$3"];
        enable_dnssec = true;
        timeout = 1s;
        retransmits = 2;
    }
${8:-}
}
logging {
    type = "file";
    filename = "$6";
    level = "$7";
${9:-}
}
worker "normal" {
    bind_socket = "127.0.0.1:$2";
    count = 1;
}
actions {
    reject = 15;
    add_header = 6;
    greylist = 4;
}
EOF
}
