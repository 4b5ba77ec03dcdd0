/* shared_cache.h - a second tier of the answer cache, in a file that every
 * process of a host shares (option dns.shared_cache, docs/dns.md "Shared
 * answer cache").  Exim runs each SMTP connection in a new process: with
 * only the per-process cache, each one starts cold and validates DNSSEC
 * again; with this file, the first process's validated answers serve the
 * next ones.
 *
 * Only proven answers are shared: OK, NODATA or NXDOMAIN that are DNSSEC
 * secure or insecure, for min(TTL, the writer's cap) on the wall clock.
 * Bogus and indeterminate answers, SERVFAIL, timeouts and faults stay out
 * (the per-process tier keeps bogus ones briefly).  Answers too large for
 * a slot stay per-process.
 *
 * The file: a 4 KiB header, then buckets of two 2 KiB slots, each slot a
 * key, an expiry and an encoded answer (answer_codec.h) under a seeded
 * 64-bit checksum.  Access is pread/pwrite only: no mapping, so another
 * process truncating the file cannot crash this one (SIGBUS), and a slot
 * read while another process writes it fails its checksum and is a miss.
 * Writers never wait: the last whole write of a slot wins.
 *
 * The file must be a regular file owned by the process's user and not
 * writable by group or others (an answer in it is trusted as validated);
 * it is created 0600 when missing. */
#ifndef AS_DNS_SHARED_CACHE_H
#define AS_DNS_SHARED_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

#define AS_DNS_SHARED_DEFAULT_BYTES (16u << 20)
#define AS_DNS_SHARED_MIN_BYTES (64u << 10)
#define AS_DNS_SHARED_MAX_BYTES (1u << 30)

typedef struct as_dns_shared as_dns_shared;

typedef struct as_dns_shared_stats {
    uint64_t hits, misses, stores;
    uint64_t rejected; /* slots whose checksum or contents did not hold */
} as_dns_shared_stats;

/* Open (or create, create_bytes long) the file at path.  Returns 0, or
 * AUTHSCORE_ECONFIG with a sentence in err (unsafe owner or mode, not a
 * cache file, cannot create) or AUTHSCORE_ENOMEM. */
int as_dns_shared_open(const char *path, size_t create_bytes, as_dns_shared **out,
                       char *err, size_t errlen);
void as_dns_shared_close(as_dns_shared *s);

/* Look up (name, qtype) at `now` (seconds since the epoch).  A hit is
 * decoded into arena a, its TTLs cut to what is left (at most max_ttl),
 * and returns 1; a miss 0; AUTHSCORE_ENOMEM / AUTHSCORE_ELIMIT when the
 * arena refuses (the message's fault). */
int as_dns_shared_get(as_dns_shared *s, const char *name, size_t len, uint16_t qtype,
                      int64_t now, uint32_t max_ttl, as_arena *a, as_dns_answer *out);

/* Store a proven answer for `life` seconds from now; anything else, and
 * any I/O error, leaves the file as it was (a later process pays a
 * lookup, never a wrong answer). */
void as_dns_shared_put(as_dns_shared *s, const char *name, size_t len, uint16_t qtype,
                       const as_dns_answer *ans, uint32_t life, int64_t now);

void as_dns_shared_stats_get(const as_dns_shared *s, as_dns_shared_stats *out);

#endif
