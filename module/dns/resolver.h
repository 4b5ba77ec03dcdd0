/* resolver.h - the blocking driver over the production resolver
 * (libunbound, module/dns/unbound.c, the only file that includes
 * unbound.h).
 *
 * One resolver per authscore_ctx, shared by every message and thread so
 * that its cache is shared.  as_resolver_drive() keeps every question of a
 * message in flight at once, feeds answers back in arrival order (which
 * may raise more questions, sent at once), and answers whatever misses
 * the deadline as TIMEOUT, so the message always finishes. */
#ifndef AS_RESOLVER_H
#define AS_RESOLVER_H

#include <stddef.h>

#include "dns/qtab.h"

#define AS_RESOLVER_DEFAULT_TIMEOUT_MS 5000
#define AS_RESOLVER_MAX_TIMEOUT_MS 120000
#define AS_RESOLVER_DEFAULT_TRUST_ANCHOR "/usr/share/dns/root.key"
#define AS_RESOLVER_MAX_FORWARDERS 8

typedef void (*as_log_fn)(void *user, int level, const char *msg);

typedef struct as_resolver_config {
    const char *config_file;       /* unbound.conf to load, or NULL */
    const char *trust_anchor_file; /* NULL: the default file; "none": none */
    const char *forwarders[AS_RESOLVER_MAX_FORWARDERS];
    size_t n_forwarders;
    int timeout_ms;                /* per-message deadline */
    as_log_fn log;                 /* may be NULL */
    void *log_user;
} as_resolver_config;

typedef struct as_resolver as_resolver;

/* Build the resolver.  On failure returns AUTHSCORE_EDNS or
 * AUTHSCORE_ECONFIG and writes a clear reason into err (e.g. the missing
 * trust-anchor file, naming the Debian package dns-root-data). */
int as_resolver_new(const as_resolver_config *cfg, as_resolver **out,
                    char *err, size_t errlen);
void as_resolver_free(as_resolver *r);

/* Resolve every question of `t` (including ones raised by answers) until
 * none is unanswered or timeout_ms passed.  After the first wave is sent,
 * idle(idle_arg) is called once (DKIM body hashing overlaps the lookups).
 * Thread-safe: many threads may drive their own messages at once. */
int as_resolver_drive(as_resolver *r, as_qtab *t, int timeout_ms,
                      void (*idle)(void *), void *idle_arg);

/* What one drive call cost: send waves (a wave is every question that was
 * unsent at that moment, sent back to back without waiting), queries
 * sent, and questions answered TIMEOUT at the deadline. */
typedef struct as_resolver_stats {
    unsigned waves;
    unsigned queries;
    unsigned timeouts;
} as_resolver_stats;

/* as_resolver_drive, filling *out (may be NULL).  timeout_ms <= 0 means
 * the resolver's configured deadline; it is capped at
 * AS_RESOLVER_MAX_TIMEOUT_MS.  On return every question of `t` has been
 * answered, whatever the result: 0; AUTHSCORE_EINVAL (NULL argument,
 * nothing done); AUTHSCORE_ENOMEM (an answer did not fit the arena, or a
 * question could not be sent, and was answered SERVFAIL: refuse the
 * message); AUTHSCORE_EDNS (libunbound's result pipe failed; the
 * rest was answered TIMEOUT). */
int as_resolver_drive_stats(as_resolver *r, as_qtab *t, int timeout_ms,
                            void (*idle)(void *), void *idle_arg,
                            as_resolver_stats *out);

/* Queries handed to libunbound since the resolver was built, by every
 * thread (tests check that cache hits never get here). */
unsigned long as_resolver_queries(as_resolver *r);

#endif
