/* answer_codec.h - an answer (dns.h) as a flat byte string, for the
 * answer cache shared between processes (shared_cache.c).
 *
 * Layout, little-endian: status u8, dnssec u8, count u16, ttl u32; then
 * per record its ttl u32 and, by the question's type, A 4 bytes, AAAA 16,
 * MX pref u16 + name, PTR name, TXT len u16 + bytes (a name is len u8 +
 * a normalized name).  why_bogus is not carried: only proven answers are
 * shared.  The decoder trusts nothing: a string another process wrote
 * may be torn or corrupt, so every length, enum and name is checked. */
#ifndef AS_DNS_ANSWER_CODEC_H
#define AS_DNS_ANSWER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

/* Write `ans` (records of type qtype) into out[cap].  Returns the length,
 * or 0 when it does not fit, or a record is not of qtype or not
 * representable (a name that is not normalized, a TXT over 65535 bytes). */
size_t as_dns_answer_encode(uint16_t qtype, const as_dns_answer *ans,
                            unsigned char *out, size_t cap);

/* Read p[len] back into *out, with strings and records in arena `a`.
 * Returns 0, AUTHSCORE_EPARSE (anything out of shape, trailing bytes
 * included), or AUTHSCORE_ENOMEM / AUTHSCORE_ELIMIT (the arena). */
int as_dns_answer_decode(const unsigned char *p, size_t len, uint16_t qtype,
                         as_arena *a, as_dns_answer *out);

#endif
