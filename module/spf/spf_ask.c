/* spf_ask.c - SPF's question side: asking, reading answers, 4.6.4 counts. */
#include "spf/spf_internal.h"

#include <string.h>

static void on_answer(void *engine, uintptr_t cookie, const as_dns_answer *ans);

/* ---- text and answers --------------------------------------------------- */

const char *as_spf_text(as_spf *s, const char *p, size_t len)
{
    char buf[96 + 8];
    as_spf_printable(p, len, buf, 96);
    const char *c = as_arena_strdup(s->a, buf);
    if (!c)
        as_spf_fault(s, AUTHSCORE_ENOMEM);
    return c ? c : "?";
}

const char *as_spf_ztext(as_spf *s, const char *z)
{
    return as_spf_text(s, z, zlen(z));
}

int as_spf_is_error_answer(const as_dns_answer *ans)
{
    return ans->status == AUTHSCORE_DNS_TIMEOUT ||
           ans->status == AUTHSCORE_DNS_SERVFAIL ||
           ans->dnssec == AUTHSCORE_DNSSEC_BOGUS ||
           (ans->status != AUTHSCORE_DNS_OK &&
            ans->status != AUTHSCORE_DNS_NODATA &&
            ans->status != AUTHSCORE_DNS_NXDOMAIN);
}

int as_spf_is_void_answer(const as_dns_answer *ans)
{
    return ans->status == AUTHSCORE_DNS_NXDOMAIN ||
           ans->status == AUTHSCORE_DNS_NODATA || ans->count == 0;
}

int as_spf_merge_dnssec(int acc, int x)
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

void as_spf_dns_error(as_spf *s, const qent *e)
{
    if (e->state == Q_FAILED) {
        as_spf_fault(s, e->fail_rc);
        as_spf_finish(s, AUTHSCORE_RES_TEMPERROR, NULL);
        return;
    }
    if (e->ans.dnssec == AUTHSCORE_DNSSEC_BOGUS) {
        s->dnssec = AUTHSCORE_DNSSEC_BOGUS;
        as_spf_finish(s, AUTHSCORE_RES_TEMPERROR,
                      as_arena_printf(s->a, "DNSSEC bogus answer for "
                                      "%s %s%s%s",
                                      as_dns_qtype_name(e->qtype),
                                      as_spf_ztext(s, e->name),
                                      e->ans.why_bogus ? ": " : "",
                                      e->ans.why_bogus
                                          ? as_spf_ztext(s, e->ans.why_bogus)
                                          : ""));
        s->r.dnssec = AUTHSCORE_DNSSEC_BOGUS;
        return;
    }
    as_spf_finish(s, AUTHSCORE_RES_TEMPERROR,
                  as_arena_printf(s->a, "DNS %s for %s %s",
                                  as_dns_status_name(e->ans.status),
                                  as_dns_qtype_name(e->qtype),
                                  as_spf_ztext(s, e->name)));
}

/* Count one void lookup (4.6.4); returns -1 (and finishes) past the limit. */
int as_spf_count_void(as_spf *s, const char *what)
{
    if (++s->voids > s->max_void) {
        s->r.limit_hit = AS_SPF_LIMIT_VOID;
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                      as_arena_printf(s->a, "more than %d void lookups "
                                      "(RFC 7208 4.6.4), the last at %s",
                                      s->max_void, what));
        return -1;
    }
    return 0;
}

/* 4.6.4: one more DNS-mechanism lookup; past the limit a permerror. */
int as_spf_count_lookup(as_spf *s, const char *what)
{
    if (++s->lookups > s->max_lookups) {
        s->r.limit_hit = AS_SPF_LIMIT_LOOKUPS;
        as_spf_finish(s, AUTHSCORE_RES_PERMERROR,
                      as_arena_printf(s->a, "more than %d DNS-mechanism "
                                      "lookups (RFC 7208 4.6.4) at '%s'",
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
    s->ask_fail = 0;
    for (unsigned k = 0; k < s->nq; k++) {
        qent *e = s->qs[k];
        if (e->qtype == qtype && (e->state == Q_INVALID) == !!invalid &&
            zlen(e->name) == len && memcmp(e->name, name, len) == 0)
            return e;
    }
    if (s->nq == s->capq) {
        if (s->capq >= AS_SPF_MAX_QUESTIONS) {
            s->ask_fail = AUTHSCORE_ELIMIT;
            return NULL;
        }
        unsigned nc = s->capq ? s->capq * 2 : 16;
        if (nc > AS_SPF_MAX_QUESTIONS)
            nc = AS_SPF_MAX_QUESTIONS;
        qent **n = as_arena_calloc(s->a, nc, sizeof *n);
        if (!n) {
            s->ask_fail = AUTHSCORE_ENOMEM;
            return NULL;
        }
        if (s->nq)
            memcpy(n, s->qs, s->nq * sizeof *n);
        s->qs = n;
        s->capq = nc;
    }
    qent *e = as_arena_calloc(s->a, 1, sizeof *e);
    if (e)
        e->name = as_arena_strndup(s->a, name, len);
    if (!e || !e->name) {
        s->ask_fail = AUTHSCORE_ENOMEM;
        return NULL;
    }
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
        /* The question table is full or out of memory: ours, not DNS.  A
         * fault only once evaluation needs the answer (as_spf_dns_error):
         * the planner asks ahead for what may never be read. */
        e->fail_rc = rc == AUTHSCORE_ELIMIT ? AUTHSCORE_ELIMIT : AUTHSCORE_ENOMEM;
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

qent *as_spf_ask(as_spf *s, const char *name, size_t len, uint16_t qtype)
{
    return ask_q(s, name, len, qtype, 0);
}

/* as_spf_ask() for a name that may be invalid (from an expansion or a
 * record). */
qent *as_spf_ask_raw(as_spf *s, const char *name, size_t len, uint16_t qtype)
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
        s->advance(s);
}

/* ---- SPF records out of TXT answers (4.5) ------------------------------- */

/* Select and parse the SPF record of a TXT entry (done once). */
void as_spf_read_record(as_spf *s, qent *e)
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
        as_spf_oom(s);
        e->spf_state = 4;
        e->perr.why = "no_memory";
        return;
    }
    e->spf_state = rc == 0 ? 1 : 4;
}

/* ---- validated PTR names (5.5) ------------------------------------------ */

/* The validated domain names of the client (5.5 steps 1-3), computed once
 * from questions shared by ptr and %{p}.  Returns 1 when known, 0 while
 * waiting (its questions are asked).  Errors never stop it: a failed PTR
 * lookup gives no names, a failed address lookup skips that name (5.5). */
int as_spf_ptr_validate(as_spf *s)
{
    if (s->pv.state)
        return 1;
    qent *pe = as_spf_ask(s, s->rev, strnlen(s->rev, sizeof s->rev),
                          AUTHSCORE_QTYPE_PTR);
    s->ptr_asked = 1;
    if (!pe) {
        as_spf_oom(s);
        return 0;
    }
    if (pe->state == Q_PENDING)
        return 0;
    ptrval pv;
    memset(&pv, 0, sizeof pv);
    pv.dnssec = -1;
    if (pe->state != Q_DONE || as_spf_is_error_answer(&pe->ans)) {
        pv.ptr_error = 1;
        pv.state = 1;
        s->pv = pv;
        return 1;
    }
    pv.dnssec = as_spf_merge_dnssec(pv.dnssec, pe->ans.dnssec);
    pv.ptr_void = as_spf_is_void_answer(&pe->ans);
    /* 4.6.4: at most 10 PTR names are looked up, the rest ignored */
    qent *ae[AS_SPF_MAX_PTR_NAMES];
    unsigned na = 0, waiting = 0;
    for (size_t k = 0; k < pe->ans.count && na < AS_SPF_MAX_PTR_NAMES; k++) {
        const as_dns_rr *rr = &pe->ans.rr[k];
        if (rr->type != AUTHSCORE_QTYPE_PTR || !rr->u.ptr.name)
            continue;
        qent *x = as_spf_ask_raw(s, rr->u.ptr.name, zlen(rr->u.ptr.name),
                                 s->addr_qtype);
        if (!x) {
            as_spf_oom(s);
            return 0;
        }
        ae[na++] = x;
        waiting += x->state == Q_PENDING;
    }
    if (waiting)
        return 0;
    for (unsigned k = 0; k < na; k++) {
        qent *x = ae[k];
        /* 5.5: a name whose address lookup fails or finds nothing is
         * skipped; it is not a void lookup of the ptr term (4.6.4). */
        if (x->state == Q_FAILED || as_spf_is_error_answer(&x->ans) ||
            as_spf_is_void_answer(&x->ans))
            continue;
        pv.dnssec = as_spf_merge_dnssec(pv.dnssec, x->ans.dnssec);
        for (size_t j = 0; j < x->ans.count; j++) {
            const as_dns_rr *rr = &x->ans.rr[j];
            const unsigned char *ad =
                rr->type == AUTHSCORE_QTYPE_A ? rr->u.a : rr->u.aaaa;
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

/* ---- MX targets (5.4) --------------------------------------------------- */

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

unsigned as_spf_mx_count(const qent *e)
{
    unsigned n = 0;
    for (size_t k = 0; k < e->ans.count; k++)
        n += e->ans.rr[k].type == AUTHSCORE_QTYPE_MX;
    return n;
}

/* Ask the address questions of an MX answer; returns how many are still
 * pending, or -1 on allocation failure. */
int as_spf_mx_ask_targets(as_spf *s, const qent *e, qent **targets,
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
        qent *x = as_spf_ask_raw(s, nm, zlen(nm), s->addr_qtype);
        if (!x)
            return -1;
        targets[(*nt)++] = x;
        waiting += x->state == Q_PENDING;
    }
    return waiting;
}
