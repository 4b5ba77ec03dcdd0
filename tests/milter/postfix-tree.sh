#!/bin/sh
# postfix-tree.sh - print the root of a Debian Postfix the tests can run:
# "/" when the postfix package is installed, else a private tree in DIR
# unpacked from the package itself.
#
# Debian's postfix Conflicts with every other mail-transport-agent, and the
# Exim tests need exim4-daemon-heavy, so on a test host it usually cannot
# be installed.  The tests do not need it installed: `apt-get download
# postfix` fetches Debian's own .deb, `dpkg -x` unpacks it into DIR, and
# the binaries run from there (daemon_directory, command_directory,
# shlib_directory and meta_directory point into the tree; the libraries
# its RUNPATH names, /usr/lib/postfix, are found through LD_LIBRARY_PATH).
# The set-gid bit is dropped from the private copies, so that they run as
# root with that LD_LIBRARY_PATH.  Its runtime libraries (libdb5.3,
# libicu72, libsasl2-2, libnsl2, libssl3) are checked with ldd.
#
# usage: postfix-tree.sh DIR     (exit 77: no Postfix can be had)
set -u
dir=${1:?usage: postfix-tree.sh DIR}
if dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'install ok installed'; then
    echo /
    exit 0
fi
tree=$dir/postfix-tree
if [ ! -x "$tree/usr/lib/postfix/sbin/master" ]; then
    command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
        { echo "postfix-tree.sh: no apt-get/dpkg" >&2; exit 77; }
    mkdir -p "$dir/postfix-deb" || exit 1
    rm -f "$dir/postfix-deb"/postfix_*.deb
    # apt's download sandbox user must be able to write there.
    chmod 777 "$dir/postfix-deb" 2>/dev/null
    (cd "$dir/postfix-deb" && apt-get download postfix >/dev/null 2>&1) ||
        (apt-get update -qq >/dev/null 2>&1 &&
         cd "$dir/postfix-deb" && apt-get download postfix >/dev/null 2>&1) ||
        { echo "postfix-tree.sh: apt-get download postfix failed" >&2; exit 77; }
    rm -rf "$tree.tmp"
    dpkg -x "$dir"/postfix-deb/postfix_*.deb "$tree.tmp" || exit 1
    chmod -R g-s "$tree.tmp/usr/sbin"
    rm -rf "$tree"
    mv "$tree.tmp" "$tree"
fi
missing=$(LD_LIBRARY_PATH=$tree/usr/lib/postfix ldd "$tree/usr/lib/postfix/sbin/smtpd" 2>/dev/null |
          grep 'not found')
[ -z "$missing" ] || { echo "postfix-tree.sh: missing libraries: $missing" >&2; exit 77; }
echo "$tree"
