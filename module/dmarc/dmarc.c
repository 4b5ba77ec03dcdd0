/* dmarc.c - the DMARC engine: questions, answers, alignment and policy.
 *
 * Sans-I/O: everything DNS goes through the question table.  At start the
 * engine asks, in one round by default, every name of the author domain's
 * tree walk (RFC 9989 4.10) or the RFC 7489 pair, the author domain's
 * A/AAAA/MX (existence, for np), and the tree walks of the identifier
 * domains (organizational domains for relaxed alignment, 4.10.2).  The
 * walk outcome functions (walk.c) read the answers in walk order, so the
 * result is the sequential walk's. */
#include "dmarc/dmarc.h"

#include <string.h>

#include <authscore.h>
#include "dmarc/walk.h"

#define DMARC_PREFIX "_dmarc."
#define DMARC_PREFIX_LEN 7u
#define N_WALKS (1u + AS_DMARC_MAX_IDENTIFIERS)

enum { K_WALK = 1, K_EXIST = 2 };
enum { EX_UNASKED = 0, EX_PENDING, EX_EXISTS, EX_NXDOMAIN, EX_ERROR };

struct as_dmarc {
    as_arena *a;
    as_qtab *q;
    as_dmarc_config cfg;
    const void *psl;
    as_dmarc_result r;
    int final;           /* r is settled (author domain problems) */
    int err;             /* our own fault: ENOMEM, or ELIMIT (question
                            cap); the result is then temperror */
    unsigned pending;    /* our callbacks not yet delivered */
    const char *author;
    size_t alen;
    as_dmarc_walk *walks[N_WALKS]; /* [0]: author domain; arena, on demand */
    size_t nwalks;
    int exist[3];        /* A, AAAA, MX of the author domain */
    const char *msgid;
    size_t msgid_len;
};

static uintptr_t cookie(unsigned kind, size_t walk, size_t slot)
{
    return ((uintptr_t)kind << 24) | ((uintptr_t)walk << 8) | (uintptr_t)slot;
}

static void on_answer(void *engine, uintptr_t c, const as_dns_answer *ans);

static void ask_slot(as_dmarc *d, size_t wi, size_t si)
{
    as_dmarc_walk *w = d->walks[wi];
    const char *t = w->domain + w->off[si];
    size_t tl = w->len - w->off[si];
    char name[DMARC_PREFIX_LEN + AS_DNS_MAX_NAME + 1];
    memcpy(name, DMARC_PREFIX, DMARC_PREFIX_LEN);
    memcpy(name + DMARC_PREFIX_LEN, t, tl);
    if (w->asked <= si)
        w->asked = si + 1;
    int rc = as_qtab_ask(d->q, name, DMARC_PREFIX_LEN + tl, AUTHSCORE_QTYPE_TXT,
                         on_answer, d, cookie(K_WALK, wi, si));
    if (rc == 0) {
        d->pending++;
        return;
    }
    if (rc == AUTHSCORE_EINVAL) {
        /* _dmarc.<name> longer than 253 bytes cannot exist. */
        w->slot[si].state = AS_SLOT_NONE;
        w->slot[si].dnssec = AUTHSCORE_DNSSEC_INDETERMINATE;
        return;
    }
    /* ENOMEM, or ELIMIT (the question cap): a name we could not ask. */
    d->err = rc;
    w->slot[si].state = AS_SLOT_ERROR;
}

/* Sequential mode: ask the next name the walk needs, if any.  In the
 * default mode every name was asked at start. */
static void advance(as_dmarc *d, size_t wi)
{
    as_dmarc_walk *w = d->walks[wi];
    for (;;) {
        as_dmarc_outcome o;
        if (w->rfc7489)
            as_dmarc_walk_policy(w, &o);
        else
            as_dmarc_walk_org(w, &o);
        if (o.status != AS_WALK_PENDING || o.first_pending < w->asked)
            return;
        ask_slot(d, wi, o.first_pending);
        if (w->slot[o.first_pending].state == AS_SLOT_PENDING)
            return; /* asked; wait for it */
    }
}

static void on_answer(void *engine, uintptr_t c, const as_dns_answer *ans)
{
    as_dmarc *d = engine;
    unsigned kind = (unsigned)(c >> 24);
    size_t wi = (size_t)((c >> 8) & 0xffff), si = (size_t)(c & 0xff);
    if (d->pending)
        d->pending--;
    if (kind == K_EXIST) {
        if (si >= 3)
            return;
        int st;
        if (ans->dnssec == AUTHSCORE_DNSSEC_BOGUS)
            st = EX_ERROR;
        else if (ans->status == AUTHSCORE_DNS_OK || ans->status == AUTHSCORE_DNS_NODATA)
            st = EX_EXISTS;
        else if (ans->status == AUTHSCORE_DNS_NXDOMAIN)
            st = EX_NXDOMAIN;
        else
            st = EX_ERROR;
        d->exist[si] = st;
        return;
    }
    if (kind != K_WALK || wi >= d->nwalks)
        return;
    int rc = as_dmarc_walk_answer(d->a, d->walks[wi], si, ans);
    if (rc < 0) {
        d->err = rc;
        d->walks[wi]->slot[si].state = AS_SLOT_ERROR;
    }
    if (d->cfg.sequential_walk)
        advance(d, wi);
}

static void ask_walk(as_dmarc *d, size_t wi)
{
    as_dmarc_walk *w = d->walks[wi];
    if (d->cfg.sequential_walk) {
        advance(d, wi);
        return;
    }
    for (size_t i = 0; i < w->count; i++)
        ask_slot(d, wi, i);
}

static void ask_existence(as_dmarc *d)
{
    static const uint16_t types[3] = {AUTHSCORE_QTYPE_A, AUTHSCORE_QTYPE_AAAA,
                                      AUTHSCORE_QTYPE_MX};
    for (size_t i = 0; i < 3; i++) {
        int rc = as_qtab_ask(d->q, d->author, d->alen, types[i], on_answer, d,
                             cookie(K_EXIST, 0, i));
        if (rc == 0) {
            d->exist[i] = EX_PENDING;
            d->pending++;
        } else {
            d->err = rc; /* ENOMEM or ELIMIT */
            d->exist[i] = EX_ERROR;
        }
    }
}

/* Do two normalized names share at least their last label? */
static int share_tld(const char *x, size_t xl, const char *y, size_t yl)
{
    const char *dx = memrchr(x, '.', xl), *dy = memrchr(y, '.', yl);
    size_t ox = dx ? (size_t)(dx - x) + 1 : 0, oy = dy ? (size_t)(dy - y) + 1 : 0;
    return as_span_ieq(x + ox, xl - ox, y + oy, yl - oy);
}

static void add_identifier(as_dmarc *d, const char *dom)
{
    if (!dom || !*dom || d->nwalks >= N_WALKS)
        return;
    char norm[AS_DNS_MAX_NAME + 1];
    int n = as_dns_name_normalize(dom, strnlen(dom, AS_DNS_MAX_NAME + 2), norm);
    if (n <= 0 || !as_dmarc_name_ok(norm, (size_t)n))
        return;
    if ((size_t)n == d->alen && memcmp(norm, d->author, d->alen) == 0)
        return; /* identical to the author domain: aligned either way */
    for (size_t i = 1; i < d->nwalks; i++)
        if (d->walks[i]->len == (size_t)n && memcmp(d->walks[i]->domain, norm, (size_t)n) == 0)
            return;
    /* Organizational domains are suffixes: with different TLDs they can
     * never be equal, so no walk is needed. */
    if (!share_tld(norm, (size_t)n, d->author, d->alen))
        return;
    char *copy = as_arena_strndup(d->a, norm, (size_t)n);
    as_dmarc_walk *w = as_arena_alloc(d->a, sizeof *w);
    if (!copy || !w) {
        d->err = AUTHSCORE_ENOMEM;
        return;
    }
    as_dmarc_walk_init(w, copy, (size_t)n);
    d->walks[d->nwalks] = w;
    d->nwalks++;
}

static void result_defaults(as_dmarc_result *r, int mode)
{
    memset(r, 0, sizeof *r);
    r->result = AUTHSCORE_RES_NOT_EVALUATED;
    r->pct = 100;
    r->pct_selected = 1;
    r->mode = mode;
    r->author_exists = 1;
    r->dnssec = AUTHSCORE_DNSSEC_INDETERMINATE;
}

static void find_msgid(as_dmarc *d, const as_message *msg)
{
    size_t i = as_header_find(&msg->hdr, "Message-ID", 0);
    if (i == (size_t)-1 || i >= msg->hdr.count)
        return;
    as_span v = as_span_trim(msg->hdr.fields[i].value);
    d->msgid = v.p;
    d->msgid_len = v.len;
}

int as_dmarc_start(as_arena *a, as_qtab *q, const as_dmarc_config *cfg,
                   const as_message *msg, const char *mfrom_domain,
                   const char *const *dkim_domains, size_t n_dkim,
                   as_dmarc **out)
{
    as_dmarc *d = as_arena_calloc(a, 1, sizeof *d);
    *out = d;
    if (!d)
        return AUTHSCORE_ENOMEM;
    d->a = a;
    d->q = q;
    if (cfg)
        d->cfg = *cfg;
    if (d->cfg.mode != AS_DMARC_RFC7489)
        d->cfg.mode = AS_DMARC_RFC9989;
    result_defaults(&d->r, d->cfg.mode);

    const char *reason;
    d->author = as_dmarc_author_domain(a, msg, &reason);
    if (!d->author) {
        if (reason && strcmp(reason, "out_of_memory") == 0)
            return AUTHSCORE_ENOMEM;
        d->r.result = AUTHSCORE_RES_PERMERROR;
        d->r.reason = reason;
        d->r.disposition = AUTHSCORE_DMARC_POLICY_NONE;
        d->final = 1;
        return 0;
    }
    d->alen = strnlen(d->author, AS_DNS_MAX_NAME + 1);
    d->r.from_domain = d->author;
    if (msg)
        find_msgid(d, msg);

    int has_parent;
    d->walks[0] = as_arena_alloc(a, sizeof *d->walks[0]);
    if (!d->walks[0])
        return AUTHSCORE_ENOMEM;
    if (d->cfg.mode == AS_DMARC_RFC7489) {
        d->psl = d->cfg.psl ? d->cfg.psl : as_dmarc_psl_builtin();
        long off = as_dmarc_psl_org_off(d->psl, d->author, d->alen);
        /* No registrable domain (a public suffix itself, or no list):
         * the author domain stands alone. */
        as_dmarc_walk_init_7489(d->walks[0], d->author, d->alen,
                                off > 0 ? (size_t)off : 0);
        has_parent = off > 0;
    } else {
        as_dmarc_walk_init(d->walks[0], d->author, d->alen);
        has_parent = d->walks[0]->count > 1;
    }
    d->nwalks = 1;
    if (d->cfg.mode == AS_DMARC_RFC9989) {
        add_identifier(d, mfrom_domain);
        for (size_t i = 0; i < n_dkim && dkim_domains; i++)
            add_identifier(d, dkim_domains[i]);
    }
    for (size_t i = 0; i < d->nwalks; i++)
        ask_walk(d, i);
    /* np needs to know whether the author domain exists (RFC 9989
     * 3.2.13); only a parent's record can apply np. */
    if (has_parent)
        ask_existence(d);
    /* ELIMIT is the message's shape, not ours: temperror at evaluation. */
    return d->err == AUTHSCORE_ENOMEM ? d->err : 0;
}

int as_dmarc_done(const as_dmarc *d)
{
    return d->final || d->pending == 0;
}

/* ---- evaluation ------------------------------------------------------- */

/* Organizational domain of a walked domain: 1 (filled), 0 not walked,
 * -1 unknown (DNS error or unanswered). */
static int org_of(const as_dmarc *d, const char *dom, size_t n, as_span *org)
{
    for (size_t i = 0; i < d->nwalks; i++) {
        const as_dmarc_walk *w = d->walks[i];
        if (w->len != n || memcmp(w->domain, dom, n) != 0)
            continue;
        as_dmarc_outcome o;
        as_dmarc_walk_org(w, &o);
        if (o.status != AS_WALK_DONE)
            return -1;
        *org = as_span_make(w->domain + o.org_off, w->len - o.org_off);
        return 1;
    }
    return 0;
}

/* `name` is `dom` or a name below it (both normalized). */
static int at_or_below(const char *name, size_t n, as_span dom)
{
    if (n == dom.len)
        return as_span_ieq(name, n, dom.p, dom.len);
    return n > dom.len && name[n - dom.len - 1] == '.' &&
           as_span_ieq(name + n - dom.len, dom.len, dom.p, dom.len);
}

/* Alignment of one authenticated identifier: 1, 0, or -1 (unknown). */
static int aligned(const as_dmarc *d, const char *id, int strict)
{
    char norm[AS_DNS_MAX_NAME + 1];
    if (!id || !*id)
        return 0;
    int n = as_dns_name_normalize(id, strnlen(id, AS_DNS_MAX_NAME + 2), norm);
    if (n <= 0 || !as_dmarc_name_ok(norm, (size_t)n))
        return 0;
    if ((size_t)n == d->alen && memcmp(norm, d->author, d->alen) == 0)
        return 1; /* identical: strict and relaxed (RFC 9989 3.2.10) */
    if (strict)
        return 0;
    if (d->cfg.mode == AS_DMARC_RFC7489) {
        long oa = as_dmarc_psl_org_off(d->psl, d->author, d->alen);
        long oi = as_dmarc_psl_org_off(d->psl, norm, (size_t)n);
        size_t ao = oa > 0 ? (size_t)oa : 0, io = oi > 0 ? (size_t)oi : 0;
        return as_span_ieq(d->author + ao, d->alen - ao, norm + io, (size_t)n - io);
    }
    as_span oa, oi;
    int ra = org_of(d, d->author, d->alen, &oa);
    if (!share_tld(norm, (size_t)n, d->author, d->alen))
        return 0;
    /* An organizational domain is its name or an ancestor: an identifier
     * neither at nor below the author's cannot align, whatever its own
     * walk gave (so its temperror cannot make DMARC temperror). */
    if (ra == 1 && !at_or_below(norm, (size_t)n, oa))
        return 0;
    int ri = org_of(d, norm, (size_t)n, &oi);
    if (ri == 0)
        return 0; /* beyond AS_DMARC_MAX_IDENTIFIERS: strict only */
    if (ra < 0 || ri < 0)
        return -1;
    return as_span_ieq(oa.p, oa.len, oi.p, oi.len);
}

static int author_exists(const as_dmarc *d)
{
    int any_nx = 0, any_unknown = 0;
    for (size_t i = 0; i < 3; i++) {
        switch (d->exist[i]) {
        case EX_UNASKED: return 1;   /* no parent could apply np */
        case EX_EXISTS: return 1;    /* any RR type answered: it exists */
        case EX_NXDOMAIN: any_nx = 1; break;
        default: any_unknown = 1; break;
        }
    }
    if (any_nx)
        return 0; /* RFC 8020: NXDOMAIN means nothing is there */
    return any_unknown ? -1 : 1;
}

static int downgrade(int pol)
{
    if (pol == AUTHSCORE_DMARC_POLICY_REJECT)
        return AUTHSCORE_DMARC_POLICY_QUARANTINE;
    if (pol == AUTHSCORE_DMARC_POLICY_QUARANTINE)
        return AUTHSCORE_DMARC_POLICY_NONE;
    return pol;
}

static const char *dup_span(as_dmarc *d, as_span s)
{
    if (!s.len)
        return NULL;
    const char *c = as_arena_strndup(d->a, s.p, s.len);
    if (!c)
        d->err = AUTHSCORE_ENOMEM;
    return c;
}

/* Copy a caller's domain (already parsed, NUL-terminated) into the arena
 * so the result outlives the caller's strings. */
static const char *copy_name(as_dmarc *d, const char *s)
{
    const char *c = as_arena_strndup(d->a, s, strnlen(s, AS_DNS_MAX_NAME + 1));
    if (!c)
        d->err = AUTHSCORE_ENOMEM;
    return c;
}

static void set_temperror(as_dmarc_result *r, const char *reason)
{
    r->result = AUTHSCORE_RES_TEMPERROR;
    r->reason = reason;
    r->disposition = AUTHSCORE_DMARC_POLICY_UNSET;
}

/* RFC 9989 4.7: no p= means p=none (RFC 7489 6.3 makes p required).
 * RFC 9989 4.10.1 / RFC 7489 6.6.3: a bad p (or sp/np) with a valid rua
 * acts as p=none; without one, no DMARC processing (permerror).
 * Returns 0 to go on, -1 when the result is settled. */
static int check_record(as_dmarc *d, as_dmarc_record *rec)
{
    as_dmarc_result *r = &d->r;
    if (rec->p_state == AS_DMARC_TAG_ABSENT && d->cfg.mode == AS_DMARC_RFC9989) {
        rec->p = AUTHSCORE_DMARC_POLICY_NONE;
        rec->p_state = AS_DMARC_TAG_VALID;
    }
    if (rec->p_state != AS_DMARC_TAG_VALID || rec->sp_state == AS_DMARC_TAG_INVALID ||
        rec->np_state == AS_DMARC_TAG_INVALID) {
        if (!rec->rua_valid) {
            r->result = AUTHSCORE_RES_PERMERROR;
            r->reason = "invalid_policy";
            r->disposition = AUTHSCORE_DMARC_POLICY_NONE;
            return -1;
        }
        r->invalid_policy_rua = 1;
        rec->p = AUTHSCORE_DMARC_POLICY_NONE;
        rec->sp_state = rec->np_state = AS_DMARC_TAG_ABSENT;
    }
    return 0;
}

typedef struct align_state {
    int unknown;     /* a passing identifier's org domain is unknown */
    int temp_ident;  /* an identifier that would align ended in temperror */
} align_state;

/* Alignment (RFC 9989 4.4, 4.10.2).  An identifier whose own check ended
 * in temperror but that would align could have passed: with nothing else
 * aligned the result is temperror, not fail (5.3.6: no verdict on DNS
 * trouble). */
static void check_alignment(as_dmarc *d, const as_dmarc_record *rec,
                            const as_dmarc_auth *spf, const as_dmarc_auth *dkim,
                            size_t n_dkim, align_state *st)
{
    as_dmarc_result *r = &d->r;
    if (spf && spf->domain && *spf->domain) {
        if (spf->result == AUTHSCORE_RES_PASS) {
            int x = aligned(d, spf->domain, rec->aspf_strict);
            if (x < 0)
                st->unknown = 1;
            else if (x)
                r->spf_domain = copy_name(d, spf->domain);
            else
                r->unaligned_pass++;
            r->spf_aligned = x > 0;
        } else if (spf->result == AUTHSCORE_RES_TEMPERROR &&
                   aligned(d, spf->domain, rec->aspf_strict) != 0) {
            st->temp_ident = 1;
        }
    }
    for (size_t i = 0; dkim && i < n_dkim; i++) {
        if (dkim[i].result == AUTHSCORE_RES_TEMPERROR) {
            /* No d= (lost to a fault): it may have been aligned. */
            if (!dkim[i].domain || aligned(d, dkim[i].domain, rec->adkim_strict) != 0)
                st->temp_ident = 1;
            continue;
        }
        if (!dkim[i].domain)
            continue;
        if (dkim[i].result != AUTHSCORE_RES_PASS)
            continue;
        int x = aligned(d, dkim[i].domain, rec->adkim_strict);
        if (x < 0) {
            st->unknown = 1;
        } else if (x) {
            if (!r->dkim_aligned)
                r->dkim_domain = copy_name(d, dkim[i].domain);
            r->dkim_aligned = 1;
        } else {
            r->unaligned_pass++;
        }
    }
}

/* Which tag applies (RFC 9989 4.10.1; np per 4.7, from RFC 9091): p for
 * the author domain's own record; for a parent's, sp when the author
 * domain exists, np when it does not, each falling back.  Returns 0, or
 * -1 when existence is unknown and matters for a message that did not
 * pass (temperror). */
static int choose_policy(as_dmarc *d, const as_dmarc_record *rec, int own_record)
{
    as_dmarc_result *r = &d->r;
    r->policy = rec->p;
    r->policy_tag = "p";
    if (own_record)
        return 0;
    int sp_eff = rec->sp_state == AS_DMARC_TAG_VALID ? rec->sp : rec->p;
    int np_eff = rec->np_state == AS_DMARC_TAG_VALID ? rec->np : sp_eff;
    const char *sp_tag = rec->sp_state == AS_DMARC_TAG_VALID ? "sp" : "p";
    const char *np_tag = rec->np_state == AS_DMARC_TAG_VALID ? "np" : sp_tag;
    int ex = author_exists(d);
    r->author_exists = ex;
    if (ex == 0) {
        r->policy = np_eff;
        r->policy_tag = np_tag;
        return 0;
    }
    r->policy = sp_eff;
    r->policy_tag = sp_tag;
    if (ex < 0 && np_eff != sp_eff && !r->spf_aligned && !r->dkim_aligned) {
        set_temperror(r, "existence_unknown");
        return -1;
    }
    return 0;
}

static void evaluate(as_dmarc *d, const as_dmarc_auth *spf,
                     const as_dmarc_auth *dkim, size_t n_dkim)
{
    as_dmarc_result *r = &d->r;
    const as_dmarc_walk *w = d->walks[0];
    as_dmarc_outcome po;
    as_dmarc_walk_policy(w, &po);
    if (po.status == AS_WALK_PENDING) {
        set_temperror(r, "dns_unanswered");
        return;
    }
    if (po.status == AS_WALK_TEMPERROR) {
        set_temperror(r, po.bogus ? "dns_bogus" : "dns_error");
        r->dnssec = po.bogus ? AUTHSCORE_DNSSEC_BOGUS : AUTHSCORE_DNSSEC_INDETERMINATE;
        return;
    }
    as_dmarc_outcome oo;
    as_dmarc_walk_org(w, &oo);
    if (oo.status == AS_WALK_DONE)
        r->org_domain = w->domain + oo.org_off;
    if (po.policy_slot < 0) {
        /* RFC 9989 4.10.1: no record, no DMARC. */
        r->result = AUTHSCORE_RES_NONE;
        r->reason = po.multiple ? "multiple_records" : "no_policy";
        r->disposition = AUTHSCORE_DMARC_POLICY_NONE;
        r->dnssec = po.all_secure ? AUTHSCORE_DNSSEC_SECURE : AUTHSCORE_DNSSEC_INSECURE;
        return;
    }

    size_t ps = (size_t)po.policy_slot;
    as_dmarc_record rec = w->slot[ps].rec;
    r->record_domain = w->domain + w->off[ps];
    r->dnssec = w->slot[ps].dnssec;
    r->psd_policy = rec.psd == AS_DMARC_PSD_Y && w->off[ps] != 0;
    r->rua = dup_span(d, rec.rua);
    r->ruf = dup_span(d, rec.ruf);
    r->fo = dup_span(d, rec.fo);
    r->adkim_strict = rec.adkim_strict;
    r->aspf_strict = rec.aspf_strict;
    r->published.found = 1;
    r->published.p = rec.p;
    r->published.sp = rec.sp;
    r->published.np = rec.np;
    r->published.psd = rec.psd;
    r->published.testing = rec.testing;
    r->published.pct = rec.pct;
    if (check_record(d, &rec) < 0)
        return;
    if (d->cfg.mode == AS_DMARC_RFC7489) {
        r->pct = rec.pct;
        r->pct_selected = as_dmarc_pct_selected(d->cfg.pct_seed, d->author,
                                                d->msgid, d->msgid_len, rec.pct);
    } else {
        r->testing = rec.testing;
    }

    align_state st = {0, 0};
    check_alignment(d, &rec, spf, dkim, n_dkim, &st);
    if (choose_policy(d, &rec, w->off[ps] == 0) < 0)
        return;

    if (r->spf_aligned || r->dkim_aligned) {
        r->result = AUTHSCORE_RES_PASS;
        r->reason = r->dkim_aligned ? (r->spf_aligned ? "aligned_both" : "aligned_dkim")
                                    : "aligned_spf";
        r->disposition = AUTHSCORE_DMARC_POLICY_NONE;
        return;
    }
    if (st.unknown || st.temp_ident) {
        set_temperror(r, st.unknown ? "alignment_dns_error" : "auth_temperror");
        return;
    }
    r->result = AUTHSCORE_RES_FAIL;
    r->reason = r->unaligned_pass ? "unaligned" : "no_authenticated_identifier";
    int disp = r->policy;
    if ((d->cfg.mode == AS_DMARC_RFC9989 && rec.testing) ||
        (d->cfg.mode == AS_DMARC_RFC7489 && !r->pct_selected)) {
        /* RFC 9989 4.7 t=y: one level below the stated policy.  RFC 7489
         * 6.6.4: outside pct, reject is treated as quarantine and
         * quarantine as none. */
        disp = downgrade(disp);
        r->downgraded = disp != r->policy;
    }
    r->disposition = disp;
}

/* Fail closed (docs/architecture.md): a fault before or during the
 * evaluation leaves temperror with reason no_memory or limit, and nothing
 * of what was half computed (alignment, policy) for symbols to read. */
void as_dmarc_evaluate(as_dmarc *d, const as_dmarc_auth *spf,
                       const as_dmarc_auth *dkim, size_t n_dkim)
{
    if (!d || d->final)
        return;
    d->final = 1;
    if (!d->err)
        evaluate(d, spf, dkim, n_dkim);
    if (!d->err)
        return;
    const char *from = d->r.from_domain;
    result_defaults(&d->r, d->cfg.mode);
    d->r.from_domain = from;
    d->r.author_exists = -1;
    set_temperror(&d->r, d->err == AUTHSCORE_ELIMIT || d->a->limited ? "limit"
                                                                       : "no_memory");
}

const as_dmarc_result *as_dmarc_get_result(const as_dmarc *d)
{
    return &d->r;
}
