#!/bin/sh
# The shared object exports exactly the functions the public header declares
# (AUTHSCORE_API), all under the AUTHSCORE_1.0 version node, nothing else.
set -eu
lib=$1 header=$2
exp=$(mktemp) got=$(mktemp)
trap 'rm -f "$exp" "$got"' EXIT
grep -o 'AUTHSCORE_API [^(]*(' "$header" | sed -E 's/.*[ *]([A-Za-z_0-9]+)\($/\1/' |
  grep -v '^__attribute__' | sort -u > "$exp"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWDdBbRr]$/ {print $3}' | grep -v '^AUTHSCORE_1.0$' |
  sort -u > "$got"
if grep -qv '@@AUTHSCORE_1.0$' "$got"; then
  echo "symbols outside the AUTHSCORE_1.0 node:"; grep -v '@@AUTHSCORE_1.0$' "$got"; exit 1
fi
sed -i 's/@@AUTHSCORE_1.0$//' "$got"
if ! diff -u "$exp" "$got"; then
  echo "exports differ from include/authscore.h (- header, + library)"; exit 1
fi
echo "exports: $(wc -l < "$got") symbols match the header"
