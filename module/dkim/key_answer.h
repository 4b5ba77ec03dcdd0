/* key_answer.h - from a key query's answer to the key that verifies, for
 * DKIM signatures (dkim.c) and ARC seals (arc/seal_verify.c): the DNS
 * outcome, the choice among several TXT records (RFC 6376 3.6.2.2) and
 * what a usable key says before any hashing (type, digest, size). */
#ifndef AS_DKIM_KEY_ANSWER_H
#define AS_DKIM_KEY_ANSWER_H

#include <stdint.h>

#include "dkim/dkim.h"
#include "dkim/key.h"
#include "dns/dns.h"
#include "dns/qtab.h"

/* Ask for the key of selector s in domain d ("s._domainkey.d" TXT);
 * fn(engine, cookie, answer) gets the answer.  Returns 0 when asked; 1
 * when it could not be, with *why and *result set: "key_query_invalid"
 * (permerror: no DNS name), "dns_limit" (temperror: the question cap),
 * "no_memory" / "limit" (temperror: the arena `a` refused); any other
 * error as it came. */
int as_dkim_key_ask(as_qtab *q, const as_arena *a, const char *s, const char *d,
                    as_answer_fn fn, void *engine, uintptr_t cookie,
                    const char **why, int *result);

/* The verdict `ans` gives on its own: NULL when its records are to be
 * read, else the reason with *result set: a bogus answer is never used
 * ("dns_bogus", temperror); NXDOMAIN / NODATA "key_not_found"
 * (permerror); "dns_timeout", "dns_servfail" (temperror). */
const char *as_dkim_key_answer_status(const as_dns_answer *ans, int *result);

/* The key record of `ans` (an OK answer): the first usable TXT record,
 * else the first one, whose reason says why it is not (the caller
 * clears *kr in both cases).  Returns NULL then; or, with nothing in
 * *kr, "key_not_found" (no TXT record, permerror) or our own fault while
 * parsing a record ("no_memory" / "limit", temperror: it might have been
 * the usable one) with *result set.  c may be NULL (no cache). */
const char *as_dkim_key_pick(as_dkim_keycache *c, const as_dns_answer *ans,
                             as_dkim_keyrec *kr, int *result);

/* What the record says of a signature made with (keytype, md), before
 * hashing: NULL when the key may verify it, else the reason with
 * *result set (the record's own reason: revoked is fail, our faults
 * temperror, the rest permerror; "key_type_mismatch",
 * "key_hash_not_allowed" permerror).  The size (RFC 8301 3.2) is
 * as_dkim_key_too_small(). */
const char *as_dkim_key_judge(const as_dkim_keyrec *kr, int keytype, int md,
                              int *result);
/* 1 for an RSA key under AS_DKIM_RSA_MIN_BITS: a fail (RFC 8301 3.2). */
int as_dkim_key_too_small(const as_dkim_keyrec *kr);

#endif
