/* spf_target.c - the names terms point at: macro context (RFC 7208 7),
 * %{p} from the validated PTR names (7.3, 5.5), domain-spec expansion. */
#include "spf/spf_internal.h"

#include <string.h>

/* The macro variables for <domain> d and %{p} value p (NULL: "unknown"). */
as_spf_macro_vars as_spf_vars_for(as_spf *s, const char *d, const char *p)
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

/* 1 when name n is d or inside d. */
int as_spf_name_in_domain(const char *n, const char *d)
{
    size_t ln = zlen(n), ld = zlen(d);
    if (ln == ld)
        return memcmp(n, d, ln) == 0;
    return ln > ld && n[ln - ld - 1] == '.' && memcmp(n + ln - ld, d, ld) == 0;
}

/* %{p} (7.3): a validated name equal to <domain>, else one inside it, else
 * any validated name, else "unknown". */
const char *as_spf_p_value(as_spf *s, const char *d)
{
    for (unsigned k = 0; k < s->pv.nvalid; k++)
        if (strcmp(s->pv.valid[k], d) == 0)
            return d;
    for (unsigned k = 0; k < s->pv.nvalid; k++)
        if (as_spf_name_in_domain(s->pv.valid[k], d))
            return s->pv.valid[k];
    return s->pv.nvalid ? s->pv.valid[0] : "unknown";
}

int as_spf_expand_target(as_spf *s, as_span spec, unsigned flags,
                         const char *d, const char **out)
{
    if (spec.len == 0) {
        *out = d;
        return 1;
    }
    const char *p = NULL;
    if (flags & AS_SPF_MACRO_USES_P) {
        if (!as_spf_ptr_validate(s))
            return 0;
        p = as_spf_p_value(s, d);
    }
    as_spf_macro_vars v = as_spf_vars_for(s, d, p);
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
        as_spf_oom(s);
        return 0;
    }
    return 1;
}
