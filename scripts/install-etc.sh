#!/bin/sh
# install-etc.sh - the `meson install` step for /etc/authscore/: the
# shipped rules and an example unbound.conf for Exim, each installed only
# when absent and never overwritten (meson's install_data always
# overwrites, and an admin's edited rules must survive a reinstall).  Then
# ldconfig, when installing as root without DESTDIR, so that the installed
# `authscore` command finds libauthscore.so.0 at once.
# usage (meson.add_install_script): install-etc.sh FILE...
set -eu
dir="${DESTDIR:-}/etc/authscore"
if [ -n "${MESON_INSTALL_DRY_RUN:-}" ]; then
    echo "would install into $dir (when absent): $*"
    exit 0
fi
mkdir -p "$dir"
for src in "$@"; do
    dst="$dir/$(basename "$src")"
    if [ -e "$dst" ]; then
        echo "Kept $dst (it exists; the shipped version is $src)"
    else
        install -m 0644 "$src" "$dst"
        echo "Installing $src to $dir"
    fi
done
if [ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then
    ldconfig
fi
