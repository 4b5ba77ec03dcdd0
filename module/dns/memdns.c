/* memdns.c - in-memory DNS backend (see memdns.h).
 *
 * One hash table holds records, CNAMEs, simulated failures and
 * empty-non-terminal markers (every proper suffix of a record's name
 * exists, so asking it gives NODATA, as real DNS does). */
#include "dns/memdns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QT_CNAME 5
#define MAX_CNAME_HOPS 8
#define MEMDNS_TTL 300
#define MAX_LINE 70000
#define MAX_ZONES 256

enum { K_RR, K_CNAME, K_FAIL, K_ENT };

typedef struct rec {
    struct rec *next;
    char *name;
    size_t nlen;
    uint32_t hash;
    uint16_t type;   /* K_RR: qtype; K_FAIL: qtype or 0 for all */
    uint8_t kind;
    int status;      /* K_FAIL */
    char *data;      /* K_RR text form, K_CNAME target */
    size_t len;
} rec;

typedef struct zone {
    char *name;
    size_t len;
    int dnssec;
    char *why;
} zone;

struct as_memdns {
    rec **buckets;
    size_t nbuckets, nrecs;
    zone zones[MAX_ZONES];
    size_t nzones;
    unsigned long queries;
};

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

as_memdns *as_memdns_new(void)
{
    as_memdns *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->nbuckets = 256;
    m->buckets = calloc(m->nbuckets, sizeof *m->buckets);
    if (!m->buckets) {
        free(m);
        return NULL;
    }
    return m;
}

void as_memdns_free(as_memdns *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        rec *r = m->buckets[i];
        while (r) {
            rec *n = r->next;
            free(r->name);
            free(r->data);
            free(r);
            r = n;
        }
    }
    for (size_t i = 0; i < m->nzones; i++) {
        free(m->zones[i].name);
        free(m->zones[i].why);
    }
    free(m->buckets);
    free(m);
}

static int grow(as_memdns *m)
{
    size_t nb = m->nbuckets * 2;
    rec **b = calloc(nb, sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0; i < m->nbuckets; i++) {
        rec *r = m->buckets[i];
        while (r) {
            rec *n = r->next;
            r->next = b[r->hash & (nb - 1)];
            b[r->hash & (nb - 1)] = r;
            r = n;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
    return 0;
}

static int insert(as_memdns *m, const char *name, size_t nlen, uint8_t kind,
                  uint16_t type, int status, const char *data, size_t len)
{
    if (m->nrecs >= m->nbuckets && grow(m) < 0)
        return AUTHSCORE_ENOMEM;
    rec *r = calloc(1, sizeof *r);
    if (!r)
        return AUTHSCORE_ENOMEM;
    r->name = malloc(nlen + 1);
    r->data = data ? malloc(len + 1) : NULL;
    if (!r->name || (data && !r->data)) {
        free(r->name);
        free(r->data);
        free(r);
        return AUTHSCORE_ENOMEM;
    }
    memcpy(r->name, name, nlen);
    r->name[nlen] = '\0';
    if (data) {
        memcpy(r->data, data, len);
        r->data[len] = '\0';
    }
    r->nlen = nlen;
    r->len = len;
    r->kind = kind;
    r->type = type;
    r->status = status;
    r->hash = hash_name(name, nlen);
    r->next = m->buckets[r->hash & (m->nbuckets - 1)];
    m->buckets[r->hash & (m->nbuckets - 1)] = r;
    m->nrecs++;
    return 0;
}

static const rec *find(const as_memdns *m, const char *name, size_t nlen,
                       uint8_t kind, uint16_t type, const rec *after)
{
    uint32_t h = hash_name(name, nlen);
    const rec *r = after ? after->next : m->buckets[h & (m->nbuckets - 1)];
    for (; r; r = r->next)
        if (r->hash == h && r->kind == kind && (type == 0xffff || r->type == type) &&
            r->nlen == nlen && memcmp(r->name, name, nlen) == 0)
            return r;
    return NULL;
}

static int name_exists(const as_memdns *m, const char *name, size_t nlen)
{
    return find(m, name, nlen, K_RR, 0xffff, NULL) ||
           find(m, name, nlen, K_CNAME, 0xffff, NULL) ||
           find(m, name, nlen, K_ENT, 0xffff, NULL);
}

/* Mark every proper suffix of a name as existing (empty non-terminals). */
static int add_ents(as_memdns *m, const char *name, size_t nlen)
{
    for (size_t i = 0; i < nlen; i++) {
        if (name[i] != '.')
            continue;
        const char *s = name + i + 1;
        size_t sl = nlen - i - 1;
        if (sl == 0 || find(m, s, sl, K_ENT, 0xffff, NULL))
            continue;
        int rc = insert(m, s, sl, K_ENT, 0, 0, NULL, 0);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int norm(const char *name, char *out)
{
    return as_dns_name_normalize(name, strlen(name), out);
}

int as_memdns_add(as_memdns *m, const char *name, uint16_t qtype,
                  const char *rdata, size_t len)
{
    char n[AS_DNS_MAX_NAME + 1];
    int nl = norm(name, n);
    if (nl < 0 || len > AS_DNS_MAX_TXT)
        return AUTHSCORE_EINVAL;
    /* Reject records the text parser would refuse, at load time. */
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_dns_rr rr;
    int rc = as_dns_rr_from_text(&a, qtype, rdata, len, 0, &rr);
    as_arena_free(&a);
    if (rc < 0)
        return rc == AUTHSCORE_ENOMEM ? rc : AUTHSCORE_EINVAL;
    rc = insert(m, n, (size_t)nl, K_RR, qtype, 0, rdata, len);
    return rc < 0 ? rc : add_ents(m, n, (size_t)nl);
}

int as_memdns_add_cname(as_memdns *m, const char *name, const char *target)
{
    char n[AS_DNS_MAX_NAME + 1], t[AS_DNS_MAX_NAME + 1];
    int nl = norm(name, n), tl = norm(target, t);
    if (nl < 0 || tl < 0)
        return AUTHSCORE_EINVAL;
    int rc = insert(m, n, (size_t)nl, K_CNAME, QT_CNAME, 0, t, (size_t)tl);
    return rc < 0 ? rc : add_ents(m, n, (size_t)nl);
}

int as_memdns_set_status(as_memdns *m, const char *name, uint16_t qtype,
                         int status)
{
    char n[AS_DNS_MAX_NAME + 1];
    int nl = norm(name, n);
    if (nl < 0 || (status != AUTHSCORE_DNS_TIMEOUT && status != AUTHSCORE_DNS_SERVFAIL &&
                   status != AUTHSCORE_DNS_NXDOMAIN && status != AUTHSCORE_DNS_NODATA))
        return AUTHSCORE_EINVAL;
    return insert(m, n, (size_t)nl, K_FAIL, qtype, status, NULL, 0);
}

int as_memdns_set_dnssec(as_memdns *m, const char *zone_name, int dnssec,
                         const char *why_bogus)
{
    char n[AS_DNS_MAX_NAME + 1];
    int nl = norm(zone_name, n);
    if (nl < 0 || dnssec < AUTHSCORE_DNSSEC_INDETERMINATE || dnssec > AUTHSCORE_DNSSEC_BOGUS)
        return AUTHSCORE_EINVAL;
    if (m->nzones >= MAX_ZONES)
        return AUTHSCORE_ELIMIT;
    zone *z = &m->zones[m->nzones];
    z->name = strdup(n);
    z->why = why_bogus ? strdup(why_bogus) : NULL;
    if (!z->name || (why_bogus && !z->why)) {
        free(z->name);
        free(z->why);
        return AUTHSCORE_ENOMEM;
    }
    z->len = (size_t)nl;
    z->dnssec = dnssec;
    m->nzones++;
    return 0;
}

static const zone *zone_of(const as_memdns *m, const char *name, size_t nlen)
{
    const zone *best = NULL;
    for (size_t i = 0; i < m->nzones; i++) {
        const zone *z = &m->zones[i];
        int match = z->len == nlen ? memcmp(z->name, name, nlen) == 0
                    : z->len < nlen && name[nlen - z->len - 1] == '.' &&
                          memcmp(z->name, name + nlen - z->len, z->len) == 0;
        if (match && (!best || z->len > best->len))
            best = z;
    }
    return best;
}

int as_memdns_lookup(const as_memdns *m, as_arena *a, const char *qname,
                     uint16_t qtype, as_dns_answer *out)
{
    char n[AS_DNS_MAX_NAME + 1];
    int nl = norm(qname, n);
    ((as_memdns *)m)->queries++;
    if (nl < 0) {
        *out = as_dns_answer_status(AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_INSECURE);
        return 0;
    }
    for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
        const zone *z = zone_of(m, n, (size_t)nl);
        int dnssec = z ? z->dnssec : AUTHSCORE_DNSSEC_INSECURE;
        const char *why = z && z->dnssec == AUTHSCORE_DNSSEC_BOGUS ? z->why : NULL;
        const rec *f = find(m, n, (size_t)nl, K_FAIL, qtype, NULL);
        if (!f)
            f = find(m, n, (size_t)nl, K_FAIL, 0, NULL);
        if (f) {
            *out = as_dns_answer_status(f->status, f->status == AUTHSCORE_DNS_TIMEOUT
                                                       ? AUTHSCORE_DNSSEC_INDETERMINATE
                                                       : dnssec);
            out->why_bogus = why;
            return 0;
        }
        size_t count = 0;
        for (const rec *r = find(m, n, (size_t)nl, K_RR, qtype, NULL); r;
             r = find(m, n, (size_t)nl, K_RR, qtype, r))
            count++;
        if (count) {
            if (count > AS_DNS_MAX_RECORDS)
                count = AS_DNS_MAX_RECORDS;
            as_dns_rr *rr = as_arena_calloc(a, count, sizeof *rr);
            if (!rr)
                return AUTHSCORE_ENOMEM;
            size_t i = 0;
            /* Chains are newest-first; fill from the back to keep file order. */
            for (const rec *r = find(m, n, (size_t)nl, K_RR, qtype, NULL); r && i < count;
                 r = find(m, n, (size_t)nl, K_RR, qtype, r), i++) {
                int rc = as_dns_rr_from_text(a, qtype, r->data, r->len, MEMDNS_TTL,
                                             &rr[count - 1 - i]);
                if (rc < 0)
                    return rc == AUTHSCORE_ENOMEM ? rc : AUTHSCORE_EPARSE;
            }
            *out = as_dns_answer_status(AUTHSCORE_DNS_OK, dnssec);
            out->why_bogus = why;
            out->ttl = MEMDNS_TTL;
            out->count = count;
            out->rr = rr;
            return 0;
        }
        const rec *c = find(m, n, (size_t)nl, K_CNAME, 0xffff, NULL);
        if (c) {
            memcpy(n, c->data, c->len + 1);
            nl = (int)c->len;
            continue;
        }
        *out = as_dns_answer_status(name_exists(m, n, (size_t)nl) ? AUTHSCORE_DNS_NODATA
                                                                  : AUTHSCORE_DNS_NXDOMAIN,
                                    dnssec);
        out->why_bogus = why;
        out->ttl = MEMDNS_TTL;
        return 0;
    }
    /* CNAME chain too long: a resolver gives SERVFAIL. */
    *out = as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNSSEC_INDETERMINATE);
    return 0;
}

int as_memdns_drive(as_memdns *m, as_qtab *t, unsigned *waves)
{
    static const unsigned max = AS_QTAB_MAX_QUESTIONS;
    uint32_t ids[AS_QTAB_MAX_QUESTIONS];
    const char *names[AS_QTAB_MAX_QUESTIONS];
    uint16_t types[AS_QTAB_MAX_QUESTIONS];
    unsigned w = 0;
    as_arena *a = as_qtab_arena(t);
    for (;;) {
        unsigned n = 0;
        while (n < max && as_qtab_next_unsent(t, &ids[n], &names[n], &types[n]) == 1)
            n++;
        if (n == 0)
            break;
        w++;
        for (unsigned i = 0; i < n; i++) {
            as_dns_answer ans;
            int rc = as_memdns_lookup(m, a, names[i], types[i], &ans);
            if (rc < 0)
                ans = as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL,
                                           AUTHSCORE_DNSSEC_INDETERMINATE);
            as_qtab_answer(t, ids[i], &ans);
        }
    }
    if (waves)
        *waves = w;
    return 0;
}

unsigned long as_memdns_queries(const as_memdns *m) { return m->queries; }

/* ---- zone-like text files ---------------------------------------------- */

static int qtype_from_word(const char *w)
{
    static const struct { const char *n; int t; } map[] = {
        {"A", AUTHSCORE_QTYPE_A},     {"AAAA", AUTHSCORE_QTYPE_AAAA},
        {"MX", AUTHSCORE_QTYPE_MX},   {"TXT", AUTHSCORE_QTYPE_TXT},
        {"PTR", AUTHSCORE_QTYPE_PTR}, {"CNAME", QT_CNAME},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(w, map[i].n) == 0)
            return map[i].t;
    return -1;
}

/* Parse one or more "quoted strings" (joined) into out; returns length or -1. */
static long parse_quoted(const char *p, char *out, size_t cap)
{
    size_t o = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p != '"')
            return -1;
        p++;
        while (*p && *p != '"') {
            char c = *p++;
            if (c == '\\') {
                if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
                    p[2] >= '0' && p[2] <= '9') {
                    int v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
                    if (v > 255)
                        return -1;
                    c = (char)v;
                    p += 3;
                } else if (*p) {
                    c = *p++;
                } else {
                    return -1;
                }
            }
            if (o >= cap)
                return -1;
            out[o++] = c;
        }
        if (*p != '"')
            return -1;
        p++;
    }
    return (long)o;
}

static int load_line(as_memdns *m, char *line, char *scratch)
{
    char *save = NULL;
    /* Strip comments outside quotes. */
    int inq = 0;
    for (char *c = line; *c; c++) {
        if (*c == '"' && (c == line || c[-1] != '\\'))
            inq = !inq;
        else if (*c == '#' && !inq) {
            *c = '\0';
            break;
        }
    }
    char *name = strtok_r(line, " \t\r\n", &save);
    if (!name)
        return 0;
    char *word = strtok_r(NULL, " \t\r\n", &save);
    if (!word)
        return AUTHSCORE_EPARSE;
    char *rest = save ? save : (char *)"";
    while (*rest == ' ' || *rest == '\t')
        rest++;
    size_t rl = strlen(rest);
    while (rl && (rest[rl - 1] == '\n' || rest[rl - 1] == '\r' || rest[rl - 1] == ' ' ||
                  rest[rl - 1] == '\t'))
        rest[--rl] = '\0';

    if (!strcasecmp(word, "TIMEOUT") || !strcasecmp(word, "SERVFAIL")) {
        int qt = rl ? qtype_from_word(rest) : 0;
        if (qt < 0)
            return AUTHSCORE_EPARSE;
        return as_memdns_set_status(m, name, (uint16_t)qt,
                                    !strcasecmp(word, "TIMEOUT") ? AUTHSCORE_DNS_TIMEOUT
                                                                 : AUTHSCORE_DNS_SERVFAIL);
    }
    if (!strcasecmp(word, "SECURE"))
        return as_memdns_set_dnssec(m, name, AUTHSCORE_DNSSEC_SECURE, NULL);
    if (!strcasecmp(word, "INSECURE"))
        return as_memdns_set_dnssec(m, name, AUTHSCORE_DNSSEC_INSECURE, NULL);
    if (!strcasecmp(word, "BOGUS"))
        return as_memdns_set_dnssec(m, name, AUTHSCORE_DNSSEC_BOGUS, rl ? rest : "bogus");
    int qt = qtype_from_word(word);
    if (qt < 0 || rl == 0)
        return AUTHSCORE_EPARSE;
    if (qt == QT_CNAME)
        return as_memdns_add_cname(m, name, rest);
    if (qt == AUTHSCORE_QTYPE_TXT && rest[0] == '"') {
        long n = parse_quoted(rest, scratch, MAX_LINE);
        if (n < 0)
            return AUTHSCORE_EPARSE;
        return as_memdns_add(m, name, (uint16_t)qt, scratch, (size_t)n);
    }
    return as_memdns_add(m, name, (uint16_t)qt, rest, rl);
}

int as_memdns_load_file(as_memdns *m, const char *path, unsigned *line)
{
    FILE *f = fopen(path, "r");
    if (line)
        *line = 0;
    if (!f)
        return AUTHSCORE_EIO;
    char *buf = malloc(MAX_LINE + 1), *scratch = malloc(MAX_LINE + 1);
    int rc = 0;
    unsigned ln = 0;
    if (!buf || !scratch)
        rc = AUTHSCORE_ENOMEM;
    while (rc == 0 && fgets(buf, MAX_LINE + 1, f)) {
        ln++;
        size_t l = strlen(buf);
        if (l == MAX_LINE && buf[l - 1] != '\n') {
            rc = AUTHSCORE_ELIMIT;
            break;
        }
        rc = load_line(m, buf, scratch);
        if (rc < 0 && rc != AUTHSCORE_ENOMEM)
            rc = AUTHSCORE_EPARSE;
    }
    if (line)
        *line = ln;
    free(buf);
    free(scratch);
    fclose(f);
    return rc;
}
