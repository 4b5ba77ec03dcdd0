/* cache.h - the context's DNS answer cache, in front of the resolver and of
 * the sans-I/O host (docs/dns.md "Answer cache").
 *
 * One cache per finalized context, shared by every message and thread
 * (one mutex).  It keeps validated answers: rcode, records, DNSSEC state
 * and bogus reason, keyed by (normalized name, qtype).  An entry lives
 * min(TTL, cap) seconds on a monotonic clock the caller provides:
 *
 *  - OK / NODATA / NXDOMAIN, secure or insecure: the answer's TTL (the
 *    smallest record TTL; for NODATA / NXDOMAIN the RFC 2308 5 negative
 *    TTL, min(SOA TTL, SOA MINIMUM)), at most max_ttl;
 *  - bogus (any status) and indeterminate: at most short_ttl, so one bad
 *    moment does not poison an hour;
 *  - SERVFAIL and TIMEOUT are never kept: they say no answer was had.
 *    Neither are faults (a driver error, the deadline, an allocation that
 *    failed): callers deliver those with as_qtab_fail, which bypasses the
 *    cache.  A TTL of 0 (and a negative answer without SOA, RFC 2308 5)
 *    is not kept either.
 *
 * Memory is capped at max_bytes (entries, names, records, text and the
 * tables' own overhead), split evenly between 16 parts chosen by the key's
 * hash, each with its own lock and LRU list: when a part is full, its least
 * recently used entries go.  One entry is one allocation, so an insert is
 * whole or absent. */
#ifndef AS_DNS_CACHE_H
#define AS_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

/* Defaults and hard maxima of the three options (core/options.c). */
#define AS_DNS_CACHE_DEFAULT_BYTES (4u << 20)
#define AS_DNS_CACHE_MAX_BYTES (1u << 30)     /* 1 GiB: no option goes past */
#define AS_DNS_CACHE_DEFAULT_MAX_TTL 3600     /* unbound's cache-max-negative-ttl */
#define AS_DNS_CACHE_MAX_MAX_TTL 86400        /* unbound's cache-max-ttl */
#define AS_DNS_CACHE_DEFAULT_SHORT_TTL 5      /* bogus / indeterminate */
#define AS_DNS_CACHE_MAX_SHORT_TTL 300        /* RFC 2308 7.1's SERVFAIL bound */
/* One answer may take at most this share of the cache (1/32: half of one
 * of its 16 parts), so one 16 MiB TXT answer cannot flush everything else. */
#define AS_DNS_CACHE_ENTRY_SHARE 32u

/* Milliseconds on a monotonic clock (core gives the real one). */
typedef int64_t (*as_clock_fn)(void *user);

typedef struct as_dns_cache_config {
    size_t max_bytes;     /* 0: no cache (as_dns_cache_new returns NULL) */
    uint32_t max_ttl;     /* cap for secure / insecure answers, seconds */
    uint32_t short_ttl;   /* cap for bogus / indeterminate answers */
    as_clock_fn clock;
    void *clock_user;
    /* Optional second tier shared with other processes (shared_cache.h;
     * the caller owns it and frees it after the cache).  A local miss
     * asks it, a hit there is kept here too; what is kept here and is
     * proven goes there.  wall gives its clock: seconds since the epoch. */
    struct as_dns_shared *shared;
    as_clock_fn wall;
} as_dns_cache_config;

typedef struct as_dns_cache_stats {
    uint64_t hits, misses;    /* lookups found / not found (or expired) */
    uint64_t inserts, evictions, expired;
    uint64_t entries, bytes;  /* held now */
} as_dns_cache_stats;

typedef struct as_dns_cache as_dns_cache;

/* Build a cache.  *out is NULL (no cache) when max_bytes is 0.  Returns 0
 * or AUTHSCORE_ENOMEM / AUTHSCORE_EINVAL (no clock, max_bytes over the
 * hard maximum). */
int as_dns_cache_new(const as_dns_cache_config *cfg, as_dns_cache **out);
void as_dns_cache_free(as_dns_cache *c);

/* Look up (name, qtype), here and then in the shared tier; name is
 * normalized (dns.h), len its length.  A hit copies the answer into arena `a` (it stays valid whatever the cache
 * does later) and returns 1; a miss returns 0; AUTHSCORE_ENOMEM /
 * AUTHSCORE_ELIMIT when the copy does not fit the arena (a fault of the
 * message, nothing cached changes). */
int as_dns_cache_get(as_dns_cache *c, const char *name, size_t len,
                     uint16_t qtype, as_arena *a, as_dns_answer *out);

/* Keep a copy of an answer (see the rules above for what is kept and for
 * how long); replaces an older entry of the same question.  Returns 1
 * when kept, 0 when the answer is not kept by rule, AUTHSCORE_ENOMEM
 * when the copy could not be allocated (nothing changed: the answer is
 * still good for the message that got it). */
int as_dns_cache_put(as_dns_cache *c, const char *name, size_t len,
                     uint16_t qtype, const as_dns_answer *ans);

/* How long `ans` would be kept, in seconds (0: not kept). */
uint32_t as_dns_cache_lifetime(const as_dns_cache *c, const as_dns_answer *ans);

/* The counters, summed over the parts, each read under its lock (zeros
 * for NULL). */
void as_dns_cache_stats_get(as_dns_cache *c, as_dns_cache_stats *out);

/* Drop every entry (counters stay): for tests that need a cold cache. */
void as_dns_cache_clear(as_dns_cache *c);

#endif
