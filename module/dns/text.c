/* text.c - records in the text form of the public sans-I/O API. */
#include <arpa/inet.h>
#include <string.h>

#include "dns/dns.h"

/* Copy a name, normalized, into the arena. */
static const char *name_copy(as_arena *a, const char *p, size_t len)
{
    char tmp[AS_DNS_MAX_NAME + 1];
    /* The root name "." (null MX, RFC 7505) is kept as "". */
    if (len == 1 && p[0] == '.')
        return as_arena_strdup(a, "");
    int n = as_dns_name_normalize(p, len, tmp);
    if (n < 0)
        return NULL;
    return as_arena_strndup(a, tmp, (size_t)n);
}

int as_dns_rr_from_text(as_arena *a, uint16_t qtype, const char *p, size_t len,
                        uint32_t ttl, as_dns_rr *out)
{
    memset(out, 0, sizeof *out);
    out->type = qtype;
    out->ttl = ttl;
    char tmp[64];
    switch (qtype) {
    case AUTHSCORE_QTYPE_TXT: {
        if (len > AS_DNS_MAX_TXT)
            return AUTHSCORE_EPARSE;
        char *d = as_arena_strndup(a, p, len);
        if (!d)
            return AUTHSCORE_ENOMEM;
        out->u.txt.p = d;
        out->u.txt.len = len;
        return 0;
    }
    case AUTHSCORE_QTYPE_A:
    case AUTHSCORE_QTYPE_AAAA:
        if (len == 0 || len >= sizeof tmp)
            return AUTHSCORE_EPARSE;
        memcpy(tmp, p, len);
        tmp[len] = '\0';
        if (inet_pton(qtype == AUTHSCORE_QTYPE_A ? AF_INET : AF_INET6, tmp,
                      qtype == AUTHSCORE_QTYPE_A ? (void *)out->u.a
                                                 : (void *)out->u.aaaa) != 1)
            return AUTHSCORE_EPARSE;
        return 0;
    case AUTHSCORE_QTYPE_MX: {
        size_t i = 0;
        unsigned long pref = 0;
        while (i < len && p[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && p[i] >= '0' && p[i] <= '9' && pref <= 65535)
            pref = pref * 10 + (unsigned long)(p[i++] - '0');
        if (i == start || pref > 65535 || i >= len || p[i] != ' ')
            return AUTHSCORE_EPARSE;
        while (i < len && p[i] == ' ')
            i++;
        size_t end = len;
        while (end > i && p[end - 1] == ' ')
            end--;
        const char *n = name_copy(a, p + i, end - i);
        if (!n)
            return a->limited ? AUTHSCORE_ENOMEM : AUTHSCORE_EPARSE;
        out->u.mx.pref = (uint16_t)pref;
        out->u.mx.name = n;
        return 0;
    }
    case AUTHSCORE_QTYPE_PTR: {
        const char *n = name_copy(a, p, len);
        if (!n)
            return a->limited ? AUTHSCORE_ENOMEM : AUTHSCORE_EPARSE;
        out->u.ptr.name = n;
        return 0;
    }
    default:
        return AUTHSCORE_EINVAL;
    }
}
