/* fixtures.h - build as_results by hand (no DNS) for the score tests. */
#ifndef AS_TEST_SCORE_FIXTURES_H
#define AS_TEST_SCORE_FIXTURES_H

#include <string.h>

#include <authscore.h>
#include "score/results.h"

#define FX_MAX_SIGS 128

typedef struct fx {
    as_spf_result spf[2];
    as_dkim_sig_result sig[FX_MAX_SIGS];
    const as_dkim_sig_result *sigp[FX_MAX_SIGS];
    as_dmarc_result dmarc;
    as_results r;
} fx;

/* An empty result set: nothing evaluated, one From with one mailbox. */
static inline void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    f->r.dkim = f->sigp;
    f->r.from_fields = 1;
    f->r.from_mailboxes = 1;
}

static inline as_spf_result *fx_spf(fx *f, int id, int result, const char *identity,
                                    const char *domain, int dnssec)
{
    as_spf_result *s = &f->spf[id];
    s->result = result;
    s->identity = identity;
    s->domain = domain;
    s->dnssec = dnssec;
    f->r.spf[id] = s;
    return s;
}

static inline as_dkim_sig_result *fx_sig(fx *f, int result, const char *d, const char *s,
                                         const char *a, const char *reason)
{
    f->r.dkim_evaluated = 1;
    size_t i = f->r.n_dkim++;
    as_dkim_sig_result *g = &f->sig[i];
    g->result = result;
    g->d = d;
    g->s = s;
    g->a = a;
    g->reason = reason;
    g->l = -1;
    f->sigp[i] = g;
    return g;
}

static inline as_dmarc_result *fx_dmarc(fx *f, int result, const char *from, int policy,
                                        int disposition, const char *reason)
{
    as_dmarc_result *d = &f->dmarc;
    d->result = result;
    d->from_domain = from;
    d->policy = policy;
    d->policy_tag = policy ? "p" : NULL;
    d->disposition = disposition;
    d->reason = reason;
    d->pct = 100;
    f->r.dmarc = d;
    return d;
}

#endif
