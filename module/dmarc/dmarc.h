/* dmarc.h - DMARC policy discovery (RFC 9989 tree walk, or RFC 7489 with
 * the Public Suffix List), alignment and policy result; sans-I/O.
 *
 * as_dmarc_start() asks for _dmarc.<author domain> at once (together with
 * the SPF and DKIM questions) and starts whatever walks the organizational
 * domains of the MAIL FROM and DKIM d= domains need.  When the SPF and
 * DKIM results are final the message calls as_dmarc_evaluate(). */
#ifndef AS_DMARC_H
#define AS_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/qtab.h"
#include "../msg/message.h"
#include "../util/arena.h"

enum as_dmarc_mode { AS_DMARC_RFC9989 = 0, AS_DMARC_RFC7489 = 1 };

typedef struct as_dmarc_config {
    int mode;                 /* enum as_dmarc_mode */
    const void *psl;          /* psl_ctx_t* for RFC 7489 mode, or NULL */
    uint32_t pct_seed;        /* pct sampling is a hash of message data
                                 and this seed: deterministic */
} as_dmarc_config;

/* An authenticated identifier offered for alignment. */
typedef struct as_dmarc_auth {
    const char *domain;  /* lowercased */
    int result;          /* enum authscore_result of SPF / DKIM */
} as_dmarc_auth;

typedef struct as_dmarc_result {
    int result;               /* enum authscore_result */
    const char *from_domain;  /* author domain, or NULL */
    const char *org_domain;   /* its organizational domain */
    const char *record_domain;/* where the policy record was found */
    int policy;               /* enum authscore_dmarc_policy applied */
    const char *policy_tag;   /* "p", "sp" or "np" */
    int disposition;          /* enum authscore_dmarc_policy */
    int spf_aligned, dkim_aligned;
    int adkim_strict, aspf_strict;
    int pct;                  /* 0..100, 100 when absent */
    int testing;              /* t=y */
    int dnssec;               /* of the policy record answer */
    const char *reason;
    const char *rua, *ruf;    /* kept, never used */
} as_dmarc_result;

typedef struct as_dmarc as_dmarc;

int as_dmarc_start(as_arena *a, as_qtab *q, const as_dmarc_config *cfg,
                   const as_message *msg, const char *mfrom_domain,
                   const char *const *dkim_domains, size_t n_dkim,
                   as_dmarc **out);
int as_dmarc_done(const as_dmarc *d);
/* Alignment and policy, once the table has no unanswered questions. */
void as_dmarc_evaluate(as_dmarc *d, const as_dmarc_auth *spf,
                       const as_dmarc_auth *dkim, size_t n_dkim);
const as_dmarc_result *as_dmarc_get_result(const as_dmarc *d);

#endif
