/* spf_ip.c - address parsing, CIDR matching and text forms for SPF. */
#include "spf/spf_ip.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int as_spf_ip4_parse(const char *p, size_t len, unsigned char out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= len || p[i] != '.')
                return -1;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9' && i - start < 3) {
            v = v * 10 + (unsigned)(p[i] - '0');
            i++;
        }
        size_t nd = i - start;
        /* qnum: no leading zero, at most 255 */
        if (nd == 0 || v > 255 || (nd > 1 && p[start] == '0'))
            return -1;
        out[part] = (unsigned char)v;
    }
    return i == len ? 0 : -1;
}

int as_spf_ip6_parse(const char *p, size_t len, unsigned char out[16])
{
    unsigned char b[16];
    int ngroups = 0;        /* 16-bit groups written into b */
    int gap = -1;           /* group index where "::" stands */
    size_t i = 0;

    if (len < 2)
        return -1;
    if (p[0] == ':') {
        if (p[1] != ':')
            return -1;
        gap = 0;
        i = 2;
        if (i == len)
            goto done;
    }
    for (;;) {
        /* one group: 1-4 hex digits, or a trailing dotted IPv4 */
        size_t start = i;
        unsigned v = 0;
        while (i < len && i - start < 5 && hexval(p[i]) >= 0) {
            v = (v << 4) | (unsigned)hexval(p[i]);
            i++;
        }
        if (i < len && p[i] == '.') {
            if (ngroups > 6)
                return -1;
            if (as_spf_ip4_parse(p + start, len - start, b + 2 * ngroups) < 0)
                return -1;
            ngroups += 2;
            i = len;
            break;
        }
        size_t nd = i - start;
        if (nd == 0 || nd > 4 || ngroups >= 8)
            return -1;
        b[2 * ngroups] = (unsigned char)(v >> 8);
        b[2 * ngroups + 1] = (unsigned char)v;
        ngroups++;
        if (i == len)
            break;
        if (p[i] != ':')
            return -1;
        i++;
        if (i < len && p[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = ngroups;
            i++;
            if (i == len)
                break;
        } else if (i == len) {
            return -1; /* trailing single colon */
        }
    }
done:
    if (gap < 0) {
        if (ngroups != 8)
            return -1;
        memcpy(out, b, 16);
        return 0;
    }
    if (ngroups > 7)
        return -1; /* "::" must stand for at least one group */
    memset(out, 0, 16);
    memcpy(out, b, (size_t)gap * 2);
    int tail = ngroups - gap;
    memcpy(out + 16 - tail * 2, b + gap * 2, (size_t)tail * 2);
    return 0;
}

int as_spf_ip_parse(const char *p, size_t len, as_spf_ip *out)
{
    memset(out, 0, sizeof *out);
    if (as_spf_ip4_parse(p, len, out->b) == 0)
        return 0;
    if (as_spf_ip6_parse(p, len, out->b) < 0)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0xff, 0xff};
    if (memcmp(out->b, mapped, 12) == 0) {
        memmove(out->b, out->b + 12, 4);
        memset(out->b + 4, 0, 12);
        return 0;
    }
    out->v6 = 1;
    return 0;
}

int as_spf_ip_match(const as_spf_ip *ip, const unsigned char *addr, int v6,
                    unsigned prefix)
{
    if (!ip->v6 != !v6)
        return 0;
    unsigned width = v6 ? 128u : 32u;
    if (prefix > width)
        prefix = width;
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(ip->b, addr, full) != 0)
        return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xff00u >> rest);
        if ((ip->b[full] & mask) != (addr[full] & mask))
            return 0;
    }
    return 1;
}

static size_t put_dec(char *o, unsigned v)
{
    char t[4];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t k = 0; k < n; k++)
        o[k] = t[n - 1 - k];
    return n;
}

static size_t format_v4(const unsigned char *b, char *out)
{
    size_t n = 0;
    for (int k = 0; k < 4; k++) {
        if (k)
            out[n++] = '.';
        n += put_dec(out + n, b[k]);
    }
    out[n] = '\0';
    return n;
}

size_t as_spf_ip_format(const as_spf_ip *ip, char *out)
{
    static const char hex[] = "0123456789abcdef";
    if (!ip->v6)
        return format_v4(ip->b, out);
    unsigned g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (unsigned)ip->b[2 * k] << 8 | ip->b[2 * k + 1];
    /* RFC 5952 4.2: compress the longest run (>= 2) of zero groups, the
     * first one on a tie. */
    int best = -1, bestlen = 1;
    for (int k = 0; k < 8;) {
        if (g[k] != 0) {
            k++;
            continue;
        }
        int s = k;
        while (k < 8 && g[k] == 0)
            k++;
        if (k - s > bestlen) {
            best = s;
            bestlen = k - s;
        }
    }
    size_t n = 0;
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            out[n++] = ':';
            out[n++] = ':';
            k += bestlen - 1;
            continue;
        }
        if (k && !(best >= 0 && k == best + bestlen))
            out[n++] = ':';
        int started = 0;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (g[k] >> sh) & 15u;
            if (d || started || sh == 0) {
                out[n++] = hex[d];
                started = 1;
            }
        }
    }
    out[n] = '\0';
    return n;
}

size_t as_spf_ip_nibbles(const as_spf_ip *ip, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!ip->v6)
        return format_v4(ip->b, out);
    size_t n = 0;
    for (int k = 0; k < 16; k++) {
        if (k)
            out[n++] = '.';
        out[n++] = hex[ip->b[k] >> 4];
        out[n++] = '.';
        out[n++] = hex[ip->b[k] & 15];
    }
    out[n] = '\0';
    return n;
}

size_t as_spf_ip_reverse_name(const as_spf_ip *ip, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (!ip->v6) {
        for (int k = 3; k >= 0; k--) {
            n += put_dec(out + n, ip->b[k]);
            out[n++] = '.';
        }
        memcpy(out + n, "in-addr.arpa", 13);
        return n + 12;
    }
    for (int k = 15; k >= 0; k--) {
        out[n++] = hex[ip->b[k] & 15];
        out[n++] = '.';
        out[n++] = hex[ip->b[k] >> 4];
        out[n++] = '.';
    }
    memcpy(out + n, "ip6.arpa", 9);
    return n + 8;
}
