/* seal_verify.h - verify one ARC-Seal (RFC 8617 5.1.1, 5.2 step 6): the
 * relaxed-canonicalized ARC fields of every set up to the seal's own, in
 * the order AAR, AMS, AS per set from i=1 up, the seal itself last with
 * its b= value removed and no final CRLF; checked against the key in its
 * key answer with the DKIM engine's key reading and crypto. */
#ifndef AS_ARC_SEAL_VERIFY_H
#define AS_ARC_SEAL_VERIFY_H

#include <stddef.h>

#include "arc/seal.h"
#include "dkim/dkim.h"
#include "dns/dns.h"
#include "msg/header.h"

/* The three fields of one ARC set. */
typedef struct as_arc_fields {
    const as_header_field *aar, *ams, *as;
} as_arc_fields;

/* Verify `seal`, the seal of set k (1-based) of sets[0..k), with its key
 * answer.  Returns the reason and sets *result: "ok" (pass), a key's or
 * the answer's reason (docs/dkim.md: "key_not_found", "key_too_small",
 * "dns_timeout", ...), "signature_mismatch" (fail), or "no_memory"
 * (temperror: our fault).  *key_bits gets the key size (0 without). */
const char *as_arc_seal_verify(as_dkim_keycache *cache, const as_arc_fields *sets,
                               size_t k, const as_arc_seal *seal,
                               const as_dns_answer *ans, int *result, int *key_bits);

#endif
