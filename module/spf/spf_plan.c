/* spf_plan.c - the prefetch planner: asks now what evaluation will need. */
#include "spf/spf_internal.h"

#include <string.h>

/* A frame of the planner's own walk: it never touches the real stack. */
typedef struct wframe {
    const char *domain;
    const as_spf_record *rec;
    unsigned next;
    int top;      /* the real top-level record (its exp= is prefetched) */
    int exp_done;
} wframe;

/* Ask the questions one term needs; descend into an include whose record
 * is known.  Returns 1 if a frame was pushed onto ws. */
static int prefetch_term(as_spf *s, const wframe *w, const as_spf_term *t,
                         wframe *ws, unsigned *nw)
{
    const char *tg;
    int r = as_spf_expand_target(s, t->spec, t->macro_flags, w->domain, &tg);
    if (r <= 0)
        return 0;
    switch (t->mech) {
    case AS_SPF_INCLUDE: {
        qent *e = as_spf_ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
        if (!e || e->state != Q_DONE || as_spf_is_error_answer(&e->ans))
            return 0;
        as_spf_read_record(s, e);
        if (e->spf_state != 1 || *nw >= AS_SPF_MAX_DEPTH + 1)
            return 0;
        for (unsigned k = 0; k < *nw; k++)
            if (strcmp(ws[k].domain, tg) == 0)
                return 0;
        wframe c = {e->name, &e->rec, 0, 0, 0};
        ws[(*nw)++] = c;
        return 1;
    }
    case AS_SPF_PTR:
        (void)as_spf_ptr_validate(s);
        return 0;
    case AS_SPF_MX: {
        qent *e = as_spf_ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_MX);
        if (e && e->state == Q_DONE && !as_spf_is_error_answer(&e->ans) &&
            as_spf_mx_count(e) <= AS_SPF_MAX_MX_NAMES) {
            qent *targets[AS_SPF_MAX_MX_NAMES];
            unsigned nt;
            (void)as_spf_mx_ask_targets(s, e, targets, &nt);
        }
        return 0;
    }
    case AS_SPF_EXISTS:
        (void)as_spf_ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_A);
        return 0;
    default:
        (void)as_spf_ask(s, tg, zlen(tg), s->addr_qtype);
        return 0;
    }
}

void as_spf_prefetch(as_spf *s)
{
    if (s->done || s->phase)
        return;
    int budget = s->max_lookups - s->lookups;
    /* The walk stack starts as a copy of the real one.  A frame whose
     * record is still pending is skipped: its parents' later terms can be
     * asked meanwhile (speculation never changes the result). */
    wframe ws[AS_SPF_MAX_DEPTH + 2];
    unsigned nw = 0;
    for (unsigned k = 0; k <= s->depth; k++) {
        const frame *f = &s->fr[k];
        if (!f->rec)
            continue;
        wframe w = {f->domain, f->rec, f->next, k == 0, 0};
        if (f->next >= f->rec->nterms)
            w.next = f->redirecting ? f->rec->nterms + 1 : f->rec->nterms;
        else if (k < s->depth || f->started)
            w.next++; /* the include or term being evaluated is counted */
        ws[nw++] = w;
        if (k == s->depth && f->started && f->next < f->rec->nterms)
            (void)prefetch_term(s, &ws[nw - 1], &f->rec->terms[f->next], ws,
                                &nw);
    }
    while (nw > 0 && !s->done) {
        wframe *w = &ws[nw - 1];
        if (w->top && !w->exp_done && w->rec->has_exp &&
            !(w->rec->exp_flags & AS_SPF_MACRO_USES_P)) {
            w->exp_done = 1;
            const char *tg;
            if (as_spf_expand_target(s, w->rec->exp, w->rec->exp_flags,
                                     w->domain, &tg) > 0)
                (void)as_spf_ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
        }
        if (w->next < w->rec->nterms) {
            const as_spf_term *t = &w->rec->terms[w->next++];
            if (t->mech == AS_SPF_ALL) {
                w->next = w->rec->nterms; /* decided here; no redirect */
                nw--;
                continue;
            }
            if (t->mech == AS_SPF_IP4 || t->mech == AS_SPF_IP6)
                continue;
            if (budget <= 0)
                return;
            budget--;
            prefetch_term(s, w, t, ws, &nw);
            continue;
        }
        if (w->rec->has_redirect && w->next == w->rec->nterms) {
            w->next++;
            if (budget <= 0)
                return;
            budget--;
            const char *tg;
            if (as_spf_expand_target(s, w->rec->redirect,
                                     w->rec->redirect_flags, w->domain,
                                     &tg) <= 0) {
                nw--;
                continue;
            }
            qent *e = as_spf_ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
            if (e && e->state == Q_DONE && !as_spf_is_error_answer(&e->ans)) {
                as_spf_read_record(s, e);
                if (e->spf_state == 1) {
                    w->domain = e->name;
                    w->rec = &e->rec;
                    w->next = 0;
                    w->exp_done = 0;
                    continue;
                }
            }
        }
        nw--;
    }
}
