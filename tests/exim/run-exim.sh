#!/bin/bash
# A real Exim loads libauthscore.so through ${dlfunc} in its DATA ACL,
# configured with the snippets of docs/exim.md ("A: one exim4.conf"),
# extracted from the page by tests/exim/snippet.py, and acts on the results:
#   - pass.eml is accepted with the A-R field first, folded to 78 columns,
#     and X-Authscore (read back from the queued message with -Mvh); its
#     outcome is in Exim's main log; the snippet's dns.shared_cache file
#     is then in the spool directory, Debian-exim's, mode 0600, with
#     answers in it, and root's -be with those options shares it;
#   - dmarc-reject.eml gets 550, dnssec-bogus.eml (DNS temperror) gets 451;
#   - list.eml (DMARC fail, p=reject) is accepted on its trusted ARC seal;
#   - a message whose score passes the ACL's threshold gets 550;
#   - a 5 MB DKIM-signed message passes, and fails when its last line is
#     changed: the whole body was read from the -D spool file and hashed;
#   - bad arguments, a missing or foreign spool file and a bad option make
#     the expansion fail with a message (a mistyped name names the nearest);
#   - fail closed: a rule file that makes finalize fail defers every
#     message at DATA (451), never accepts it unchecked; the error is in
#     the main log once per connection, and the panic log stays empty.
# DNS: the example zones signed now, served by libunbound from memory.
# usage: run-exim.sh PATH/TO/libauthscore.so      (exit 77: skipped)
# A missing tool skips the whole run (77, "SKIP: reason"), also when it
# only stops one case: a partial run never reports OK.
set -u
lib=$(realpath "${1:?usage: run-exim.sh libauthscore.so}")
src=${AUTHSCORE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (exim -C with an admin's -Mvh)"
if ! command -v exim4 >/dev/null 2>&1; then
    "$src/scripts/deps.sh" test >/dev/null 2>&1 || true
    command -v exim4 >/dev/null 2>&1 || skip "exim4 missing and apt could not install exim4-daemon-heavy"
fi
exim4 -bV 2>/dev/null | grep -q 'Expand_dlfunc' || skip "this exim4 has no \${dlfunc} (install exim4-daemon-heavy)"
id Debian-exim >/dev/null 2>&1 || skip "no Debian-exim user"
# The Exim user must reach the library.
su -s /bin/sh Debian-exim -c "test -r '$lib'" 2>/dev/null || skip "$lib not readable by Debian-exim"

umask 022
work=$(mktemp -d /tmp/authscore-exim.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
ex=$src/examples
"$src/tests/dns/sign-zones.sh" "$work/zones" "$ex/zones/example.zone" \
    "$ex/zones/good.example.zone" "$ex/zones/softpolicy.example.zone" \
    "$ex/zones/forwarder.example.zone" --tamper "$ex/zones/bogus.example.zone" >/dev/null
rc=$?
[ $rc -eq 77 ] && skip "ldnsutils missing"
[ $rc -eq 0 ] || { echo "FAIL: sign-zones.sh"; exit 1; }
chmod -R a+rX "$work/zones"
mkdir "$work/spool" "$work/log"
chown Debian-exim:Debian-exim "$work/spool" "$work/log"

opts="dns.config=$work/zones/unbound-serverless.conf;dns.trust_anchor=none;authserv_id=mx.receiver.example;dns.timeout_ms=3000;rules.file=$ex/authscore.conf"
# The snippets of docs/exim.md, as an admin pastes them; only the library
# path and the options line are the test's own (each must be there once).
snip() { /usr/bin/python3 "$src/tests/exim/snippet.py" "$src/docs/exim.md" "$@"; }
snip --only exim4.conf/main exim4.conf/acl debian/localmacros debian/acl_data ||
    { echo "FAIL: docs/exim.md has snippets no test pastes"; exit 1; }
own_lines() {
    local n
    n=$(grep -c -e '^AUTHSCORE_LIB = ' -e '^AUTHSCORE_OPTIONS = ')
    [ "$n" = 2 ]
}
snip exim4.conf/main >"$work/main.snippet" && snip exim4.conf/acl >"$work/acl.snippet" ||
    { echo "FAIL: docs/exim.md: snippets missing"; exit 1; }
own_lines <"$work/main.snippet" ||
    { echo "FAIL: docs/exim.md: exim4.conf/main lacks AUTHSCORE_LIB or AUTHSCORE_OPTIONS"; exit 1; }
# The snippet's shared answer cache stays as pasted ($spool_directory:
# here the test's spool, Debian-exim's like Debian's /var/spool/exim4).
shared=$(sed -n 's/^AUTHSCORE_OPTIONS = .*;\(dns\.shared_cache=[^; #]*\).*/\1/p' "$work/main.snippet")
[ -n "$shared" ] || { echo "FAIL: docs/exim.md: exim4.conf/main sets no dns.shared_cache"; exit 1; }
cache=${shared#dns.shared_cache=}
cache=${cache//\$spool_directory/$work/spool}
# Only the values: anything after them on the line stays, as pasted.
sed -i -e "s|^AUTHSCORE_LIB = [^ #]*|AUTHSCORE_LIB = $lib|" \
    -e "s|^AUTHSCORE_OPTIONS = [^ #]*|AUTHSCORE_OPTIONS = $opts;$shared|" "$work/main.snippet"
# Exim reads '#' as a comment only at the start of a line: a comment after
# a setting would become part of it (a library path with "# ..." in it).
for name in exim4.conf/main exim4.conf/acl debian/localmacros debian/acl_data; do
    if snip "$name" | grep -nE '^[[:space:]]*[^#[:space:]].*[[:space:]]#'; then
        echo "FAIL: docs/exim.md: $name has a comment after a setting"; exit 1
    fi
done
# The -C file: owned by root, not writable by others (Exim checks).
# Test-only settings first (spool, log, no DNS of Exim's own), then the
# snippets, a recipient ACL, and empty routers and transports.
{ cat <<CONF
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = $work/spool
log_file_path = $work/log/%slog
primary_hostname = mx.receiver.example
qualify_domain = receiver.example
message_size_limit = 20M
keep_environment =
# No DNS of Exim's own: its DKIM verifier and ident calls stay off.
dkim_verify_signers =
rfc1413_query_timeout = 0s
acl_smtp_rcpt = acl_rcpt
CONF
  cat "$work/main.snippet"
  printf '\nbegin acl\nacl_rcpt:\n  accept\n\n'
  cat "$work/acl.snippet"
  printf '\nbegin routers\nbegin transports\n'
} >"$work/exim.conf"

fails=0 passes=0 skipped=""
ok() { echo "ok: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# An SMTP session (CRLF, dot-stuffed) for HELO, MAIL FROM and a file.
session() {
    printf 'EHLO %s\r\nMAIL FROM:<%s>\r\nRCPT TO:<bob@receiver.example>\r\nDATA\r\n' "$1" "$2"
    sed 's/\r$//; s/^\./../; s/$/\r/' "$3"
    printf '.\r\nQUIT\r\n'
}
# Simulated session from IP (-bh): the SMTP replies, CRs removed.
bh() { session "$2" "$3" "$4" | exim4 -C "$work/exim.conf" -bh "$1" 2>&1 | tr -d '\r' | grep -v '^>>>'; }
# Real local session from IP (-bs, queued with -odq): the queued message's
# header lines (-Mvh), one per line; empty when not accepted.
queued_headers() {
    local out id
    out=$(session "$2" "$3" "$4" | exim4 -C "$work/exim.conf" -odq -oMa "$1" -bs 2>&1 | tr -d '\r')
    id=$(printf '%s\n' "$out" | sed -n 's/^250 OK id=\([-A-Za-z0-9]*\).*/\1/p')
    if [ -z "$id" ]; then
        printf '%s\n' "$out" | grep -E '^[45][0-9][0-9] ' >&2
        return 1
    fi
    exim4 -C "$work/exim.conf" -Mvh "$id"
}
# Field $1 of -Mvh output $2, unfolded.
field() { printf '%s\n' "$2" | /usr/bin/python3 "$src/tests/exim/headers.py" "$1"; }
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# 1. An aligned, DKIM-signed message: accepted with the A-R header first,
#    folded, and its outcome in the main log.
h=$(queued_headers 192.0.2.25 mx.good.example alice@good.example "$ex/messages/pass.eml")
if where=$(printf '%s\n' "$h" | /usr/bin/python3 "$src/tests/exim/headers.py" --ar); then
    ok "pass.eml: Authentication-Results: $where"
else bad "pass.eml: Authentication-Results: $where"; fi
if grep -q "authscore: spf=pass spf_helo=none dkim=pass dkim_domains=good.example dmarc=pass .* score=-1.50 .* arc=none" "$work/log/mainlog" 2>/dev/null; then
    ok "pass.eml: main log: $(grep -o 'authscore: spf=pass.*score10=-15' "$work/log/mainlog" | head -n 1)"
else bad "pass.eml: no authscore line in the main log: $(tail -n 3 "$work/log/mainlog" 2>&1)"; fi
ar=$(field Authentication-Results "$h")
xa=$(field X-Authscore "$h")
case $ar in
"mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure);"*"dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256 (2048-bit key, DNSSEC secure); dmarc=pass header.from=good.example policy.dmarc=reject (DNSSEC secure)")
    ok "pass.eml: Authentication-Results: $ar" ;;
*) bad "pass.eml: Authentication-Results: '$ar'" ;;
esac
all=1
for f in spf=pass dkim=pass dkim_domains=good.example arc=none dmarc=pass disposition=none dnssec=secure temperror=no \
         score=-1.50 score10=-15 \
         symbols=R_SPF_ALLOW\(-0.20\),R_DKIM_ALLOW\(-0.20\),DMARC_POLICY_ALLOW\(-0.50\),AS_DMARC_ALIGNED_DKIM\(-0.20\),AS_DMARC_ALIGNED_SPF\(-0.10\),ARC_NA\(0.00\),AS_SPF_DNSSEC\(-0.10\),AS_DKIM_DNSSEC\(-0.10\),AS_DMARC_DNSSEC\(-0.10\); do
    has "$xa" "$f" || { bad "pass.eml: X-Authscore lacks $f: '$xa'"; all=0; }
done
[ $all = 1 ] && ok "pass.eml: X-Authscore: $xa"
# The shared cache: created by the ACL's process (Debian-exim), 0600, and
# holding answers (slots past the 4 KiB header are no longer all zero).
got=$(stat -c '%U %a' "$cache" 2>&1)
used=$(tail -c +4097 "$cache" 2>/dev/null | tr -d '\0' | head -c 1 | wc -c)
if [ "$got" = "Debian-exim 600" ] && [ "$used" = 1 ]; then
    ok "pass.eml: shared cache $cache: $got, answers stored"
else bad "pass.eml: shared cache $cache: '$got', answers stored: $used"; fi

# list.eml: DMARC fails under p=reject, but the list's trusted ARC seal
# (examples/authscore.conf) vouches: accepted, not 550, and the summary
# says why (docs/arc.md).
xa=$(field X-Authscore "$(queued_headers 198.51.100.25 list.forwarder.example \
    team-bounces@list.forwarder.example "$ex/messages/list.eml")")
all=1
for f in arc=pass dmarc=fail policy=reject disposition=none temperror=no; do
    has "$xa" "$f" || { bad "list.eml: X-Authscore lacks $f: '$xa'"; all=0; }
done
case "$xa" in *AS_ARC_TRUSTED_OVERRIDE*) ;; *) bad "list.eml: no AS_ARC_TRUSTED_OVERRIDE: '$xa'"; all=0 ;; esac
[ $all = 1 ] && ok "list.eml (trusted ARC sealer): accepted: $xa"

# 2. DMARC fail under p=reject: 550 at DATA.
r=$(bh 203.0.113.66 mail.good.example ceo@good.example "$ex/messages/dmarc-reject.eml")
if printf '%s\n' "$r" | grep -q '^550 5.7.1 rejected by the DMARC policy' &&
   ! printf '%s\n' "$r" | grep -q '^250 OK id='; then
    ok "dmarc-reject.eml: 550"
else bad "dmarc-reject.eml: no 550: $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tail -n 2)"; fi

# 2b. Over the score threshold without a DMARC reject: softpolicy.example
#     (p=none) with two From mailboxes of its own and a payment subject
#     scores R_SPF_FAIL 1 + DMARC_POLICY_SOFTFAIL 0.1 - 0.1 - 0.1 (DNSSEC)
#     + AS_FROM_MULTIPLE 4 + EXAMPLE_PAYMENT_UNVERIFIED 3 = 7.90: 550 from
#     the score rule; the plain spf-fail.eml (0.90) is accepted.
sed -e 's/^From: .*/From: news@softpolicy.example, billing@softpolicy.example/' \
    -e 's/^Subject: .*/Subject: Urgent payment due/' "$ex/messages/spf-fail.eml" >"$work/high-score.eml"
r=$(bh 198.51.100.7 mail.softpolicy.example news@softpolicy.example "$work/high-score.eml")
if printf '%s\n' "$r" | grep -q '^550 5.7.1 authentication score 7.90 is above 6.0' &&
   ! printf '%s\n' "$r" | grep -q '^250 OK id='; then
    ok "high-score.eml: 550 from the score threshold"
else bad "high-score.eml: no score 550: $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tail -n 2)"; fi
xa=$(field X-Authscore "$(queued_headers 198.51.100.7 mail.softpolicy.example news@softpolicy.example "$ex/messages/spf-fail.eml")")
if has "$xa" score=0.90 && has "$xa" score10=9; then ok "spf-fail.eml: accepted below the threshold: $xa"
else bad "spf-fail.eml: '$xa'"; fi

# 3. Bogus DNSSEC answers give temperror: 451 at DATA.
r=$(bh 192.0.2.90 mail.bogus.example support@bogus.example "$ex/messages/dnssec-bogus.eml")
if printf '%s\n' "$r" | grep -q '^451 4.7.5 temporary DNS failure' &&
   ! printf '%s\n' "$r" | grep -q '^250 OK id='; then
    ok "dnssec-bogus.eml: 451"
else bad "dnssec-bogus.eml: no 451: $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tail -n 2)"; fi

# 3b. A From hidden behind 64 KiB of header fields (Exim cuts
#     $message_headers_raw there): refused by the ACL's guard (552); and
#     without the guard the module refuses to evaluate (451), never scoring
#     what is left.
{ i=0; while [ $i -lt 800 ]; do
    printf 'X-Filler-%04d: %0100d\r\n' $i 0; i=$((i + 1)); done
  cat "$ex/messages/dmarc-reject.eml"; } >"$work/hidden-from.eml"
r=$(bh 203.0.113.66 mail.good.example ceo@good.example "$work/hidden-from.eml")
if printf '%s\n' "$r" | grep -q '^552 5.3.4 header block too large'; then ok "64 KiB of headers: 552"
else bad "64 KiB of headers: no 552: $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tail -n 2)"; fi
grep -v -e 'strlen:' -e '552 5.3.4' "$work/exim.conf" >"$work/noguard.conf"
r=$(session mail.good.example ceo@good.example "$work/hidden-from.eml" |
    exim4 -C "$work/noguard.conf" -bh 203.0.113.66 2>&1 | tr -d '\r')
if printf '%s\n' "$r" | grep -q "^LOG: .*header block reaches Exim's 65536-byte expansion limit" &&
   printf '%s\n' "$r" | grep -q '^451 '; then ok "64 KiB of headers, no guard: refused, 451"
else bad "64 KiB of headers without the guard: $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tail -n 2)"; fi

# 4. A 5 MB body: dkim=pass needs every byte hashed; the same message with
#    its last line changed must fail.
/usr/bin/python3 "$src/tests/exim/make-big.py" "$ex/keys/dkim-sel2026.pem" 5000000 "$work/big.eml"
rc=$?
if [ $rc -eq 77 ]; then
    skipped="5 MB case (python3-dkim missing)"
elif [ $rc -ne 0 ]; then
    bad "make-big.py failed"
else
    xa=$(field X-Authscore "$(queued_headers 192.0.2.25 mx.good.example alice@good.example "$work/big.eml")")
    if has "$xa" dkim=pass && has "$xa" dmarc=pass; then ok "5 MB body: $xa"
    else bad "5 MB body: '$xa'"; fi
    # The same in one BDAT chunk with spool_wireformat: the -D file then
    # holds CRLF lines while the header argument has LF.
    sed 's/^message_size_limit/spool_wireformat = true\nmessage_size_limit/' \
        "$work/exim.conf" >"$work/wire.conf"
    sed 's/\r$//; s/$/\r/' "$work/big.eml" >"$work/big-crlf.eml"
    out=$({ printf 'EHLO mx.good.example\r\nMAIL FROM:<alice@good.example>\r\n'
            printf 'RCPT TO:<bob@receiver.example>\r\nBDAT %d LAST\r\n' \
                "$(wc -c <"$work/big-crlf.eml")"
            cat "$work/big-crlf.eml"; printf 'QUIT\r\n'; } |
          exim4 -C "$work/wire.conf" -odq -oMa 192.0.2.25 -bs 2>&1 | tr -d '\r')
    id=$(printf '%s\n' "$out" | sed -n 's/^250 OK id=\([-A-Za-z0-9]*\).*/\1/p')
    crlf=$(head -n 2 "$work/spool/input/$id-D" 2>/dev/null | tail -n 1 | od -c | grep -c '\\r')
    xa=$(field X-Authscore "$(exim4 -C "$work/wire.conf" -Mvh "$id" 2>/dev/null)")
    if [ "$crlf" = 1 ] && has "$xa" dkim=pass; then ok "5 MB body, BDAT, CRLF spool file: dkim=pass"
    else bad "5 MB body, BDAT + spool_wireformat (CRLF in -D: $crlf): '$xa'"; fi
    sed 's/^the end/the END/' "$work/big.eml" >"$work/big-changed.eml"
    xa=$(field X-Authscore "$(queued_headers 192.0.2.25 mx.good.example alice@good.example "$work/big-changed.eml")")
    if has "$xa" dkim=fail; then ok "5 MB body, last line changed: dkim=fail"
    else bad "5 MB body changed at the end: '$xa'"; fi
fi

# 5. Errors: the expansion fails with a message (-be exits 0: read it).
# Expressions on stdin: a command-line argument is capped at 256 bytes.
be() { printf '%s\n' "$1" | exim4 -C "$work/exim.conf" -be 2>/dev/null | sed -n 's/^> //p' | head -n 1; }
call="\${dlfunc{$lib}{authscore_exim_check}"
printf 'id-D\nbody\n' >"$work/fake-D"
printf 'not a spool file\n' >"$work/foreign"
expect_fail() {
    local out
    out=$(be "$1")
    case $out in
    "Failed: authscore: $2"*) ok "error: $out" ;;
    *) bad "expected 'Failed: authscore: $2', got '$out'" ;;
    esac
}
expect_fail "$call{1.2.3.4}{helo}}" "2 arguments, expected 6"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/missing-D}{$opts}}" "spool file $work/missing-D: No such file"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/foreign}{$opts}}" "spool file $work/foreign: no \"<id>-D\" first line"
printf 'id-D\n' >"$work/huge-D"
truncate -s 70M "$work/huge-D" # sparse: over the 64 MiB cap, no disk used
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/huge-D}{$opts}}" "message larger than the 67108864-byte cap"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/fake-D}{dns.timeout_ms=soon}}" "option dns.timeout_ms=soon"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/fake-D}{dns.timeout=5000}}" "option dns.timeout=5000: unknown option dns.timeout (did you mean dns.timeout_ms?)"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/fake-D}{no-equals-sign}}" "option without name=value"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/fake-D}{dns.config=$work/none.conf}}" "authscore_ctx_finalize: bad configuration: DNS resolver: DNS config file $work/none.conf: No such file"
printf 'symbols { R_SPF_ALLOW { weight = -0.2; } }\nrules { X { weight = 1; helo = "/(x/"; } }\n' >"$work/bad-rules.conf"
expect_fail "$call{1.2.3.4}{h}{a@b}{From: a@b}{$work/fake-D}{dns.backend=none;rules.file=$work/bad-rules.conf}}" "authscore_ctx_finalize: bad configuration: rules: $work/bad-rules.conf:2: rule X: regex \"/(x/\": missing closing parenthesis at offset 2"
# A local submission (no client IP): no SPF, so DMARC fails under
# good.example's p=reject.
out=$(be "$call{}{h}{}{From: x@good.example}{$work/fake-D}{$opts}}")
case $out in
"spf=not_evaluated "*" dkim=none "*" dmarc=fail policy=reject disposition=reject "*" temperror=no score=1.90 score10=19 symbols=R_DKIM_NA(0.00),DMARC_POLICY_REJECT(2.00),ARC_NA(0.00),AS_DMARC_DNSSEC(-0.10) arc=none") ok "no client IP: $out" ;;
*) bad "no client IP: '$out'" ;;
esac
# -be as root runs the call as root: root shares the Exim user's file in
# the spool (a directory only that user writes), and leaves it the user's.
out2=$(be "$call{}{h}{}{From: x@good.example}{$work/fake-D}{$opts;$shared}}")
got=$(stat -c '%U %a' "$cache" 2>&1)
[ "$out2" = "$out" ] && [ "$got" = "Debian-exim 600" ] &&
    ok "root's -be uses the Exim user's shared cache, which stays $got" ||
    bad "root's -be with the shared cache: '$out2', file '$got'"

# 6. Fail closed: the options name a broken rule file, so the context
#    cannot be built; the expansion fails and Exim defers every message at
#    DATA (451 Temporary local problem).  Two messages on one connection:
#    the module logs the error once (main log, through Exim's log_write),
#    Exim logs each failed expansion, and nothing goes to the panic log
#    (FAIL, not ERROR: Debian's cron mails root about a panic log).
sed "s|rules.file=$ex/authscore.conf|rules.file=$work/bad-rules.conf|" "$work/exim.conf" \
    >"$work/broken-rules.conf"
two_messages() {
    printf 'EHLO %s\r\n' mx.good.example
    for _ in 1 2; do
        printf 'MAIL FROM:<alice@good.example>\r\nRCPT TO:<bob@receiver.example>\r\nDATA\r\n'
        sed 's/\r$//; s/^\./../; s/$/\r/' "$ex/messages/pass.eml"
        printf '.\r\n'
    done
    printf 'QUIT\r\n'
}
: >"$work/log/mainlog"
r=$(two_messages | exim4 -C "$work/broken-rules.conf" -odq -oMa 192.0.2.25 -bs 2>&1 | tr -d '\r')
said=$(grep -c "authscore: configuration error, every message is deferred until it is fixed: authscore_ctx_finalize: bad configuration: rules: $work/bad-rules.conf:2" "$work/log/mainlog")
expanded=$(grep -c "failed to expand ACL string .*bad-rules.conf:2" "$work/log/mainlog")
if [ "$(printf '%s\n' "$r" | grep -c '^451 ')" = 2 ] && ! printf '%s\n' "$r" | grep -q '^250 OK id=' &&
   [ "$said" = 1 ] && [ "$expanded" = 2 ] && [ ! -s "$work/log/paniclog" ]; then
    ok "broken rule file: 451 for both messages, the error logged once, no panic log"
else bad "broken rule file: replies $(printf '%s' "$r" | grep -E '^[245][0-9][0-9] ' | tr '\n' '|'), logged $said times, $expanded expansion lines, panic log: $(cat "$work/log/paniclog" 2>/dev/null | head -n 2)"; fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ] || exit 1
[ -z "$skipped" ] || skip "$skipped"
exit 0
