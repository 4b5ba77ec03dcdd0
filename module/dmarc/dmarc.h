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

#include "dmarc/psl.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "util/arena.h"

enum as_dmarc_mode { AS_DMARC_RFC9989 = 0, AS_DMARC_RFC7489 = 1 };

typedef struct as_dmarc_config {
    int mode;                 /* enum as_dmarc_mode */
    const void *psl;          /* psl_ctx_t* for RFC 7489 mode (from
                                 as_dmarc_psl_parse), or NULL: libpsl's
                                 built-in list */
    uint32_t pct_seed;        /* pct sampling is a hash of message data
                                 and this seed: deterministic */
    int sequential_walk;      /* 0 (default): ask every tree-walk name at
                                 once (one DNS round, up to 8 questions
                                 per domain); 1: one name after the other
                                 (fewer questions, more rounds).  Both
                                 give the same result. */
} as_dmarc_config;

/* Identifier domains (MAIL FROM + distinct DKIM d=) whose organizational
 * domain is walked per message; beyond it they align only strictly. */
#define AS_DMARC_MAX_IDENTIFIERS 16u

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
    /* Added by the DMARC engine. */
    int mode;                 /* enum as_dmarc_mode used */
    int author_exists;        /* 1, 0 (NXDOMAIN: np applies), -1 unknown */
    int downgraded;           /* t=y (RFC 9989) or pct sampling (RFC 7489)
                                 lowered the disposition one step */
    int pct_selected;         /* RFC 7489: 1 when the message fell inside
                                 pct (always 1 when pct is 100) */
    int psd_policy;           /* the policy came from a psd=y record */
    int unaligned_pass;       /* passing SPF/DKIM identifiers that did not
                                 align (for scoring "unaligned pass") */
    const char *spf_domain;   /* the aligned SPF domain, or NULL */
    const char *dkim_domain;  /* the first aligned DKIM d=, or NULL */
    const char *fo;           /* fo= as published ("0" by default) */
    int invalid_policy_rua;   /* bad p/sp/np with a valid rua: p=none */
    /* The record as published, for reports (RFC 9990 policy_published):
     * its valid tags before any default or fallback was applied. */
    struct {
        int found;            /* a policy record was used */
        int p, sp, np;        /* enum authscore_dmarc_policy; UNSET when
                                 absent or invalid */
        int psd;              /* enum as_dmarc_psd: 0 u, 1 y, 2 n */
        int testing;          /* t=y */
        int pct;              /* pct= (100 when absent) */
    } published;
} as_dmarc_result;

typedef struct as_dmarc as_dmarc;

/* Start DMARC for a message.  `mfrom_domain` is the domain of the SPF
 * MAIL FROM identity as SPF checked it (RFC 7208 2.4: for a null
 * reverse-path that is the HELO domain); NULL or "" when there is none.
 * `dkim_domains` are the d= of the signatures that will be verified
 * (duplicates allowed).  Every string is copied.  Asks _dmarc.<author>
 * (and, by default, every other tree-walk name at once), the author
 * domain's A/AAAA/MX (RFC 9989 3.2.13, for np) and the walks of the
 * identifier domains.  A message without a usable author domain gets its
 * (permerror) result here and asks nothing.  Returns 0 or
 * AUTHSCORE_ENOMEM; a question over the cap makes the result temperror
 * (reason "limit"), as does a fault after the start ("no_memory"). */
int as_dmarc_start(as_arena *a, as_qtab *q, const as_dmarc_config *cfg,
                   const as_message *msg, const char *mfrom_domain,
                   const char *const *dkim_domains, size_t n_dkim,
                   as_dmarc **out);
int as_dmarc_done(const as_dmarc *d);
/* Alignment and policy, once the table has no unanswered questions. */
void as_dmarc_evaluate(as_dmarc *d, const as_dmarc_auth *spf,
                       const as_dmarc_auth *dkim, size_t n_dkim);
const as_dmarc_result *as_dmarc_get_result(const as_dmarc *d);

/* Author domain of a message (RFC 9989 5.3.1, RFC 7489 6.6.1): exactly
 * one From field whose mailboxes all carry the same domain.  Returns the
 * domain (lowercase, owned by msg/arena) or NULL with *reason one of
 * "no_from", "multiple_from", "from_unparseable", "no_from_mailbox",
 * "from_without_domain", "multiple_from_domains", "from_domain_invalid". */
const char *as_dmarc_author_domain(as_arena *a, const as_message *msg,
                                   const char **reason);

/* Deterministic pct sampling (RFC 7489 6.6.4): 1 when the message is
 * inside `pct` percent.  Hash of seed, author domain and Message-ID. */
int as_dmarc_pct_selected(uint32_t seed, const char *domain,
                          const char *msgid, size_t msgid_len, int pct);

#endif
