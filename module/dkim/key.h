/* key.h - DKIM key records (RFC 6376 section 3.6.1, RFC 8463 section 4).
 *
 * A record is parsed (and its key decoded) once; the decoded-key cache
 * (keycache.c) keeps the result keyed by the exact record bytes. */
#ifndef AS_DKIM_KEY_H
#define AS_DKIM_KEY_H

#include <stddef.h>

#include "dkim/crypto.h"

#define AS_DKIM_MAX_KEY_RECORD 4096u  /* joined TXT bytes we parse */
#define AS_DKIM_MAX_KEY_DER 2048u     /* decoded p=: SPKI of RSA-8192 + slack */
#define AS_DKIM_RSA_MIN_BITS 1024     /* RFC 8301 section 3.2 */
#define AS_DKIM_RSA_MAX_BITS 8192     /* verify cost grows with the square */

/* Bits for hash_mask (the key's h= tag). */
#define AS_DKIM_KEY_H_SHA1 (1u << AS_MD_SHA1)
#define AS_DKIM_KEY_H_SHA256 (1u << AS_MD_SHA256)

typedef struct as_dkim_keyrec {
    const char *reason;   /* NULL when usable, else a reason code */
    int type;             /* enum as_crypto_keytype, 0 when unknown */
    unsigned hash_mask;   /* allowed digests (h=); all when h= absent */
    int testing;          /* t=y */
    int strict;           /* t=s: i= domain must equal d= */
    int bits;             /* key size, 0 when not decoded */
    as_crypto_key *key;   /* owned by whoever owns the record */
} as_dkim_keyrec;

/* Parse a key record.  Always fills *out; a record that cannot be used
 * has reason set: "key_syntax", "key_revoked" (p= empty), "key_unknown_type",
 * "key_service" (s= excludes email), "key_too_large" (all of them what
 * the record says), or "no_memory" / "limit" (our own failure: says
 * nothing about the record, as_dkim_keyrec_definitive() is 0).
 * *decoded is set to 1 when the crypto library was asked to decode a key
 * (the cost the cache exists to avoid).  Free with as_dkim_keyrec_clear. */
void as_dkim_key_parse(const char *p, size_t len, as_dkim_keyrec *out,
                       int *decoded);
void as_dkim_keyrec_clear(as_dkim_keyrec *k);
/* 1 when the parse result is the record's own (may be cached and be a
 * verdict), 0 for "no_memory" and "limit". */
int as_dkim_keyrec_definitive(const as_dkim_keyrec *k);

#endif
