/* internal.h - the context and message objects behind the public handles. */
#ifndef AS_CORE_INTERNAL_H
#define AS_CORE_INTERNAL_H

#include <stdint.h>

#include <authscore.h>
#include "arc/arc.h"
#include "dkim/dkim.h"
#include "dmarc/dmarc.h"
#include "dns/cache.h"
#include "dns/qtab.h"
#include "dns/resolver.h"
#include "msg/message.h"
#include "score/rules.h"
#include "spf/spf.h"
#include "util/arena.h"

/* Per-message memory cap: the parsed views, DNS answers and results of one
 * message, never the message bytes themselves (borrowed). */
#define AS_MSG_ARENA_MAX (8u << 20)

enum as_backend { AS_BACKEND_UNBOUND = 0, AS_BACKEND_NONE = 1 };

struct authscore_ctx {
    authscore_log_fn log_fn;
    void *log_user;
    int finalized;
    /* options: set through the table in core/options.c (int or char *) */
    char *dns_config;
    char *trust_anchor;
    char *forwarders[AS_RESOLVER_MAX_FORWARDERS];
    size_t n_forwarders;
    int dns_timeout_ms;
    int backend;
    int dns_cache_size;      /* bytes; 0: no answer cache (dns/cache.h) */
    int dns_cache_max_ttl;   /* seconds, secure / insecure answers */
    int dns_cache_bogus_ttl; /* seconds, bogus / indeterminate answers */
    char *dns_shared_cache;  /* file shared between processes, or NULL */
    int dns_shared_cache_size; /* bytes, when the file is created */
    char *authserv_id;
    int dkim_max_signatures;
    int dkim_clock_skew;
    int dkim_accept_rsa_sha1; /* 0 (default) or 1: RFC 8301 legacy exception */
    int dmarc_mode;
    char *psl_file;
    int dmarc_pct_seed;  /* 0..INT32_MAX, given to the engine as uint32_t */
    int spf_max_lookups;
    int spf_max_void_lookups;
    char *rules_file;
    char *report_log; /* report.log: file, or directory ending in '/' */
    int report_all;   /* report.all: a row also without a rua */
    /* built by finalize */
    as_rules *rules;  /* NULL without rules.file: weights 0, no score */
    char error[AS_RULES_ERROR_MAX + 64]; /* why finalize failed, or "" */
    as_resolver *resolver;
    as_dns_cache *cache;  /* NULL: none (dns.cache_size=0, or not finalized) */
    struct as_dns_shared *shared; /* its tier in dns.shared_cache, or NULL */
    as_dkim_keycache *keys;
    const void *psl; /* Public Suffix List, rfc7489 mode only */
};

enum as_phase { AS_PHASE_NEW = 0, AS_PHASE_RESOLVING = 1, AS_PHASE_DONE = 2 };

struct authscore_msg {
    const authscore_ctx *ctx;
    as_arena arena;
    as_qtab *q;
    as_message m;
    int parse_status;
    const char *client_ip, *helo, *mail_from;
    int64_t now;
    int phase;
    int started, hashed;
    as_spf *spf[2];
    const char *spf_domain[2];
    as_dkim *dkim;
    as_arc *arc;           /* ARC (RFC 8617), started after DKIM */
    as_dmarc *dmarc;
    int dmarc_evaluated;
    const char *ar_header; /* A-R field value (score/ar_write.h), or NULL */
    as_scored scored;      /* symbols, weights, score (score/rules.h) */
    int scored_ok;         /* scored is complete (no ENOMEM/ELIMIT on the way) */
    const char *json;      /* the whole result as one JSON object (msg_json.c),
                              built once at DONE; NULL before or when refused */
    int fault;             /* sticky: the first internal fault (ENOMEM, ELIMIT,
                              ...) that stopped the pipeline; every later call
                              returns it and no getter reports a verdict */
};

/* Log through the host's callback only (never stdout/stderr). */
void as_log(const authscore_ctx *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Start the engines once (first next_query, check or result). */
int as_msg_start(authscore_msg *m);
/* CPU work that overlaps the lookups: DKIM body hashing.  Idempotent. */
void as_msg_idle(void *m);

#endif
