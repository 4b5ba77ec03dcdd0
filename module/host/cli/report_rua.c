/* report_rua.c - see report_rua.h. */
#include "host/cli/report_rua.h"

#include <string.h>
#include <strings.h>

static int atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-.", c));
}

int rua_address_ok(const char *p, size_t n)
{
    const char *at = memchr(p, '@', n);
    if (!at || at == p || at + 1 == p + n || n > 254)
        return 0;
    for (const char *q = p; q < at; q++)
        if (!atext((unsigned char)*q))
            return 0;
    for (const char *q = at + 1; q < p + n; q++) {
        unsigned char c = (unsigned char)*q;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

/* d equal to parent or below it. */
static int within(const char *d, size_t dl, const char *parent)
{
    size_t pl = strlen(parent);
    if (dl < pl || strncasecmp(d + dl - pl, parent, pl) != 0)
        return 0;
    return dl == pl || d[dl - pl - 1] == '.';
}

/* RFC 7489 6.2's size suffix: digits and an optional k, m, g or t. */
static int size_limit(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        if (v > UINT64_MAX / 10 - 9)
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (i == 0)
        return -1;
    unsigned shift = 0;
    if (i + 1 == n) {
        const char *u = strchr("kmgt", p[i] | 0x20);
        if (!u || !p[i])
            return -1;
        shift = 10u * (unsigned)(u - "kmgt" + 1);
    } else if (i != n) {
        return -1;
    }
    *out = shift && v > (UINT64_MAX >> shift) ? UINT64_MAX : v << shift;
    return 0;
}

static int one(const char *u, size_t n, const rua_policy *p, FILE *why, rua_target *t)
{
    while (n && (*u == ' ' || *u == '\t'))
        u++, n--;
    while (n && (u[n - 1] == ' ' || u[n - 1] == '\t'))
        n--;
    if (n < 7 || strncasecmp(u, "mailto:", 7) != 0) {
        fprintf(why, "  rua %.*s: not a mailto: URI, left out\n", (int)(n > 200 ? 200 : n), u);
        return -1;
    }
    const char *a = u + 7;
    size_t al = n - 7;
    const char *bang = memchr(a, '!', al);
    uint64_t limit = 0;
    if (bang) {
        if (size_limit(bang + 1, (size_t)(a + al - bang - 1), &limit) < 0) {
            fprintf(why, "  rua %.*s: bad size suffix, left out\n", (int)(n > 200 ? 200 : n), u);
            return -1;
        }
        al = (size_t)(bang - a);
    }
    const char *q = memchr(a, '?', al);
    if (q)
        al = (size_t)(q - a);
    if (!rua_address_ok(a, al)) {
        fprintf(why, "  rua %.*s: not a plain address, left out\n", (int)(n > 200 ? 200 : n), u);
        return -1;
    }
    const char *dom = (const char *)memchr(a, '@', al) + 1;
    size_t dl = (size_t)(a + al - dom);
    int inside = within(dom, dl, p->org_domain) || within(dom, dl, p->domain);
    for (size_t i = 0; !inside && i < p->n_external_ok; i++)
        inside = dl == strlen(p->external_ok[i]) &&
                 strncasecmp(dom, p->external_ok[i], dl) == 0;
    if (!inside) {
        fprintf(why, "  rua %.*s: outside %s; verify the TXT record %s._report._dmarc.%.*s "
                     "and give --external-ok %.*s\n", (int)al, a, p->org_domain, p->domain,
                (int)dl, dom, (int)dl, dom);
        return -1;
    }
    if (p->max_size && (!limit || limit > p->max_size))
        limit = p->max_size;
    t->addr = a;
    t->len = al;
    t->limit = limit;
    return 0;
}

size_t rua_targets(const char *rua, const rua_policy *p, rua_target *out, FILE *why)
{
    size_t count = 0, uris = 0;
    while (*rua && uris++ < RUA_MAX_URIS) {
        const char *comma = strchr(rua, ',');
        size_t n = comma ? (size_t)(comma - rua) : strlen(rua);
        if (one(rua, n, p, why, &out[count]) == 0)
            count++;
        if (!comma)
            break;
        rua = comma + 1;
    }
    return count;
}

void rua_join(const rua_target *t, size_t n, char *to)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            memcpy(to + len, ", ", 2), len += 2;
        memcpy(to + len, t[i].addr, t[i].len);
        len += t[i].len;
    }
    to[len] = '\0';
}
