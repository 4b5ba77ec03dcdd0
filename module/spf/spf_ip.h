/* spf_ip.h - the IP address helpers SPF needs: strict text parsing of
 * IPv4 / IPv6 (with embedded IPv4), IPv4-mapped IPv6 folding, CIDR
 * matching and the text forms used by the i, c and v macros. */
#ifndef AS_SPF_IP_H
#define AS_SPF_IP_H

#include <stddef.h>

/* Longest text form written by as_spf_ip_format / as_spf_ip_nibbles. */
#define AS_SPF_IP_TEXT_MAX 72u

typedef struct as_spf_ip {
    int v6;                  /* 0: IPv4 in b[0..3], 1: IPv6 in b[0..15] */
    unsigned char b[16];
} as_spf_ip;

/* RFC 7208 section 5.6 ip4-network: four qnum without leading zeros.
 * Returns 0 or -1. */
int as_spf_ip4_parse(const char *p, size_t len, unsigned char out[4]);
/* RFC 4291 section 2.2 text form (1-4 hex digits per group, one "::",
 * optional trailing dotted IPv4).  Returns 0 or -1. */
int as_spf_ip6_parse(const char *p, size_t len, unsigned char out[16]);
/* A client address: IPv4, IPv6, or IPv4-mapped IPv6 which is folded to
 * IPv4 (RFC 7208 section 5: the mapped client is an IPv4 client). */
int as_spf_ip_parse(const char *p, size_t len, as_spf_ip *out);

/* Does `ip` fall in addr/prefix of the same family?  A family mismatch is
 * no match.  prefix is clamped to the family's width. */
int as_spf_ip_match(const as_spf_ip *ip, const unsigned char *addr, int v6,
                    unsigned prefix);

/* %{c}: dotted quad, or RFC 5952 compressed lowercase IPv6.  Returns the
 * length written to out (size >= AS_SPF_IP_TEXT_MAX, NUL-terminated). */
size_t as_spf_ip_format(const as_spf_ip *ip, char *out);
/* %{i}: dotted quad, or 32 dot-separated uppercase nibbles. */
size_t as_spf_ip_nibbles(const as_spf_ip *ip, char *out);
/* The reverse-lookup name (x.x.x.x.in-addr.arpa / nibbles.ip6.arpa),
 * lowercase; out must hold AS_SPF_IP_TEXT_MAX + 10 bytes. */
size_t as_spf_ip_reverse_name(const as_spf_ip *ip, char *out);

#endif
