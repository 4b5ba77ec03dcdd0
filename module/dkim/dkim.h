/* dkim.h - RFC 6376 / 8463 / 8301 verifier as a sans-I/O engine.
 *
 * as_dkim_start() parses every DKIM-Signature (up to the cap) and asks all
 * key queries at once; as_dkim_hash() computes the body hashes (each
 * distinct (canonicalization, algorithm, l=) once) and may be called while
 * the queries are in flight; as_dkim_finish() completes whatever is left.
 * The decoded-key cache belongs to the authscore_ctx and is thread-safe. */
#ifndef AS_DKIM_H
#define AS_DKIM_H

#include <stddef.h>
#include <stdint.h>

#include "dns/qtab.h"
#include "msg/message.h"
#include "util/arena.h"

#define AS_DKIM_MAX_SIGNATURES 8     /* default cap, configurable */
#define AS_DKIM_MAX_SIGNATURES_HARD 64
#define AS_DKIM_CLOCK_SKEW 300       /* seconds */
#define AS_DKIM_KEYCACHE_ENTRIES 1024
#define AS_DKIM_KEYCACHE_MAX_ENTRIES 1048576u /* hard cap on max_entries */

typedef struct as_dkim_keycache as_dkim_keycache;

/* max_entries 0: AS_DKIM_KEYCACHE_ENTRIES.  NULL on allocation failure. */
as_dkim_keycache *as_dkim_keycache_new(size_t max_entries);
void as_dkim_keycache_free(as_dkim_keycache *c);

/* Counters since creation (for tests, benchmarks and operators). */
typedef struct as_dkim_keycache_stats {
    unsigned long hits, misses;
    unsigned long decodes;    /* key decodes by the crypto library */
    unsigned long evictions;
    size_t entries;
} as_dkim_keycache_stats;
void as_dkim_keycache_get_stats(as_dkim_keycache *c, as_dkim_keycache_stats *st);

typedef struct as_dkim_config {
    int max_signatures;  /* 0: AS_DKIM_MAX_SIGNATURES */
    int clock_skew;      /* seconds; <0: AS_DKIM_CLOCK_SKEW */
    int accept_rsa_sha1; /* 0: rsa-sha1 is permerror "weak_algorithm" (RFC
                            8301 3.1: MUST NOT be used for verifying);
                            1: the legacy exception, verified and flagged */
} as_dkim_config;

typedef struct as_dkim_sig_result {
    int result;          /* enum authscore_result */
    const char *d, *s, *a, *i; /* NULL when absent or unparsable */
    const char *reason;  /* a reason code, docs/dkim.md */
    int dnssec;          /* of the key answer */
    int key_bits;        /* 0 when no key */
    unsigned flags;      /* enum authscore_dkim_flag */
    uint64_t body_length;/* canonicalized body bytes */
    int64_t l;           /* l= or -1 */
} as_dkim_sig_result;

typedef struct as_dkim as_dkim;

int as_dkim_start(as_arena *a, as_qtab *q, as_dkim_keycache *cache,
                  const as_message *msg, const as_dkim_config *cfg,
                  int64_t now, as_dkim **out);
void as_dkim_hash(as_dkim *d);
void as_dkim_finish(as_dkim *d);
int as_dkim_done(const as_dkim *d);
size_t as_dkim_count(const as_dkim *d);  /* one per DKIM-Signature field */
const as_dkim_sig_result *as_dkim_get_result(const as_dkim *d, size_t i);
/* Distinct body hashes computed: one per (body canonicalization, digest,
 * l=) among the evaluated signatures. */
size_t as_dkim_body_hash_count(const as_dkim *d);

/* ARC-Message-Signatures (RFC 8617 4.1.2), verified with this engine's
 * machinery: the key asked with the rest, the body hash shared, header
 * selection as for DKIM (the AMS itself never selected).  `sig` was
 * parsed by as_dkim_sig_parse_kind(AS_DKIM_SIG_AMS) into memory that
 * lives as long as the message; a parse reason settles it at once.
 * rsa-sha1 is always refused ("weak_algorithm").  Before the body is
 * hashed only (AUTHSCORE_EPHASE afterwards, or past
 * AS_DKIM_AMS_MAX_INSTANCE); *slot names it.  0, AUTHSCORE_ENOMEM. */
struct as_dkim_sig;
int as_dkim_ams_add(as_dkim *d, const as_header_field *f,
                    const struct as_dkim_sig *sig, size_t *slot);
/* Verify the AMS in `slot` now, if not yet (lazily: the ARC engine asks
 * only for those it needs), and return its result: a DKIM result and
 * reason (docs/dkim.md); a key never answered is temperror dns_timeout.
 * NULL for an unknown slot. */
const as_dkim_sig_result *as_dkim_ams_verify(as_dkim *d, size_t slot);

#endif
