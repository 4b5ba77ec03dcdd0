/* spf_eval.c - check_host() evaluated in order (RFC 7208 4.6); it decides. */
#include "spf/spf_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/names.h"

/* ---- the decision ------------------------------------------------------- */

/* An answer the decision rests on. */
static void use(as_spf *s, const qent *e)
{
    if (e->state == Q_DONE)
        s->dnssec = as_spf_merge_dnssec(s->dnssec, e->ans.dnssec);
}

/* ---- in-order evaluation ------------------------------------------------ */

enum { T_BLOCK = 0, T_NOMATCH, T_MATCH, T_PUSHED, T_FINAL };

/* Ask a question the in-order pass needs now and consume its answer.
 * Returns the entry, or NULL with *st T_BLOCK (still pending) or T_FINAL
 * (allocation failure, or a DNS error that ended the evaluation). */
static qent *need(as_spf *s, const char *name, uint16_t qtype, int *st)
{
    qent *e = as_spf_ask_raw(s, name, zlen(name), qtype);
    if (!e) {
        as_spf_oom(s);
        *st = T_FINAL;
        return NULL;
    }
    if (e->state == Q_PENDING) {
        *st = T_BLOCK;
        return NULL;
    }
    if (e->state == Q_FAILED || as_spf_is_error_answer(&e->ans)) {
        as_spf_dns_error(s, e);
        *st = T_FINAL;
        return NULL;
    }
    use(s, e);
    return e;
}

static int addr_match(as_spf *s, const qent *e, unsigned prefix)
{
    for (size_t k = 0; k < e->ans.count; k++) {
        const as_dns_rr *rr = &e->ans.rr[k];
        if (rr->type == AUTHSCORE_QTYPE_A && !s->ip.v6 &&
            as_spf_ip_match(&s->ip, rr->u.a, 0, prefix))
            return 1;
        if (rr->type == AUTHSCORE_QTYPE_AAAA && s->ip.v6 &&
            as_spf_ip_match(&s->ip, rr->u.aaaa, 1, prefix))
            return 1;
    }
    return 0;
}

static const char *term_text(as_spf *s, const as_spf_term *t)
{
    return as_spf_text(s, t->text.p, t->text.len);
}

static void reset_term(frame *f)
{
    f->started = 0;
    f->target = NULL;
    f->target_state = 0;
}

static int eval_term(as_spf *s, frame *f, const as_spf_term *t)
{
    switch (t->mech) {
    case AS_SPF_ALL:
        return T_MATCH;
    case AS_SPF_IP4:
        return (!s->ip.v6 && as_spf_ip_match(&s->ip, t->addr, 0, t->cidr4))
                   ? T_MATCH : T_NOMATCH;
    case AS_SPF_IP6:
        return (s->ip.v6 && as_spf_ip_match(&s->ip, t->addr, 1, t->cidr6))
                   ? T_MATCH : T_NOMATCH;
    default:
        break;
    }
    /* 4.6.4: include, a, mx, ptr, exists (and redirect) count as lookups;
     * the 11th is a permerror when it is reached. */
    if (!f->started) {
        f->started = 1;
        if (as_spf_count_lookup(s, term_text(s, t)) < 0)
            return T_FINAL;
    }
    if (!f->target_state) {
        const char *tg;
        int r = as_spf_expand_target(s, t->spec, t->macro_flags, f->domain,
                                     &tg);
        if (r == 0)
            return s->done ? T_FINAL : T_BLOCK;
        f->target = tg;
        f->target_state = r;
        if (t->macro_flags & AS_SPF_MACRO_USES_P) /* the name rests on PTRs */
            s->dnssec = as_spf_merge_dnssec(s->dnssec, s->pv.dnssec);
    }
    const char *tg = f->target;
    int valid = f->target_state > 0;

    if (t->mech == AS_SPF_INCLUDE) {
        if (!valid) {
            as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                          as_arena_printf(s->a, "'%s': target '%s' is not "
                                          "a valid domain name",
                                          term_text(s, t),
                                          as_spf_ztext(s, tg)));
            return T_FINAL;
        }
        for (unsigned k = 0; k <= s->depth; k++)
            if (strcmp(s->fr[k].domain, tg) == 0) {
                as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                              as_arena_printf(s->a,
                                              "include loop: '%s' in %s",
                                              term_text(s, t),
                                              as_spf_ztext(s, f->domain)));
                return T_FINAL;
            }
        if (s->depth + 1 > AS_SPF_MAX_DEPTH) {
            as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                          "include nesting too deep");
            return T_FINAL;
        }
        frame *c = &s->fr[++s->depth];
        memset(c, 0, sizeof *c);
        c->domain = tg;
        c->via = VIA_INCLUDE;
        return T_PUSHED;
    }
    if (t->mech == AS_SPF_PTR) {
        if (!as_spf_ptr_validate(s))
            return s->done ? T_FINAL : T_BLOCK;
        if (s->pv.ptr_error)
            return T_NOMATCH; /* 5.5: a PTR lookup error is no match */
        s->dnssec = as_spf_merge_dnssec(s->dnssec, s->pv.dnssec);
        /* 4.6.4 counts terms: only the term's own PTR query can be void */
        if (s->pv.ptr_void && as_spf_count_void(s, term_text(s, t)) < 0)
            return T_FINAL;
        if (!valid)
            return T_NOMATCH;
        for (unsigned k = 0; k < s->pv.nvalid; k++)
            if (as_spf_name_in_domain(s->pv.valid[k], tg))
                return T_MATCH;
        return T_NOMATCH;
    }
    /* a, mx, exists: the first question is on the target itself; when it
     * is void the term counts one void lookup (4.6.4) */
    uint16_t qt = t->mech == AS_SPF_MX ? AUTHSCORE_QTYPE_MX
                  : t->mech == AS_SPF_EXISTS ? AUTHSCORE_QTYPE_A
                                             : s->addr_qtype;
    int st;
    qent *e = need(s, tg, qt, &st);
    if (!e)
        return st;
    if (as_spf_is_void_answer(&e->ans)) {
        if (as_spf_count_void(s, term_text(s, t)) < 0)
            return T_FINAL;
        return T_NOMATCH;
    }
    if (t->mech == AS_SPF_EXISTS)
        return T_MATCH;
    unsigned prefix = s->ip.v6 ? t->cidr6 : t->cidr4;
    if (t->mech == AS_SPF_A)
        return addr_match(s, e, prefix) ? T_MATCH : T_NOMATCH;

    /* mx (5.4): more than 10 MX names is a permerror (4.6.4) */
    if (as_spf_mx_count(e) > AS_SPF_MAX_MX_NAMES) {
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                      as_arena_printf(s->a, "'%s': more than %d MX names "
                                      "(RFC 7208 4.6.4)", term_text(s, t),
                                      AS_SPF_MAX_MX_NAMES));
        return T_FINAL;
    }
    qent *targets[AS_SPF_MAX_MX_NAMES];
    unsigned nt;
    int waiting = as_spf_mx_ask_targets(s, e, targets, &nt);
    if (waiting < 0) {
        as_spf_oom(s);
        return T_FINAL;
    }
    if (waiting)
        return T_BLOCK;
    /* Every name is looked up before matching, in order.  A name without
     * addresses is skipped like a PTR name (5.5): it is not the term's own
     * query, so it is no void lookup (4.6.4 counts terms). */
    int match = 0;
    for (unsigned k = 0; k < nt; k++) {
        qent *x = targets[k];
        if (!x)
            continue;
        if (x->state == Q_FAILED || as_spf_is_error_answer(&x->ans)) {
            as_spf_dns_error(s, x);
            return T_FINAL;
        }
        use(s, x);
        if (addr_match(s, x, prefix))
            match = 1;
    }
    return match ? T_MATCH : T_NOMATCH;
}

/* The TXT record of the frame's domain arrived (or not): select it. */
static int load_record(as_spf *s, frame *f)
{
    int st;
    qent *e = need(s, f->domain, AUTHSCORE_QTYPE_TXT, &st);
    if (!e)
        return st;
    const char *via = f->via == VIA_INCLUDE ? "included" : "redirect target";
    if (f->via != VIA_TOP && as_spf_is_void_answer(&e->ans) &&
        as_spf_count_void(s, as_spf_ztext(s, f->domain)) < 0)
        return T_FINAL;
    as_spf_read_record(s, e);
    if (s->done)
        return T_FINAL;
    switch (e->spf_state) {
    case 1:
        f->rec = &e->rec;
        f->next = 0;
        reset_term(f);
        f->redirecting = 0;
        return T_NOMATCH;
    case 2:
        if (f->via == VIA_TOP) {
            as_spf_finish(s, AUTHSCORE_RES_NONE,
                          as_arena_printf(s->a, "no SPF record at %s",
                                          as_spf_ztext(s, f->domain)));
        } else {
            as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                          as_arena_printf(s->a, "%s domain %s has no SPF "
                                          "record", via,
                                          as_spf_ztext(s, f->domain)));
        }
        return T_FINAL;
    case 3:
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                      as_arena_printf(s->a, "more than one SPF record at %s "
                                      "(RFC 7208 4.5)",
                                      as_spf_ztext(s, f->domain)));
        return T_FINAL;
    default:
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                      as_arena_printf(s->a, "syntax error in SPF record of %s: "
                                      "'%s': %s", as_spf_ztext(s, f->domain),
                                      as_spf_text(s, e->perr.term.p,
                                                  e->perr.term.len),
                                      e->perr.why ? e->perr.why : "invalid"));
        return T_FINAL;
    }
}

/* The top-level record decided `result` by term t (NULL: default). */
static void decide_top(as_spf *s, int result, const as_spf_term *t)
{
    frame *f = &s->fr[0];
    s->final_result = result;
    s->final_term = t;
    if (t) {
        s->r.mechanism = as_arena_strndup(s->a, t->text.p, t->text.len);
        if (!s->r.mechanism) {
            as_spf_oom(s);
            return;
        }
    }
    if (result == AUTHSCORE_RES_FAIL && t && f->rec && f->rec->has_exp) {
        s->phase = 1; /* fetch the explanation (6.2) first */
        return;
    }
    const char *word = as_result_word(result); /* a qualifier's: never NULL */
    as_spf_finish(s, result,
                  t ? as_arena_printf(s->a, "%s: '%s' matched in %s",
                                      word ? word : "?", term_text(s, t),
                                      as_spf_ztext(s, f->domain))
                    : as_arena_printf(s->a, "neutral: no mechanism matched "
                                      "in %s (default result)",
                                      as_spf_ztext(s, f->domain)));
}

/* 6.2: the explanation.  Any problem means no explanation, never a
 * different result. */
static void explain(as_spf *s)
{
    frame *f = &s->fr[0];
    const as_spf_record *rec = f->rec;
    const char *why = NULL;
    const char *name;
    int r = as_spf_expand_target(s, rec->exp, rec->exp_flags, f->domain, &name);
    if (r == 0)
        return;
    if (r > 0) {
        qent *e = as_spf_ask(s, name, zlen(name), AUTHSCORE_QTYPE_TXT);
        if (!e) {
            as_spf_oom(s);
            return;
        }
        if (e->state == Q_PENDING)
            return;
        if (e->state != Q_DONE || as_spf_is_error_answer(&e->ans) ||
            e->ans.count != 1 || e->ans.rr[0].type != AUTHSCORE_QTYPE_TXT) {
            why = "exp= lookup gave no single TXT record";
        } else {
            const as_dns_rr *rr = &e->ans.rr[0];
            unsigned fl;
            size_t off;
            const char *w;
            if (as_spf_macro_check(rr->u.txt.p, rr->u.txt.len,
                                   AS_SPF_MACRO_EXPLAIN, &fl, &w, &off) < 0) {
                why = "exp= text is not a valid explain-string";
            } else {
                const char *p = NULL;
                if (fl & AS_SPF_MACRO_USES_P) {
                    if (!as_spf_ptr_validate(s))
                        return;
                    p = as_spf_p_value(s, f->domain);
                }
                as_spf_macro_vars v = as_spf_vars_for(s, f->domain, p);
                int n = as_spf_macro_expand(rr->u.txt.p, rr->u.txt.len,
                                            AS_SPF_MACRO_EXPLAIN, &v, s->work,
                                            sizeof s->work);
                if (n >= 0) {
                    s->r.explanation = as_arena_strndup(s->a, s->work,
                                                        (size_t)n);
                    if (!s->r.explanation) {
                        as_spf_oom(s);
                        return;
                    }
                }
            }
        }
    } else {
        why = "exp= target is not a valid domain name";
    }
    const as_spf_term *t = s->final_term;
    as_spf_finish(s, s->final_result,
                  as_arena_printf(s->a, "fail: '%s' matched in %s%s%s",
                                  term_text(s, t), as_spf_ztext(s, f->domain),
                                  why ? "; " : "", why ? why : ""));
}

/* A frame finished with `result` (t: the matching term or NULL). */
static void frame_done(as_spf *s, int result, const as_spf_term *t)
{
    while (!s->done) {
        if (s->depth == 0) {
            decide_top(s, result, t);
            return;
        }
        s->depth--;
        frame *p = &s->fr[s->depth];
        const as_spf_term *inc = &p->rec->terms[p->next];
        /* 5.2: include matches only on pass; temperror and permerror
         * were final already; none is a permerror */
        if (result == AUTHSCORE_RES_PASS) {
            result = inc->qual;
            t = inc;
            continue;
        }
        p->next++;
        reset_term(p);
        return;
    }
}

static void run(as_spf *s)
{
    while (!s->done) {
        if (s->phase == 1) {
            explain(s);
            return;
        }
        frame *f = &s->fr[s->depth];
        if (!f->rec) {
            int r = load_record(s, f);
            if (r == T_BLOCK || r == T_FINAL)
                return;
            continue;
        }
        if (f->next < f->rec->nterms) {
            const as_spf_term *t = &f->rec->terms[f->next];
            int r = eval_term(s, f, t);
            switch (r) {
            case T_BLOCK:
            case T_FINAL:
                return;
            case T_PUSHED:
                continue;
            case T_MATCH:
                frame_done(s, t->qual, t);
                continue;
            default:
                f->next++;
                reset_term(f);
                continue;
            }
        }
        if (f->rec->has_redirect) {
            /* 6.1: redirect counts as a lookup and replaces the record */
            if (!f->redirecting) {
                f->redirecting = 1;
                const char *what = as_spf_text(s, f->rec->redirect_text.p,
                                               f->rec->redirect_text.len);
                if (as_spf_count_lookup(s, what) < 0)
                    return;
            }
            const char *tg;
            int r = as_spf_expand_target(s, f->rec->redirect,
                                         f->rec->redirect_flags, f->domain,
                                         &tg);
            if (r == 0)
                return;
            if (r < 0) {
                as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                              as_arena_printf(s->a, "redirect target '%s' is "
                                              "not a valid domain name",
                                              as_spf_ztext(s, tg)));
                return;
            }
            if (f->rec->redirect_flags & AS_SPF_MACRO_USES_P)
                s->dnssec = as_spf_merge_dnssec(s->dnssec, s->pv.dnssec);
            f->domain = tg;
            f->rec = NULL;
            f->via = VIA_REDIRECT;
            f->redirecting = 0;
            continue;
        }
        frame_done(s, AUTHSCORE_RES_NEUTRAL, NULL);
    }
}

void as_spf_advance(as_spf *s)
{
    if (s->running)
        return;
    s->running = 1;
    run(s);
    if (!s->no_prefetch && s->walk_dirty) {
        s->walk_dirty = 0;
        as_spf_prefetch(s);
    }
    s->running = 0;
    s->r.rounds = s->rounds;
    s->r.queries = s->nq;
}

/* ---- public entry points ------------------------------------------------ */

/* They live here: starting is setting up frame 0 and running it, and the
 * result is what run() wrote; the other two parts only serve run(). */

static int valid_initial_domain(const char *d, size_t len, char *norm)
{
    /* 4.3: a malformed or single-label domain gives "none" */
    int n = as_dns_name_normalize(d, len, norm);
    if (n < 0)
        return -1;
    int dot = 0;
    for (int k = 0; k < n; k++) {
        char c = norm[k];
        if (c == '.')
            dot = 1;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_'))
            return -1;
    }
    return dot ? n : -1;
}

static size_t cstrlen_capped(const char *z, size_t cap)
{
    size_t n = 0;
    while (n < cap && z[n])
        n++;
    return n;
}

#define REQ_STR_MAX 1024u /* longest caller string kept (SMTP lines are
                             shorter) */

int as_spf_start(as_arena *a, as_qtab *q, const as_spf_request *req,
                 as_spf **out)
{
    as_spf *s = as_arena_calloc(a, 1, sizeof *s);
    *out = s;
    if (!s)
        return AUTHSCORE_ENOMEM;
    s->a = a;
    s->q = q;
    s->advance = as_spf_advance;
    s->dnssec = -1;
    s->no_prefetch = req->no_prefetch;
    s->r.result = AUTHSCORE_RES_NOT_EVALUATED;
    s->max_lookups = req->limits.max_lookups > 0 &&
                             req->limits.max_lookups < AS_SPF_MAX_LOOKUPS
                         ? req->limits.max_lookups : AS_SPF_MAX_LOOKUPS;
    s->max_void = req->limits.max_void_lookups > 0 &&
                          req->limits.max_void_lookups < AS_SPF_MAX_VOID_LOOKUPS
                      ? req->limits.max_void_lookups : AS_SPF_MAX_VOID_LOOKUPS;

    const char *dom = req->domain ? req->domain : "";
    size_t dlen = cstrlen_capped(dom, REQ_STR_MAX);
    s->r.domain = as_arena_strndup(a, dom, dlen);
    const char *snd = req->sender ? req->sender : "";
    size_t slen = cstrlen_capped(snd, REQ_STR_MAX);
    /* 4.3: no local-part means "postmaster" */
    size_t at = slen;
    while (at > 0 && snd[at - 1] != '@')
        at--;
    const char *lp = "postmaster";
    size_t lplen = 10;
    const char *od = snd;
    size_t olen = slen;
    if (at > 0) {
        od = snd + at;
        olen = slen - at;
        if (at > 1) {
            lp = snd;
            lplen = at - 1;
        }
    }
    /* <sender> with the local-part filled in: local "@" domain */
    char *sfull = as_arena_alloc(a, lplen + olen + 2);
    if (sfull) {
        memcpy(sfull, lp, lplen);
        sfull[lplen] = '@';
        memcpy(sfull + lplen + 1, od, olen);
        sfull[lplen + 1 + olen] = '\0';
    }
    const char *h = req->helo ? req->helo : "unknown";
    const char *rcv = req->receiver ? req->receiver : "unknown";
    char *hc = as_arena_strndup(a, h, cstrlen_capped(h, REQ_STR_MAX));
    char *rc = as_arena_strndup(a, rcv, cstrlen_capped(rcv, REQ_STR_MAX));
    char *lc = as_arena_strndup(a, lp, lplen);
    char *oc = as_arena_strndup(a, od, olen);
    if (!s->r.domain || !sfull || !hc || !rc || !lc || !oc)
        return AUTHSCORE_ENOMEM;
    s->r.identity = sfull;
    s->m_s = as_span_make(sfull, zlen(sfull));
    s->m_l = as_span_make(lc, lplen);
    s->m_o = as_span_make(oc, olen);
    s->m_h = as_span_make(hc, zlen(hc));
    s->m_r = as_span_make(rc, zlen(rc));
    snprintf(s->tbuf, sizeof s->tbuf, "%lld", (long long)req->now);

    const char *ipt = req->client_ip ? req->client_ip : "";
    if (as_spf_ip_parse(ipt, cstrlen_capped(ipt, 64), &s->ip) < 0) {
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR, "invalid client IP address");
        return 0;
    }
    s->addr_qtype = s->ip.v6 ? AUTHSCORE_QTYPE_AAAA : AUTHSCORE_QTYPE_A;
    as_spf_ip_format(&s->ip, s->ip_c);
    as_spf_ip_nibbles(&s->ip, s->ip_i);
    as_spf_ip_reverse_name(&s->ip, s->rev);

    char norm[AS_DNS_MAX_NAME + 1];
    int n = valid_initial_domain(dom, dlen, norm);
    if (n < 0) {
        as_spf_finish(s, AUTHSCORE_RES_NONE,
                      as_arena_printf(a, "'%s' is not a valid multi-label "
                                      "domain (RFC 7208 4.3)",
                                      as_spf_text(s, dom, dlen)));
        return 0;
    }
    s->fr[0].domain = as_arena_strndup(a, norm, (size_t)n);
    if (!s->fr[0].domain)
        return AUTHSCORE_ENOMEM;
    s->fr[0].via = VIA_TOP;
    s->walk_dirty = 1;
    as_spf_advance(s);
    return 0;
}

int as_spf_done(const as_spf *s) { return s->done; }

const as_spf_result *as_spf_get_result(const as_spf *s) { return &s->r; }
