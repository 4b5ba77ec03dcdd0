/* spf.h - RFC 7208 check_host() as a sans-I/O engine.
 *
 * as_spf_start() parses nothing yet: it asks for the TXT record of the
 * domain through the message's question table and returns.  Every answer
 * advances the evaluation; the engine asks the lookups its next terms need
 * all at once (up to the remaining budget) while keeping the result
 * exactly what in-order evaluation gives.  No I/O, no clock. */
#ifndef AS_SPF_H
#define AS_SPF_H

#include <stdint.h>

#include "dns/qtab.h"
#include "util/arena.h"

/* RFC 7208 section 4.6.4: at most 10 DNS-mechanism lookups, 2 void lookups,
 * 10 names per mx / ptr.  Configurable downward only. */
#define AS_SPF_MAX_LOOKUPS 10
#define AS_SPF_MAX_VOID_LOOKUPS 2
#define AS_SPF_MAX_MX_NAMES 10
#define AS_SPF_MAX_PTR_NAMES 10
/* Hard nesting cap for include/redirect, no configuration can raise it. */
#define AS_SPF_MAX_DEPTH 20
/* Distinct DNS questions one evaluation may ask (speculative ones
 * included).  In-order evaluation needs at most ~130 (10 terms x 11
 * names, the explanation, %{p}); reaching this is a temperror. */
#define AS_SPF_MAX_QUESTIONS 256

/* as_spf_result.limit_hit values */
#define AS_SPF_LIMIT_NONE 0
#define AS_SPF_LIMIT_LOOKUPS 1
#define AS_SPF_LIMIT_VOID 2

typedef struct as_spf_limits {
    int max_lookups;
    int max_void_lookups;
} as_spf_limits;

typedef struct as_spf_request {
    const char *client_ip; /* IPv4, IPv6 or IPv4-mapped IPv6 text */
    const char *sender;    /* local-part@domain: MAIL FROM, or
                              postmaster@helo for the HELO identity */
    const char *domain;    /* the <domain> of check_host() */
    const char *helo;      /* %{h}; may be NULL */
    const char *receiver;  /* %{r}; may be NULL ("unknown") */
    int64_t now;           /* %{t} */
    as_spf_limits limits;  /* 0 fields take the RFC defaults */
    int no_prefetch;       /* 1: ask only what in-order evaluation needs
                              now (tests and benchmarks compare the two) */
} as_spf_request;

typedef struct as_spf_result {
    int result;              /* enum authscore_result */
    const char *domain;      /* the checked domain */
    int dnssec;              /* secure only if every answer used was */
    int lookups;             /* DNS-mechanism lookups used */
    int void_lookups;
    const char *mechanism;   /* the matching term as written, or NULL */
    const char *explanation; /* exp= text for fail, or NULL */
    const char *reason;      /* human-readable why */
    int limit_hit;           /* 1 lookups, 2 void lookups, 0 none */
    /* Added by the SPF engine: */
    const char *identity;    /* the <sender> evaluated (local-part@domain) */
    unsigned queries;        /* distinct DNS questions this evaluation asked
                                (speculative prefetches included) */
    unsigned rounds;         /* deepest qtab depth among them: the DNS
                                round trips on the critical path */
} as_spf_result;

typedef struct as_spf as_spf;

/* Start an evaluation.  Strings in req are copied.  Returns 0 or
 * AUTHSCORE_ENOMEM; a bad request (bad IP, bad domain) still gives an
 * engine whose result is already final (none / permerror). */
int as_spf_start(as_arena *a, as_qtab *q, const as_spf_request *req,
                 as_spf **out);
int as_spf_done(const as_spf *s);
/* The result; valid once done (before that, result is NOT_EVALUATED). */
const as_spf_result *as_spf_get_result(const as_spf *s);

#endif
