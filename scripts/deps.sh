#!/usr/bin/env bash
# Install the Debian 12 packages authscore needs, only those missing.
# Usage: scripts/deps.sh [build|test|fuzz|bench|package|all]   (default: all)
set -euo pipefail
what=${1:-all}
build=(meson ninja-build pkg-config gcc libssl-dev libunbound-dev libpcre2-dev
       libpsl-dev libidn2-dev libevent-dev nettle-dev publicsuffix dns-root-data ldnsutils python3
       libmilter-dev scdoc)
test=(libcriterion-dev nsd unbound python3-dkim python3-spf python3-yaml
      python3-authres python3-cryptography python3-nacl valgrind binutils g++ openssl exim4-daemon-heavy exim4-config rspamd
      locales-all miltertest)
# `authscore report` (docs/dmarc-reports.md): the log reader and gzip; its
# tests validate reports (xmllint) and paste the rotation snippet.
build+=(libjansson-dev zlib1g-dev)
test+=(libxml2-utils logrotate)
# Tools the daemon tests call that a minimal Debian (debootstrap minbase)
# lacks: ps (procps), systemd-analyze (systemd: the units are verified,
# nothing is started), unshare (util-linux), strace (the CLI's one write).
test+=(procps systemd util-linux strace)
# Postfix is not in the list: Debian's postfix Conflicts with every other
# MTA and would remove exim4-daemon-heavy.  tests/milter/postfix-tree.sh
# fetches its .deb (apt-get download) and runs it from a private tree.
# scripts/build-deb.sh: the Debian packages, checked with lintian.
package=(build-essential debhelper devscripts lintian systemd)  # systemd: systemd-analyze verify of the unit
fuzz=(clang-14 libclang-rt-14-dev)
# scripts/bench.sh: the corpus (dkimpy), the libopendkim baseline, nsd and
# unbound daemons, and with BENCH_E2E=1 Exim, Rspamd and the namespace
# tools (iproute2, util-linux's unshare); bc for the figures.
bench=(python3-dkim python3-cryptography libopendkim-dev nsd unbound exim4-daemon-heavy rspamd
       iproute2 util-linux bc)
# Optional, for profiling a benchmark (perf record): installed when asked
# for by name, never required.
bench_optional=(linux-perf)
pkgs=("${build[@]}")
case "$what" in
  build) ;;
  test) pkgs+=("${test[@]}") ;;
  fuzz) pkgs+=("${fuzz[@]}") ;;
  bench) pkgs+=("${bench[@]}") ;;
  package) pkgs+=("${package[@]}") ;;
  all) pkgs+=("${test[@]}" "${fuzz[@]}" "${bench[@]}" "${package[@]}") ;;
  *) echo "usage: $0 [build|test|fuzz|bench|package|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Daemons (nsd, unbound) must not start at install time: tests run their own.
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ "$what" = bench ]; then
  $sudo apt-get install -y -qq --no-install-recommends "${bench_optional[@]}" >/dev/null ||
    echo "optional: ${bench_optional[*]} not installed (profiling only)" >&2
fi
