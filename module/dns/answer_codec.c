/* answer_codec.c - answers as flat bytes for the shared answer cache (see
 * answer_codec.h).  Our own: no Debian library serializes this model. */
#include "dns/answer_codec.h"

#include <string.h>

#define HEAD 8u /* status, dnssec, count, ttl */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int full;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    if (w->full || n > w->cap - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->p + w->len, p, n);
    w->len += n;
}

static void put8(wbuf *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(w, &b, 1);
}

static void put16(wbuf *w, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(w, b, 2);
}

static void put32(wbuf *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(w, b, 4);
}

/* A name as the model keeps it: normalized, or "" (the root, null MX). */
static int name_ok(const char *s, size_t n)
{
    char norm[AS_DNS_MAX_NAME + 1];
    return n == 0 || (as_dns_name_normalize(s, n, norm) == (int)n && memcmp(norm, s, n) == 0);
}

static int put_name(wbuf *w, const char *s)
{
    size_t n = strnlen(s, AS_DNS_MAX_NAME + 1);
    if (n > AS_DNS_MAX_NAME || !name_ok(s, n))
        return -1;
    put8(w, (unsigned)n);
    put(w, s, n);
    return 0;
}

size_t as_dns_answer_encode(uint16_t qtype, const as_dns_answer *ans,
                            unsigned char *out, size_t cap)
{
    if (ans->count > AS_DNS_MAX_RECORDS || ans->status < 0 || ans->status > 255 ||
        ans->dnssec < 0 || ans->dnssec > 255 || (ans->count && !ans->rr))
        return 0;
    wbuf w = {out, 0, cap, 0};
    put8(&w, (unsigned)ans->status);
    put8(&w, (unsigned)ans->dnssec);
    put16(&w, (unsigned)ans->count);
    put32(&w, ans->ttl);
    for (size_t i = 0; i < ans->count; i++) {
        const as_dns_rr *r = &ans->rr[i];
        if (r->type != qtype)
            return 0;
        put32(&w, r->ttl);
        switch (qtype) {
        case AUTHSCORE_QTYPE_A:
            put(&w, r->u.a, 4);
            break;
        case AUTHSCORE_QTYPE_AAAA:
            put(&w, r->u.aaaa, 16);
            break;
        case AUTHSCORE_QTYPE_MX:
            put16(&w, r->u.mx.pref);
            if (put_name(&w, r->u.mx.name) < 0)
                return 0;
            break;
        case AUTHSCORE_QTYPE_PTR:
            if (put_name(&w, r->u.ptr.name) < 0)
                return 0;
            break;
        case AUTHSCORE_QTYPE_TXT:
            if (r->u.txt.len > 0xFFFFu || (r->u.txt.len && !r->u.txt.p))
                return 0;
            put16(&w, (unsigned)r->u.txt.len);
            put(&w, r->u.txt.p, r->u.txt.len);
            break;
        default:
            return 0;
        }
    }
    return w.full ? 0 : w.len;
}

/* ---- decode ---- */

typedef struct rbuf {
    const unsigned char *p;
    size_t len, off;
} rbuf;

static const unsigned char *take(rbuf *r, size_t n)
{
    if (n > r->len - r->off)
        return NULL;
    const unsigned char *at = r->p + r->off;
    r->off += n;
    return at;
}

static int get16(rbuf *r, unsigned *v)
{
    const unsigned char *b = take(r, 2);
    if (!b)
        return -1;
    *v = (unsigned)b[0] | (unsigned)b[1] << 8;
    return 0;
}

static int get32(rbuf *r, uint32_t *v)
{
    const unsigned char *b = take(r, 4);
    if (!b)
        return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

static int arena_fault(const as_arena *a)
{
    return a->limited ? AUTHSCORE_ELIMIT : AUTHSCORE_ENOMEM;
}

/* A name into the arena: 0, AUTHSCORE_EPARSE or the arena's fault. */
static int get_name(rbuf *r, as_arena *a, const char **out)
{
    const unsigned char *n = take(r, 1);
    if (!n || *n > AS_DNS_MAX_NAME)
        return AUTHSCORE_EPARSE;
    const unsigned char *s = take(r, *n);
    if (!s || !name_ok((const char *)s, *n))
        return AUTHSCORE_EPARSE;
    char *copy = as_arena_strndup(a, (const char *)s, *n);
    if (!copy)
        return arena_fault(a);
    *out = copy;
    return 0;
}

static int get_record(rbuf *r, uint16_t qtype, as_arena *a, as_dns_rr *rr)
{
    memset(rr, 0, sizeof *rr);
    rr->type = qtype;
    if (get32(r, &rr->ttl) < 0)
        return AUTHSCORE_EPARSE;
    const unsigned char *b;
    unsigned v;
    switch (qtype) {
    case AUTHSCORE_QTYPE_A:
        if (!(b = take(r, 4)))
            return AUTHSCORE_EPARSE;
        memcpy(rr->u.a, b, 4);
        return 0;
    case AUTHSCORE_QTYPE_AAAA:
        if (!(b = take(r, 16)))
            return AUTHSCORE_EPARSE;
        memcpy(rr->u.aaaa, b, 16);
        return 0;
    case AUTHSCORE_QTYPE_MX:
        if (get16(r, &v) < 0)
            return AUTHSCORE_EPARSE;
        rr->u.mx.pref = (uint16_t)v;
        return get_name(r, a, &rr->u.mx.name);
    case AUTHSCORE_QTYPE_PTR:
        return get_name(r, a, &rr->u.ptr.name);
    case AUTHSCORE_QTYPE_TXT: {
        if (get16(r, &v) < 0 || !(b = take(r, v)))
            return AUTHSCORE_EPARSE;
        char *t = as_arena_strndup(a, (const char *)b, v);
        if (!t)
            return arena_fault(a);
        rr->u.txt.p = t;
        rr->u.txt.len = v;
        return 0;
    }
    default:
        return AUTHSCORE_EPARSE;
    }
}

int as_dns_answer_decode(const unsigned char *p, size_t len, uint16_t qtype,
                         as_arena *a, as_dns_answer *out)
{
    rbuf r = {p, len, 0};
    const unsigned char *h = take(&r, 2);
    unsigned count;
    uint32_t ttl;
    if (!h || get16(&r, &count) < 0 || get32(&r, &ttl) < 0)
        return AUTHSCORE_EPARSE;
    int status = h[0], dnssec = h[1];
    /* Records exactly when the answer is OK: what every backend gives. */
    if (status > AUTHSCORE_DNS_TIMEOUT || dnssec > AUTHSCORE_DNSSEC_BOGUS ||
        count > AS_DNS_MAX_RECORDS || (status == AUTHSCORE_DNS_OK) != (count > 0))
        return AUTHSCORE_EPARSE;
    as_dns_rr *rr = NULL;
    if (count) {
        rr = as_arena_calloc(a, count, sizeof *rr);
        if (!rr)
            return arena_fault(a);
    }
    for (unsigned i = 0; i < count; i++) {
        int rc = get_record(&r, qtype, a, &rr[i]);
        if (rc < 0)
            return rc;
    }
    if (r.off != len)
        return AUTHSCORE_EPARSE;
    *out = as_dns_answer_status(status, dnssec);
    out->ttl = ttl;
    out->count = count;
    out->rr = rr;
    return 0;
}
