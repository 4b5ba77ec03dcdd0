#!/bin/sh
# The command is valgrind-clean (no leaks, no invalid access) on the
# examples through the real libunbound path.  Skips (77) without valgrind.
set -u
runner=$1 cli=$2
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed"; exit 77; }
log=$(mktemp)
trap 'rm -f "$log" "$log".wrap' EXIT
cat > "$log.wrap" <<W
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect "$cli" "\$@"
W
chmod +x "$log.wrap"
"$runner" "$log.wrap" --json > "$log" 2>&1
rc=$?
cat "$log" | grep -v '^{' || true
[ $rc = 0 ] && echo "valgrind: clean" || echo "valgrind: errors (exit $rc)"
exit $rc
