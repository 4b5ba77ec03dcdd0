/* wire.c - decode a DNS response packet (RFC 1035 4.1) into the answer
 * model of dns.h.
 *
 * The packet comes from libunbound (result->answer_packet) or from a host
 * through the public API, so it is treated as hostile: every read is
 * bounds-checked against the packet length, compression pointers are
 * followed a bounded number of times, and anything malformed turns the
 * whole answer into SERVFAIL (a DNS failure, never data).
 *
 * The walk runs twice over the answer section: once to validate and count
 * the records of the asked type, once to copy them into the arena, so the
 * record array is allocated at its exact size. */
#include <string.h>

#include "dns/dns.h"

#define WIRE_HEADER_LEN 12u        /* RFC 1035 4.1.1 */
#define WIRE_MAX_NAME_OCTETS 255u  /* RFC 1035 2.3.4, wire form */
#define WIRE_MAX_LABEL 63u         /* RFC 1035 2.3.4 */
/* A wire name has at most 127 labels, so an honest name never needs more
 * pointer hops than that; a loop is cut here (RFC 1035 4.1.4). */
#define WIRE_MAX_PTR_HOPS 127u
#define WIRE_RCODE_NOERROR 0
#define WIRE_RCODE_SERVFAIL 2
#define WIRE_RCODE_NXDOMAIN 3
#define WIRE_CLASS_IN 1u
#define WIRE_TYPE_SOA 6u
#define WIRE_BAD 1  /* malformed: distinct from the negative AUTHSCORE_E* */

typedef struct wire {
    const unsigned char *p;
    size_t len;
} wire;

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* RFC 2181 8: a TTL with the top bit set is treated as zero. */
static uint32_t fix_ttl(uint32_t ttl)
{
    return (ttl & 0x80000000u) ? 0 : ttl;
}

/* Read the (possibly compressed) name at *off.  On success *off is moved
 * past the name's in-place bytes and, when out is not NULL, out receives
 * the lowercased presentation form without the trailing dot (the root is
 * ""), NUL-terminated, and *outlen its length.  out must hold
 * AS_DNS_MAX_NAME + 1 bytes.  Labels holding '.' or NUL cannot be written
 * in the model's dotted form and are rejected.  Returns 0 or -1. */
static int read_name(const wire *w, size_t *off, char *out, size_t *outlen)
{
    size_t pos = *off;
    size_t end = 0;         /* where the in-place part ends */
    int jumped = 0;
    unsigned hops = 0;
    size_t octets = 1;      /* wire length, counting the root octet */
    size_t n = 0;           /* presentation length */

    for (;;) {
        if (pos >= w->len)
            return -1;
        unsigned c = w->p[pos];
        if ((c & 0xC0u) == 0xC0u) {
            if (pos + 1 >= w->len || ++hops > WIRE_MAX_PTR_HOPS)
                return -1;
            size_t target = ((size_t)(c & 0x3Fu) << 8) | w->p[pos + 1];
            if (!jumped)
                end = pos + 2;
            jumped = 1;
            pos = target;
            continue;
        }
        if (c & 0xC0u)  /* 0x40 and 0x80: extended label types (RFC 6891) */
            return -1;
        if (c == 0) {
            pos++;
            break;
        }
        if (c > WIRE_MAX_LABEL || pos + 1 + c > w->len)
            return -1;
        octets += 1 + c;
        if (octets > WIRE_MAX_NAME_OCTETS)
            return -1;
        if (out) {
            /* octets <= 255 keeps n + 1 + c within AS_DNS_MAX_NAME + 1. */
            if (n && n < AS_DNS_MAX_NAME)
                out[n++] = '.';
            else if (n)
                return -1;
            for (unsigned i = 0; i < c; i++) {
                char ch = (char)w->p[pos + 1 + i];
                if (ch == '.' || ch == '\0' || n >= AS_DNS_MAX_NAME)
                    return -1;
                out[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
            }
        }
        pos += 1 + c;
    }
    if (out) {
        out[n] = '\0';
        *outlen = n;
    }
    *off = jumped ? end : pos;
    return 0;
}

/* Header of one resource record (RFC 1035 4.1.3). */
typedef struct rr_head {
    uint16_t type, klass;
    uint32_t ttl;
    size_t rdata, rdlen;
} rr_head;

static int read_rr_head(const wire *w, size_t *off, rr_head *h)
{
    if (read_name(w, off, NULL, NULL) < 0)
        return -1;
    size_t o = *off;
    if (w->len - o < 10)  /* read_name keeps o <= len */
        return -1;
    h->type = get16(w->p + o);
    h->klass = get16(w->p + o + 2);
    h->ttl = fix_ttl(get32(w->p + o + 4));
    h->rdlen = get16(w->p + o + 8);
    h->rdata = o + 10;
    if (w->len - h->rdata < h->rdlen)
        return -1;
    *off = h->rdata + h->rdlen;
    return 0;
}

/* Decode one record of the asked type into *rr (fill) or just validate
 * it.  Returns 0, WIRE_BAD or AUTHSCORE_ENOMEM. */
static int decode_rdata(const wire *w, const rr_head *h, as_arena *a,
                        as_dns_rr *rr)
{
    const unsigned char *rd = w->p + h->rdata;
    size_t rdend = h->rdata + h->rdlen;
    char name[AS_DNS_MAX_NAME + 1];
    size_t nlen = 0;

    switch (h->type) {
    case AUTHSCORE_QTYPE_A:
        if (h->rdlen != 4)
            return WIRE_BAD;
        if (rr)
            memcpy(rr->u.a, rd, 4);
        return 0;
    case AUTHSCORE_QTYPE_AAAA:
        if (h->rdlen != 16)
            return WIRE_BAD;
        if (rr)
            memcpy(rr->u.aaaa, rd, 16);
        return 0;
    case AUTHSCORE_QTYPE_TXT: {
        /* RFC 1035 3.3.14: one or more <character-string>s, which must
         * fill the rdata exactly; they are joined (RFC 7208 3.3,
         * RFC 6376 3.6.2.2).  The joined text is shorter than rdlen, so it
         * never exceeds AS_DNS_MAX_TXT. */
        size_t i = 0, total = 0;
        while (i < h->rdlen) {
            size_t sl = rd[i];
            if (h->rdlen - i - 1 < sl)
                return WIRE_BAD;
            total += sl;
            i += 1 + sl;
        }
        if (total > AS_DNS_MAX_TXT)
            return WIRE_BAD;
        if (!rr)
            return 0;
        char *t = as_arena_alloc(a, total + 1);
        if (!t)
            return AUTHSCORE_ENOMEM;
        size_t n = 0;
        for (i = 0; i < h->rdlen; i += 1 + (size_t)rd[i]) {
            memcpy(t + n, rd + i + 1, rd[i]);
            n += rd[i];
        }
        t[n] = '\0';
        rr->u.txt.p = t;
        rr->u.txt.len = n;
        return 0;
    }
    case AUTHSCORE_QTYPE_MX:
    case AUTHSCORE_QTYPE_PTR: {
        size_t off = h->rdata;
        if (h->type == AUTHSCORE_QTYPE_MX) {
            if (h->rdlen < 3)  /* preference + at least the root label */
                return WIRE_BAD;
            off += 2;
        }
        /* The name must end exactly at the rdata's end, and its pointers
         * may only lead backwards out of it (never past the record), so
         * the name is read within [0, rdend). */
        wire sub = {w->p, rdend};
        if (read_name(&sub, &off, name, &nlen) < 0 || off != rdend)
            return WIRE_BAD;
        if (!rr)
            return 0;
        char *copy = as_arena_strndup(a, name, nlen);
        if (!copy)
            return AUTHSCORE_ENOMEM;
        if (h->type == AUTHSCORE_QTYPE_MX) {
            rr->u.mx.pref = get16(rd);
            rr->u.mx.name = copy;
        } else {
            rr->u.ptr.name = copy;
        }
        return 0;
    }
    default:
        return 0;
    }
}

static int is_supported(uint16_t qtype)
{
    return qtype == AUTHSCORE_QTYPE_A || qtype == AUTHSCORE_QTYPE_AAAA ||
           qtype == AUTHSCORE_QTYPE_MX || qtype == AUTHSCORE_QTYPE_TXT ||
           qtype == AUTHSCORE_QTYPE_PTR;
}

/* Walk `count` records from *off.  With rrs NULL: validate and count the
 * records of qtype into *kept.  With rrs: fill them.  Returns 0, WIRE_BAD
 * or AUTHSCORE_ENOMEM. */
static int walk_answers(const wire *w, size_t *off, unsigned count,
                        uint16_t qtype, as_arena *a, as_dns_rr *rrs,
                        size_t *kept, uint32_t *minttl)
{
    size_t k = 0;
    for (unsigned i = 0; i < count; i++) {
        rr_head h;
        if (read_rr_head(w, off, &h) < 0)
            return WIRE_BAD;
        /* CNAMEs (and DNAMEs, RRSIGs) are skipped: the resolver followed
         * the chain, the records we want are those of the asked type. */
        if (h.type != qtype || h.klass != WIRE_CLASS_IN)
            continue;
        if (k >= AS_DNS_MAX_RECORDS)
            continue;  /* validated above by read_rr_head, not kept */
        as_dns_rr *rr = rrs ? &rrs[k] : NULL;
        int rc = decode_rdata(w, &h, a, rr);
        if (rc)
            return rc;
        if (rr) {
            rr->type = qtype;
            rr->ttl = h.ttl;
        }
        if (h.ttl < *minttl)
            *minttl = h.ttl;
        k++;
    }
    *kept = k;
    return 0;
}

/* Negative-answer TTL (RFC 2308 5): min(SOA TTL, SOA MINIMUM) of the SOA in
 * the authority section; UINT32_MAX when there is none. */
static int negative_ttl(const wire *w, size_t off, unsigned nscount,
                        uint32_t *ttl)
{
    for (unsigned i = 0; i < nscount; i++) {
        rr_head h;
        if (read_rr_head(w, &off, &h) < 0)
            return -1;
        if (h.type != WIRE_TYPE_SOA)
            continue;
        size_t o = h.rdata, rdend = h.rdata + h.rdlen;
        wire sub = {w->p, rdend};
        if (read_name(&sub, &o, NULL, NULL) < 0 ||
            read_name(&sub, &o, NULL, NULL) < 0 || rdend - o != 20)
            return -1;
        uint32_t min = fix_ttl(get32(w->p + o + 16));
        uint32_t t = h.ttl < min ? h.ttl : min;
        if (t < *ttl)
            *ttl = t;
    }
    return 0;
}

static int malformed(as_dns_answer *out)
{
    *out = as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL,
                                AUTHSCORE_DNSSEC_INDETERMINATE);
    return 0;
}

int as_dns_parse_packet(as_arena *a, uint16_t qtype, const unsigned char *pkt,
                        size_t len, as_dns_answer *out)
{
    wire w = {pkt, len};
    if (!pkt || len < WIRE_HEADER_LEN || !is_supported(qtype))
        return malformed(out);

    unsigned rcode = pkt[3] & 0x0Fu;
    unsigned qd = get16(pkt + 4), an = get16(pkt + 6), ns = get16(pkt + 8);
    size_t off = WIRE_HEADER_LEN;

    if (rcode != WIRE_RCODE_NOERROR && rcode != WIRE_RCODE_NXDOMAIN)
        return malformed(out);  /* SERVFAIL, REFUSED, FORMERR, ... */

    for (unsigned i = 0; i < qd; i++) {
        if (read_name(&w, &off, NULL, NULL) < 0 || len - off < 4)
            return malformed(out);
        off += 4;
    }

    size_t ans_off = off, kept = 0;
    uint32_t minttl = UINT32_MAX;
    int rc = walk_answers(&w, &off, an, qtype, a, NULL, &kept, &minttl);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc)
        return malformed(out);

    *out = as_dns_answer_status(AUTHSCORE_DNS_OK,
                                AUTHSCORE_DNSSEC_INDETERMINATE);
    if (rcode == WIRE_RCODE_NXDOMAIN || kept == 0) {
        uint32_t nttl = UINT32_MAX;
        if (negative_ttl(&w, off, ns, &nttl) < 0)
            return malformed(out);
        out->status = rcode == WIRE_RCODE_NXDOMAIN ? AUTHSCORE_DNS_NXDOMAIN
                                                   : AUTHSCORE_DNS_NODATA;
        out->ttl = nttl == UINT32_MAX ? 0 : nttl;
        return 0;
    }

    as_dns_rr *rrs = as_arena_calloc(a, kept, sizeof *rrs);
    if (!rrs)
        return AUTHSCORE_ENOMEM;
    size_t filled = 0;
    off = ans_off;
    rc = walk_answers(&w, &off, an, qtype, a, rrs, &filled, &minttl);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc || filled != kept)
        return malformed(out);  /* the second walk sees the same bytes */
    out->count = kept;
    out->rr = rrs;
    out->ttl = minttl;
    return 0;
}
