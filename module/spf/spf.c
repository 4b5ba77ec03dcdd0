/* spf.c - RFC 7208 check_host() as a sans-I/O state machine.
 *
 * Two walkers share one table of DNS questions:
 *  - run() is the in-order evaluation of RFC 7208 section 4.6: it alone
 *    counts lookups and void lookups, consumes answers and decides;
 *  - prefetch() walks ahead along the same path (the terms in-order
 *    evaluation would reach if nothing matched, descending into includes
 *    and redirects whose records are already known), up to the remaining
 *    lookup budget, and asks their questions at once.  It never counts or
 *    decides, so an answer it asked for but run() never reaches cannot
 *    change the result.
 * Include nesting uses an explicit frame stack (no recursion). */
#include "spf/spf.h"

#include <stdio.h>
#include <string.h>

#include "util/span.h"
#include "spf/spf_ip.h"
#include "spf/spf_macro.h"
#include "spf/spf_record.h"

enum { Q_PENDING = 0, Q_DONE, Q_INVALID, Q_FAILED };

typedef struct qent {
    const char *name;        /* normalized, arena */
    uint16_t qtype;
    unsigned char state;
    as_dns_answer ans;
    /* TXT answers read as SPF records, parsed once */
    unsigned char spf_state; /* 0 unparsed, 1 ok, 2 none, 3 many, 4 error */
    as_spf_record rec;
    as_spf_parse_error perr;
} qent;

enum { VIA_TOP = 0, VIA_INCLUDE, VIA_REDIRECT };

typedef struct frame {
    const char *domain;      /* normalized <domain> of this record */
    const as_spf_record *rec;
    int via;
    unsigned next;           /* term being evaluated */
    int started;             /* that term was counted as a lookup */
    const char *target;      /* its expanded target, once known */
    int target_state;        /* 0 not yet, 1 valid, -1 invalid name */
    int redirecting;         /* the redirect= was counted */
} frame;

typedef struct ptrval {      /* validated names of the client (5.5) */
    int state;               /* 0 not done, 1 done */
    int ptr_error;           /* the PTR lookup itself failed */
    unsigned voids;          /* void answers among its queries */
    unsigned nvalid;
    const char *valid[AS_SPF_MAX_PTR_NAMES];
    int dnssec;              /* merged state of its answers */
} ptrval;

struct as_spf {
    as_arena *a;
    as_qtab *q;
    as_spf_result r;
    int done;
    int phase;               /* 0 evaluating, 1 explanation */
    int final_result;
    const as_spf_term *final_term;

    as_spf_ip ip;
    uint16_t addr_qtype;     /* A or AAAA for the client's family */
    char ip_c[AS_SPF_IP_TEXT_MAX], ip_i[AS_SPF_IP_TEXT_MAX];
    char rev[AS_SPF_IP_TEXT_MAX + 16];
    char tbuf[24];
    as_span m_s, m_l, m_o, m_h, m_r;

    int max_lookups, max_void;
    int lookups, voids;
    int dnssec;              /* -1: no answer used yet */

    frame fr[AS_SPF_MAX_DEPTH + 1];
    unsigned depth;

    ptrval pv;
    qent **qs;               /* entries never move: pointers stay valid */
    unsigned nq, capq;
    unsigned rounds;
    int running;
    int no_prefetch;
    int walk_dirty;          /* an answer may have revealed new questions */
    int ptr_asked;
    char work[AS_SPF_MACRO_WINDOW + AS_SPF_MAX_EXPLANATION + 8];
};

static void on_answer(void *engine, uintptr_t cookie, const as_dns_answer *ans);
static void advance(as_spf *s);

/* ---- small helpers ------------------------------------------------------ */

static const char *pr(as_spf *s, const char *p, size_t len)
{
    char buf[96 + 8];
    as_spf_printable(p, len, buf, 96);
    const char *c = as_arena_strdup(s->a, buf);
    return c ? c : "?";
}

/* Length of a NUL-terminated name or text from our own layers (arena
 * copies, DNS names of at most 253 bytes), bounded all the same. */
static size_t zlen(const char *z)
{
    return strnlen(z, 4096);
}

static const char *prs(as_spf *s, const char *z)
{
    return pr(s, z, zlen(z));
}

static int is_error_answer(const as_dns_answer *ans)
{
    return ans->status == AUTHSCORE_DNS_TIMEOUT ||
           ans->status == AUTHSCORE_DNS_SERVFAIL ||
           ans->dnssec == AUTHSCORE_DNSSEC_BOGUS ||
           (ans->status != AUTHSCORE_DNS_OK &&
            ans->status != AUTHSCORE_DNS_NODATA &&
            ans->status != AUTHSCORE_DNS_NXDOMAIN);
}

static int is_void_answer(const as_dns_answer *ans)
{
    return ans->status == AUTHSCORE_DNS_NXDOMAIN ||
           ans->status == AUTHSCORE_DNS_NODATA || ans->count == 0;
}

static int merge_dnssec(int acc, int x)
{
    if (x < 0) /* nothing validated behind it: an unproven input */
        x = AUTHSCORE_DNSSEC_INDETERMINATE;
    if (acc < 0)
        return x;
    if (acc == AUTHSCORE_DNSSEC_SECURE && x == AUTHSCORE_DNSSEC_SECURE)
        return AUTHSCORE_DNSSEC_SECURE;
    if (acc == AUTHSCORE_DNSSEC_INSECURE || x == AUTHSCORE_DNSSEC_INSECURE ||
        acc == AUTHSCORE_DNSSEC_SECURE || x == AUTHSCORE_DNSSEC_SECURE)
        return AUTHSCORE_DNSSEC_INSECURE;
    return AUTHSCORE_DNSSEC_INDETERMINATE;
}

/* An answer the decision rests on. */
static void use(as_spf *s, const qent *e)
{
    if (e->state == Q_DONE)
        s->dnssec = merge_dnssec(s->dnssec, e->ans.dnssec);
}

static void finish(as_spf *s, int result, const char *reason)
{
    if (s->done)
        return;
    s->done = 1;
    s->r.result = result;
    s->r.reason = reason ? reason : "";
    s->r.lookups = s->lookups;
    s->r.void_lookups = s->voids;
    s->r.dnssec = s->dnssec < 0 ? AUTHSCORE_DNSSEC_INDETERMINATE : s->dnssec;
    s->r.rounds = s->rounds;
    s->r.queries = s->nq;
}

static void oom(as_spf *s)
{
    finish(s, AUTHSCORE_RES_TEMPERROR, "out of memory");
}

static void dns_error(as_spf *s, const qent *e)
{
    if (e->state == Q_FAILED) {
        finish(s, AUTHSCORE_RES_TEMPERROR,
               as_arena_printf(s->a, "could not ask %s %s (question cap)",
                               as_dns_qtype_name(e->qtype), prs(s, e->name)));
        return;
    }
    if (e->ans.dnssec == AUTHSCORE_DNSSEC_BOGUS) {
        s->dnssec = AUTHSCORE_DNSSEC_BOGUS;
        finish(s, AUTHSCORE_RES_TEMPERROR,
               as_arena_printf(s->a, "DNSSEC bogus answer for %s %s%s%s",
                               as_dns_qtype_name(e->qtype), prs(s, e->name),
                               e->ans.why_bogus ? ": " : "",
                               e->ans.why_bogus ? prs(s, e->ans.why_bogus)
                                                : ""));
        s->r.dnssec = AUTHSCORE_DNSSEC_BOGUS;
        return;
    }
    finish(s, AUTHSCORE_RES_TEMPERROR,
           as_arena_printf(s->a, "DNS %s for %s %s",
                           as_dns_status_name(e->ans.status),
                           as_dns_qtype_name(e->qtype), prs(s, e->name)));
}

/* Count one void lookup (4.6.4); returns -1 (and finishes) past the limit. */
static int count_void(as_spf *s, const char *what)
{
    if (++s->voids > s->max_void) {
        s->r.limit_hit = AS_SPF_LIMIT_VOID;
        finish(s, AUTHSCORE_RES_PERMERROR,
               as_arena_printf(s->a, "more than %d void lookups (RFC 7208 "
                               "4.6.4), the last at %s",
                               s->max_void, what));
        return -1;
    }
    return 0;
}

/* 4.6.4: one more DNS-mechanism lookup; past the limit a permerror. */
static int count_lookup(as_spf *s, const char *what)
{
    if (++s->lookups > s->max_lookups) {
        s->r.limit_hit = AS_SPF_LIMIT_LOOKUPS;
        finish(s, AUTHSCORE_RES_PERMERROR,
               as_arena_printf(s->a, "more than %d DNS-mechanism lookups "
                               "(RFC 7208 4.6.4) at '%s'",
                               s->max_lookups, what));
        return -1;
    }
    return 0;
}

/* ---- the question table ------------------------------------------------- */

/* Find or ask (name, qtype); name is normalized already (or, with
 * invalid set, a name that cannot exist: never asked, it reads as
 * NXDOMAIN).  Returns the entry (maybe still pending) or NULL when out of
 * memory or past AS_SPF_MAX_QUESTIONS. */
static qent *ask_q(as_spf *s, const char *name, size_t len, uint16_t qtype,
                   int invalid)
{
    for (unsigned k = 0; k < s->nq; k++) {
        qent *e = s->qs[k];
        if (e->qtype == qtype && (e->state == Q_INVALID) == !!invalid &&
            zlen(e->name) == len && memcmp(e->name, name, len) == 0)
            return e;
    }
    if (s->nq == s->capq) {
        if (s->capq >= AS_SPF_MAX_QUESTIONS)
            return NULL;
        unsigned nc = s->capq ? s->capq * 2 : 16;
        if (nc > AS_SPF_MAX_QUESTIONS)
            nc = AS_SPF_MAX_QUESTIONS;
        qent **n = as_arena_calloc(s->a, nc, sizeof *n);
        if (!n)
            return NULL;
        if (s->nq)
            memcpy(n, s->qs, s->nq * sizeof *n);
        s->qs = n;
        s->capq = nc;
    }
    qent *e = as_arena_calloc(s->a, 1, sizeof *e);
    if (!e)
        return NULL;
    e->name = as_arena_strndup(s->a, name, len);
    if (!e->name)
        return NULL;
    e->qtype = qtype;
    unsigned idx = s->nq;
    s->qs[s->nq++] = e;
    if (invalid) {
        e->state = Q_INVALID;
        e->ans = as_dns_answer_status(AUTHSCORE_DNS_NXDOMAIN,
                                      AUTHSCORE_DNSSEC_INDETERMINATE);
        return e;
    }
    int rc = as_qtab_ask(s->q, name, len, qtype, on_answer, s, idx);
    if (rc == AUTHSCORE_EINVAL) {
        e->state = Q_INVALID;
        e->ans = as_dns_answer_status(AUTHSCORE_DNS_NXDOMAIN,
                                      AUTHSCORE_DNSSEC_INDETERMINATE);
    } else if (rc < 0) {
        e->state = Q_FAILED;
        e->ans = as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL,
                                      AUTHSCORE_DNSSEC_INDETERMINATE);
    } else {
        unsigned d = as_qtab_current_depth(s->q) + 1;
        if (d > s->rounds)
            s->rounds = d;
    }
    return e;
}

static qent *ask(as_spf *s, const char *name, size_t len, uint16_t qtype)
{
    return ask_q(s, name, len, qtype, 0);
}

/* ask() for a name that may be invalid (from an expansion or a record). */
static qent *ask_raw(as_spf *s, const char *name, size_t len, uint16_t qtype)
{
    char norm[AS_DNS_MAX_NAME + 1];
    int n = as_dns_name_normalize(name, len, norm);
    if (n < 0)
        return ask_q(s, name, len > AS_DNS_MAX_NAME ? AS_DNS_MAX_NAME : len,
                     qtype, 1);
    return ask_q(s, norm, (size_t)n, qtype, 0);
}

static void on_answer(void *engine, uintptr_t cookie, const as_dns_answer *ans)
{
    as_spf *s = engine;
    if (cookie >= s->nq)
        return;
    qent *e = s->qs[cookie];
    if (e->state != Q_PENDING)
        return;
    e->ans = *ans;
    e->state = Q_DONE;
    /* Only records, MX and PTR answers (and the address answers that
     * validate PTR names, for %{p}) can show the walk new questions. */
    if (e->qtype == AUTHSCORE_QTYPE_TXT || e->qtype == AUTHSCORE_QTYPE_MX ||
        e->qtype == AUTHSCORE_QTYPE_PTR || (s->ptr_asked && !s->pv.state))
        s->walk_dirty = 1;
    if (!s->done)
        advance(s);
}

/* ---- SPF records out of TXT answers (4.5) ------------------------------- */

/* Select and parse the SPF record of a TXT entry (done once). */
static void read_record(as_spf *s, qent *e)
{
    if (e->spf_state)
        return;
    const as_dns_rr *found = NULL;
    unsigned n = 0;
    for (size_t k = 0; k < e->ans.count; k++) {
        const as_dns_rr *rr = &e->ans.rr[k];
        if (rr->type == AUTHSCORE_QTYPE_TXT &&
            as_spf_record_is_spf(rr->u.txt.p, rr->u.txt.len)) {
            found = rr;
            n++;
        }
    }
    if (n == 0) {
        e->spf_state = 2;
        return;
    }
    if (n > 1) {
        e->spf_state = 3;
        return;
    }
    int rc = as_spf_record_parse(s->a, found->u.txt.p, found->u.txt.len,
                                 &e->rec, &e->perr);
    if (rc == AUTHSCORE_ENOMEM) {
        oom(s);
        e->spf_state = 4;
        e->perr.why = "out of memory";
        return;
    }
    e->spf_state = rc == 0 ? 1 : 4;
}

/* ---- macro context ------------------------------------------------------ */

static as_spf_macro_vars vars_for(as_spf *s, const char *d, const char *p)
{
    as_spf_macro_vars v;
    v.s = s->m_s;
    v.l = s->m_l;
    v.o = s->m_o;
    v.d = as_span_make(d, zlen(d));
    v.i = as_span_make(s->ip_i, strnlen(s->ip_i, sizeof s->ip_i));
    v.p = p ? as_span_make(p, zlen(p)) : as_span_make("unknown", 7);
    v.v = s->ip.v6 ? as_span_make("ip6", 3) : as_span_make("in-addr", 7);
    v.h = s->m_h;
    v.c = as_span_make(s->ip_c, strnlen(s->ip_c, sizeof s->ip_c));
    v.r = s->m_r;
    v.t = as_span_make(s->tbuf, strnlen(s->tbuf, sizeof s->tbuf));
    return v;
}

/* The validated domain names of the client (5.5 steps 1-3), computed once
 * from questions shared by ptr and %{p}.  Returns 1 when known, 0 while
 * waiting (its questions are asked).  Errors never stop it: a failed PTR
 * lookup gives no names, a failed address lookup skips that name (5.5). */
static int ptr_validate(as_spf *s)
{
    if (s->pv.state)
        return 1;
    qent *pe = ask(s, s->rev, strnlen(s->rev, sizeof s->rev), AUTHSCORE_QTYPE_PTR);
    s->ptr_asked = 1;
    if (!pe) {
        oom(s);
        return 0;
    }
    if (pe->state == Q_PENDING)
        return 0;
    ptrval pv;
    memset(&pv, 0, sizeof pv);
    pv.dnssec = -1;
    if (pe->state != Q_DONE || is_error_answer(&pe->ans)) {
        pv.ptr_error = 1;
        pv.state = 1;
        s->pv = pv;
        return 1;
    }
    pv.dnssec = merge_dnssec(pv.dnssec, pe->ans.dnssec);
    if (is_void_answer(&pe->ans))
        pv.voids++;
    /* 4.6.4: at most 10 PTR names are looked up, the rest ignored */
    qent *ae[AS_SPF_MAX_PTR_NAMES];
    unsigned na = 0, waiting = 0;
    for (size_t k = 0; k < pe->ans.count && na < AS_SPF_MAX_PTR_NAMES; k++) {
        const as_dns_rr *rr = &pe->ans.rr[k];
        if (rr->type != AUTHSCORE_QTYPE_PTR || !rr->u.ptr.name)
            continue;
        qent *x = ask_raw(s, rr->u.ptr.name, zlen(rr->u.ptr.name),
                          s->addr_qtype);
        if (!x) {
            oom(s);
            return 0;
        }
        ae[na++] = x;
        waiting += x->state == Q_PENDING;
    }
    if (waiting)
        return 0;
    for (unsigned k = 0; k < na; k++) {
        qent *x = ae[k];
        if (x->state == Q_FAILED || is_error_answer(&x->ans))
            continue;
        if (is_void_answer(&x->ans)) {
            pv.voids++;
            continue;
        }
        pv.dnssec = merge_dnssec(pv.dnssec, x->ans.dnssec);
        for (size_t j = 0; j < x->ans.count; j++) {
            const as_dns_rr *rr = &x->ans.rr[j];
            const unsigned char *ad = rr->type == AUTHSCORE_QTYPE_A ? rr->u.a
                                                                    : rr->u.aaaa;
            if (rr->type == s->addr_qtype &&
                as_spf_ip_match(&s->ip, ad, s->ip.v6, 128)) {
                pv.valid[pv.nvalid++] = x->name;
                break;
            }
        }
    }
    pv.state = 1;
    s->pv = pv;
    return 1;
}

static int name_in_domain(const char *n, const char *d)
{
    size_t ln = zlen(n), ld = zlen(d);
    if (ln == ld)
        return memcmp(n, d, ln) == 0;
    return ln > ld && n[ln - ld - 1] == '.' && memcmp(n + ln - ld, d, ld) == 0;
}

/* %{p} (7.3): a validated name equal to <domain>, else one inside it, else
 * any validated name, else "unknown". */
static const char *p_value(as_spf *s, const char *d)
{
    for (unsigned k = 0; k < s->pv.nvalid; k++)
        if (strcmp(s->pv.valid[k], d) == 0)
            return d;
    for (unsigned k = 0; k < s->pv.nvalid; k++)
        if (name_in_domain(s->pv.valid[k], d))
            return s->pv.valid[k];
    return s->pv.nvalid ? s->pv.valid[0] : "unknown";
}

/* Expand a domain-spec (empty: <domain> d) into a normalized name.
 * Returns 1 with *out set (arena), -1 for a name that cannot exist (with
 * *out set to the raw text), 0 while %{p} is being resolved. */
static int expand_target(as_spf *s, as_span spec, unsigned flags,
                         const char *d, const char **out)
{
    if (spec.len == 0) {
        *out = d;
        return 1;
    }
    const char *p = NULL;
    if (flags & AS_SPF_MACRO_USES_P) {
        if (!ptr_validate(s))
            return 0;
        p = p_value(s, d);
    }
    as_spf_macro_vars v = vars_for(s, d, p);
    int n = as_spf_macro_expand(spec.p, spec.len, AS_SPF_MACRO_DOMAIN, &v,
                                s->work, sizeof s->work);
    if (n < 0) {
        *out = "";
        return -1;
    }
    char norm[AS_DNS_MAX_NAME + 1];
    int m = as_dns_name_normalize(s->work, (size_t)n, norm);
    if (m < 0) {
        *out = as_arena_strndup(s->a, s->work, (size_t)n);
        if (!*out)
            *out = "";
        return -1;
    }
    *out = as_arena_strndup(s->a, norm, (size_t)m);
    if (!*out) {
        oom(s);
        return 0;
    }
    return 1;
}

/* ---- in-order evaluation ------------------------------------------------ */

enum { T_BLOCK = 0, T_NOMATCH, T_MATCH, T_PUSHED, T_FINAL };

/* Ask a question the in-order pass needs now and consume its answer.
 * Returns the entry, or NULL with *st T_BLOCK (still pending) or T_FINAL
 * (allocation failure, or a DNS error that ended the evaluation). */
static qent *need(as_spf *s, const char *name, uint16_t qtype, int *st)
{
    qent *e = ask_raw(s, name, zlen(name), qtype);
    if (!e) {
        oom(s);
        *st = T_FINAL;
        return NULL;
    }
    if (e->state == Q_PENDING) {
        *st = T_BLOCK;
        return NULL;
    }
    if (e->state == Q_FAILED || is_error_answer(&e->ans)) {
        dns_error(s, e);
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

static int mx_cmp(const as_dns_rr *x, const as_dns_rr *y)
{
    if (x->u.mx.pref != y->u.mx.pref)
        return x->u.mx.pref < y->u.mx.pref ? -1 : 1;
    return strcmp(x->u.mx.name ? x->u.mx.name : "",
                  y->u.mx.name ? y->u.mx.name : "");
}

/* The MX names of an answer in (preference, name) order: at most
 * AS_SPF_MAX_MX_NAMES (the caller checks the count first). */
static unsigned mx_sorted(const qent *e, const as_dns_rr **out)
{
    unsigned n = 0;
    for (size_t k = 0; k < e->ans.count && n < AS_SPF_MAX_MX_NAMES; k++) {
        const as_dns_rr *rr = &e->ans.rr[k];
        if (rr->type != AUTHSCORE_QTYPE_MX)
            continue;
        unsigned j = n++;
        while (j > 0 && mx_cmp(out[j - 1], rr) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = rr;
    }
    return n;
}

static unsigned mx_count(const qent *e)
{
    unsigned n = 0;
    for (size_t k = 0; k < e->ans.count; k++)
        n += e->ans.rr[k].type == AUTHSCORE_QTYPE_MX;
    return n;
}

/* Ask the address questions of an MX answer; returns how many are still
 * pending, or -1 on allocation failure. */
static int mx_ask_targets(as_spf *s, const qent *e, qent **targets,
                          unsigned *nt)
{
    const as_dns_rr *sorted[AS_SPF_MAX_MX_NAMES];
    unsigned n = mx_sorted(e, sorted);
    int waiting = 0;
    *nt = 0;
    for (unsigned k = 0; k < n; k++) {
        const char *nm = sorted[k]->u.mx.name ? sorted[k]->u.mx.name : "";
        if (!*nm) {
            targets[(*nt)++] = NULL; /* null MX (RFC 7505): no host */
            continue;
        }
        qent *x = ask_raw(s, nm, zlen(nm), s->addr_qtype);
        if (!x)
            return -1;
        targets[(*nt)++] = x;
        waiting += x->state == Q_PENDING;
    }
    return waiting;
}

static const char *term_text(as_spf *s, const as_spf_term *t)
{
    return pr(s, t->text.p, t->text.len);
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
        if (count_lookup(s, term_text(s, t)) < 0)
            return T_FINAL;
    }
    if (!f->target_state) {
        const char *tg;
        int r = expand_target(s, t->spec, t->macro_flags, f->domain, &tg);
        if (r == 0)
            return s->done ? T_FINAL : T_BLOCK;
        f->target = tg;
        f->target_state = r;
        if (t->macro_flags & AS_SPF_MACRO_USES_P) /* the name rests on PTRs */
            s->dnssec = merge_dnssec(s->dnssec, s->pv.dnssec);
    }
    const char *tg = f->target;
    int valid = f->target_state > 0;

    if (t->mech == AS_SPF_INCLUDE) {
        if (!valid) {
            finish(s, AUTHSCORE_RES_PERMERROR,
                   as_arena_printf(s->a, "'%s': target '%s' is not a valid "
                                   "domain name", term_text(s, t),
                                   prs(s, tg)));
            return T_FINAL;
        }
        for (unsigned k = 0; k <= s->depth; k++)
            if (strcmp(s->fr[k].domain, tg) == 0) {
                finish(s, AUTHSCORE_RES_PERMERROR,
                       as_arena_printf(s->a, "include loop: '%s' in %s",
                                       term_text(s, t), prs(s, f->domain)));
                return T_FINAL;
            }
        if (s->depth + 1 > AS_SPF_MAX_DEPTH) {
            finish(s, AUTHSCORE_RES_PERMERROR, "include nesting too deep");
            return T_FINAL;
        }
        frame *c = &s->fr[++s->depth];
        memset(c, 0, sizeof *c);
        c->domain = tg;
        c->via = VIA_INCLUDE;
        return T_PUSHED;
    }
    if (t->mech == AS_SPF_PTR) {
        if (!ptr_validate(s))
            return s->done ? T_FINAL : T_BLOCK;
        if (s->pv.ptr_error)
            return T_NOMATCH; /* 5.5: a PTR lookup error is no match */
        s->dnssec = merge_dnssec(s->dnssec, s->pv.dnssec);
        for (unsigned k = 0; k < s->pv.voids; k++)
            if (count_void(s, term_text(s, t)) < 0)
                return T_FINAL;
        if (!valid)
            return T_NOMATCH;
        for (unsigned k = 0; k < s->pv.nvalid; k++)
            if (name_in_domain(s->pv.valid[k], tg))
                return T_MATCH;
        return T_NOMATCH;
    }
    /* a, mx, exists: the first question is on the target itself */
    uint16_t qt = t->mech == AS_SPF_MX ? AUTHSCORE_QTYPE_MX
                  : t->mech == AS_SPF_EXISTS ? AUTHSCORE_QTYPE_A
                                             : s->addr_qtype;
    int st;
    qent *e = need(s, tg, qt, &st);
    if (!e)
        return st;
    if (is_void_answer(&e->ans)) {
        if (count_void(s, term_text(s, t)) < 0)
            return T_FINAL;
        return T_NOMATCH;
    }
    if (t->mech == AS_SPF_EXISTS)
        return T_MATCH;
    unsigned prefix = s->ip.v6 ? t->cidr6 : t->cidr4;
    if (t->mech == AS_SPF_A)
        return addr_match(s, e, prefix) ? T_MATCH : T_NOMATCH;

    /* mx (5.4): more than 10 MX names is a permerror (4.6.4) */
    if (mx_count(e) > AS_SPF_MAX_MX_NAMES) {
        finish(s, AUTHSCORE_RES_PERMERROR,
               as_arena_printf(s->a, "'%s': more than %d MX names (RFC 7208 "
                               "4.6.4)", term_text(s, t),
                               AS_SPF_MAX_MX_NAMES));
        return T_FINAL;
    }
    qent *targets[AS_SPF_MAX_MX_NAMES];
    unsigned nt;
    int waiting = mx_ask_targets(s, e, targets, &nt);
    if (waiting < 0) {
        oom(s);
        return T_FINAL;
    }
    if (waiting)
        return T_BLOCK;
    /* every name is looked up and counted before matching, in order */
    int match = 0;
    for (unsigned k = 0; k < nt; k++) {
        qent *x = targets[k];
        if (!x)
            continue;
        if (x->state == Q_FAILED || is_error_answer(&x->ans)) {
            dns_error(s, x);
            return T_FINAL;
        }
        use(s, x);
        if (is_void_answer(&x->ans)) {
            if (count_void(s, term_text(s, t)) < 0)
                return T_FINAL;
            continue;
        }
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
    if (f->via != VIA_TOP && is_void_answer(&e->ans) &&
        count_void(s, prs(s, f->domain)) < 0)
        return T_FINAL;
    read_record(s, e);
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
            finish(s, AUTHSCORE_RES_NONE,
                   as_arena_printf(s->a, "no SPF record at %s",
                                   prs(s, f->domain)));
        } else {
            finish(s, AUTHSCORE_RES_PERMERROR,
                   as_arena_printf(s->a, "%s domain %s has no SPF record",
                                   via, prs(s, f->domain)));
        }
        return T_FINAL;
    case 3:
        finish(s, AUTHSCORE_RES_PERMERROR,
               as_arena_printf(s->a, "more than one SPF record at %s "
                               "(RFC 7208 4.5)", prs(s, f->domain)));
        return T_FINAL;
    default:
        finish(s, AUTHSCORE_RES_PERMERROR,
               as_arena_printf(s->a, "syntax error in SPF record of %s: "
                               "'%s': %s", prs(s, f->domain),
                               pr(s, e->perr.term.p, e->perr.term.len),
                               e->perr.why ? e->perr.why : "invalid"));
        return T_FINAL;
    }
}

static const char *result_word(int r)
{
    switch (r) {
    case AUTHSCORE_RES_PASS: return "pass";
    case AUTHSCORE_RES_FAIL: return "fail";
    case AUTHSCORE_RES_SOFTFAIL: return "softfail";
    case AUTHSCORE_RES_NEUTRAL: return "neutral";
    default: return "?";
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
            oom(s);
            return;
        }
    }
    if (result == AUTHSCORE_RES_FAIL && t && f->rec && f->rec->has_exp) {
        s->phase = 1; /* fetch the explanation (6.2) first */
        return;
    }
    finish(s, result,
           t ? as_arena_printf(s->a, "%s: '%s' matched in %s",
                               result_word(result), term_text(s, t),
                               prs(s, f->domain))
             : as_arena_printf(s->a, "neutral: no mechanism matched in %s "
                               "(default result)", prs(s, f->domain)));
}

/* 6.2: the explanation.  Any problem means no explanation, never a
 * different result. */
static void explain(as_spf *s)
{
    frame *f = &s->fr[0];
    const as_spf_record *rec = f->rec;
    const char *why = NULL;
    const char *name;
    int r = expand_target(s, rec->exp, rec->exp_flags, f->domain, &name);
    if (r == 0)
        return;
    if (r > 0) {
        qent *e = ask(s, name, zlen(name), AUTHSCORE_QTYPE_TXT);
        if (!e) {
            oom(s);
            return;
        }
        if (e->state == Q_PENDING)
            return;
        if (e->state != Q_DONE || is_error_answer(&e->ans) ||
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
                    if (!ptr_validate(s))
                        return;
                    p = p_value(s, f->domain);
                }
                as_spf_macro_vars v = vars_for(s, f->domain, p);
                int n = as_spf_macro_expand(rr->u.txt.p, rr->u.txt.len,
                                            AS_SPF_MACRO_EXPLAIN, &v, s->work,
                                            sizeof s->work);
                if (n >= 0) {
                    s->r.explanation = as_arena_strndup(s->a, s->work,
                                                        (size_t)n);
                    if (!s->r.explanation) {
                        oom(s);
                        return;
                    }
                }
            }
        }
    } else {
        why = "exp= target is not a valid domain name";
    }
    const as_spf_term *t = s->final_term;
    finish(s, s->final_result,
           as_arena_printf(s->a, "fail: '%s' matched in %s%s%s",
                           term_text(s, t), prs(s, f->domain),
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
                if (count_lookup(s, pr(s, f->rec->redirect_text.p,
                                       f->rec->redirect_text.len)) < 0)
                    return;
            }
            const char *tg;
            int r = expand_target(s, f->rec->redirect, f->rec->redirect_flags,
                                  f->domain, &tg);
            if (r == 0)
                return;
            if (r < 0) {
                finish(s, AUTHSCORE_RES_PERMERROR,
                       as_arena_printf(s->a, "redirect target '%s' is not a "
                                       "valid domain name", prs(s, tg)));
                return;
            }
            if (f->rec->redirect_flags & AS_SPF_MACRO_USES_P)
                s->dnssec = merge_dnssec(s->dnssec, s->pv.dnssec);
            f->domain = tg;
            f->rec = NULL;
            f->via = VIA_REDIRECT;
            f->redirecting = 0;
            continue;
        }
        frame_done(s, AUTHSCORE_RES_NEUTRAL, NULL);
    }
}

/* ---- speculative prefetch ----------------------------------------------- */

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
    int r = expand_target(s, t->spec, t->macro_flags, w->domain, &tg);
    if (r <= 0)
        return 0;
    switch (t->mech) {
    case AS_SPF_INCLUDE: {
        qent *e = ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
        if (!e || e->state != Q_DONE || is_error_answer(&e->ans))
            return 0;
        read_record(s, e);
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
        (void)ptr_validate(s);
        return 0;
    case AS_SPF_MX: {
        qent *e = ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_MX);
        if (e && e->state == Q_DONE && !is_error_answer(&e->ans) &&
            mx_count(e) <= AS_SPF_MAX_MX_NAMES) {
            qent *targets[AS_SPF_MAX_MX_NAMES];
            unsigned nt;
            (void)mx_ask_targets(s, e, targets, &nt);
        }
        return 0;
    }
    case AS_SPF_EXISTS:
        (void)ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_A);
        return 0;
    default:
        (void)ask(s, tg, zlen(tg), s->addr_qtype);
        return 0;
    }
}

static void prefetch(as_spf *s)
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
            if (expand_target(s, w->rec->exp, w->rec->exp_flags, w->domain,
                              &tg) > 0)
                (void)ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
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
            if (expand_target(s, w->rec->redirect, w->rec->redirect_flags,
                              w->domain, &tg) <= 0) {
                nw--;
                continue;
            }
            qent *e = ask(s, tg, zlen(tg), AUTHSCORE_QTYPE_TXT);
            if (e && e->state == Q_DONE && !is_error_answer(&e->ans)) {
                read_record(s, e);
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

static void advance(as_spf *s)
{
    if (s->running)
        return;
    s->running = 1;
    run(s);
    if (!s->no_prefetch && s->walk_dirty) {
        s->walk_dirty = 0;
        prefetch(s);
    }
    s->running = 0;
    s->r.rounds = s->rounds;
    s->r.queries = s->nq;
}

/* ---- public entry points -------------------------------------------------- */

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
        finish(s, AUTHSCORE_RES_PERMERROR, "invalid client IP address");
        return 0;
    }
    s->addr_qtype = s->ip.v6 ? AUTHSCORE_QTYPE_AAAA : AUTHSCORE_QTYPE_A;
    as_spf_ip_format(&s->ip, s->ip_c);
    as_spf_ip_nibbles(&s->ip, s->ip_i);
    as_spf_ip_reverse_name(&s->ip, s->rev);

    char norm[AS_DNS_MAX_NAME + 1];
    int n = valid_initial_domain(dom, dlen, norm);
    if (n < 0) {
        finish(s, AUTHSCORE_RES_NONE,
               as_arena_printf(a, "'%s' is not a valid multi-label domain "
                               "(RFC 7208 4.3)", pr(s, dom, dlen)));
        return 0;
    }
    s->fr[0].domain = as_arena_strndup(a, norm, (size_t)n);
    if (!s->fr[0].domain)
        return AUTHSCORE_ENOMEM;
    s->fr[0].via = VIA_TOP;
    s->walk_dirty = 1;
    advance(s);
    return 0;
}

int as_spf_done(const as_spf *s) { return s->done; }

const as_spf_result *as_spf_get_result(const as_spf *s) { return &s->r; }
