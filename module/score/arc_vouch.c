/* arc_vouch.c - does a sealer's AAR vouch for the author domain (see
 * arc_vouch.h)?  The A-R reader does the parsing; this is alignment. */
#include "score/arc_vouch.h"

#include <string.h>

#include <authscore.h>
#include "score/ar_read.h"

static int ieq(const char *a, size_t an, const char *b)
{
    return as_span_ieq(a, an, b, strlen(b));
}

/* The domain of an address ("x@d" or "@d"), or the value itself. */
static as_span domain_of(const char *v, size_t len)
{
    const char *at = len ? memrchr(v, '@', len) : NULL;
    return at ? as_span_make(at + 1, len - (size_t)(at + 1 - v)) : as_span_make(v, len);
}

/* RFC 7489 3.1.1 / 3.1.2 on names: strict, the author domain itself;
 * relaxed, its organizational domain or a name below it. */
static int aligned(as_span d, const as_arc_vouch_for *v, int strict)
{
    if (d.len && d.p[d.len - 1] == '.')
        d.len--;
    if (ieq(d.p, d.len, v->from_domain))
        return 1;
    if (strict)
        return 0;
    const char *org = v->org_domain ? v->org_domain : v->from_domain;
    size_t ol = strlen(org);
    if (ieq(d.p, d.len, org))
        return 1;
    return d.len > ol && d.p[d.len - ol - 1] == '.' && ieq(d.p + d.len - ol, ol, org);
}

static const as_ar_prop *prop(const as_ar_resinfo *r, const char *ptype, const char *name)
{
    for (size_t i = 0; i < r->n_props; i++)
        if (!strcmp(r->props[i].ptype, ptype) && !strcmp(r->props[i].property, name))
            return &r->props[i];
    return NULL;
}

static const char *vouch_one(const as_ar_resinfo *r, const as_arc_vouch_for *v)
{
    if (strcmp(r->result, "pass") != 0)
        return NULL;
    const as_ar_prop *p;
    if (!strcmp(r->method, "dmarc")) {
        p = prop(r, "header", "from");
        return !p || aligned(domain_of(p->value, p->value_len), v, 1) ? "dmarc=pass" : NULL;
    }
    if (!strcmp(r->method, "dkim")) {
        if (!(p = prop(r, "header", "d")))
            p = prop(r, "header", "i");
        return p && aligned(domain_of(p->value, p->value_len), v, v->dkim_strict) ? "dkim=pass"
                                                                                 : NULL;
    }
    if (!strcmp(r->method, "spf")) {
        /* smtp.mfrom: the older name some sealers still write. */
        if (!(p = prop(r, "smtp", "mailfrom")))
            p = prop(r, "smtp", "mfrom");
        return p && aligned(domain_of(p->value, p->value_len), v, v->spf_strict) ? "spf=pass"
                                                                                : NULL;
    }
    return NULL;
}

int as_arc_vouches(as_arena *a, as_span payload, const as_arc_vouch_for *v,
                   const char **what)
{
    *what = NULL;
    if (!v->from_domain || !*v->from_domain)
        return 0;
    as_ar_parsed ar;
    int rc = as_ar_read(a, payload.p, payload.len, &ar);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc != 0)
        return 0; /* only a payload read whole vouches */
    /* The strongest word first: DMARC itself, then an aligned DKIM, SPF. */
    static const char *const order[] = {"dmarc=pass", "dkim=pass", "spf=pass"};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++)
        for (size_t i = 0; i < ar.n_res; i++) {
            const char *w = vouch_one(&ar.res[i], v);
            if (w && !strcmp(w, order[k])) {
                *what = w;
                return 1;
            }
        }
    return 0;
}
