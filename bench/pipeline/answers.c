/* answers.c - see answers.h.  Open addressing, grown at 50% load; the
 * entries and their text live in one arena for the benchmark's lifetime. */
#include "answers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

typedef struct slot {
    uint64_t hash;
    char *name;
    int qtype;
    bench_answer ans;
} slot;

struct bench_answers {
    const as_memdns *dns;
    as_arena arena;
    slot *slots;
    size_t cap, used;
};

bench_answers *bench_answers_new(const as_memdns *dns)
{
    bench_answers *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->dns = dns;
    as_arena_init(&c->arena, (size_t)1 << 30);
    c->cap = 1024;
    c->slots = calloc(c->cap, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    return c;
}

void bench_answers_free(bench_answers *c)
{
    if (!c)
        return;
    as_arena_free(&c->arena);
    free(c->slots);
    free(c);
}

/* FNV-1a over the lowercased name and the type. */
static uint64_t hash_of(const char *name, int qtype)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)qtype;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32) : *p;
        h = (h ^ ch) * 1099511628211ull;
    }
    return h | 1;
}

static int grow(bench_answers *c)
{
    size_t ncap = c->cap * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->slots[i].hash)
            continue;
        size_t j = c->slots[i].hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return 0;
}

/* Text form of one record (authscore_msg_answer's convention). */
static char *rr_text(as_arena *a, const as_dns_rr *rr, size_t *len)
{
    char buf[INET6_ADDRSTRLEN + 8];
    char *s = NULL;
    switch (rr->type) {
    case AUTHSCORE_QTYPE_TXT:
        *len = rr->u.txt.len;
        return as_arena_strndup(a, rr->u.txt.p, rr->u.txt.len);
    case AUTHSCORE_QTYPE_A:
        s = as_arena_strdup(a, inet_ntop(AF_INET, rr->u.a, buf, sizeof buf));
        break;
    case AUTHSCORE_QTYPE_AAAA:
        s = as_arena_strdup(a, inet_ntop(AF_INET6, rr->u.aaaa, buf, sizeof buf));
        break;
    case AUTHSCORE_QTYPE_MX:
        s = as_arena_printf(a, "%u %s", rr->u.mx.pref, rr->u.mx.name);
        break;
    case AUTHSCORE_QTYPE_PTR:
        s = as_arena_strdup(a, rr->u.ptr.name);
        break;
    }
    *len = s ? strlen(s) : 0;
    return s;
}

static int fill(bench_answers *c, slot *s, const char *name, int qtype)
{
    as_arena tmp;
    as_arena_init(&tmp, (size_t)64 << 20);
    as_dns_answer ans;
    int rc = as_memdns_lookup(c->dns, &tmp, name, (uint16_t)qtype, &ans);
    if (rc < 0) {
        as_arena_free(&tmp);
        return rc;
    }
    bench_answer *b = &s->ans;
    b->status = ans.status;
    b->dnssec = ans.dnssec;
    b->why = ans.why_bogus ? as_arena_strdup(&c->arena, ans.why_bogus) : NULL;
    b->ttl = ans.ttl;
    b->count = ans.count;
    b->rdata = as_arena_calloc(&c->arena, ans.count + 1, sizeof *b->rdata);
    b->len = as_arena_calloc(&c->arena, ans.count + 1, sizeof *b->len);
    rc = b->rdata && b->len ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < ans.count; i++) {
        b->rdata[i] = rr_text(&c->arena, &ans.rr[i], &b->len[i]);
        if (!b->rdata[i])
            rc = -1;
    }
    as_arena_free(&tmp);
    return rc;
}

const bench_answer *bench_answers_get(bench_answers *c, const char *name,
                                      int qtype)
{
    uint64_t h = hash_of(name, qtype);
    size_t i = h & (c->cap - 1);
    for (; c->slots[i].hash; i = (i + 1) & (c->cap - 1)) {
        slot *s = &c->slots[i];
        if (s->hash == h && s->qtype == qtype && !strcasecmp(s->name, name))
            return &s->ans;
    }
    if ((c->used + 1) * 2 > c->cap) {
        if (grow(c))
            return NULL;
        return bench_answers_get(c, name, qtype);
    }
    slot *s = &c->slots[i];
    s->name = as_arena_strdup(&c->arena, name);
    if (!s->name || fill(c, s, name, qtype))
        return NULL;
    s->hash = h;
    s->qtype = qtype;
    c->used++;
    return &s->ans;
}

int bench_answers_give(authscore_msg *m, uint32_t id, const bench_answer *a)
{
    return authscore_msg_answer(m, id, a->status, a->dnssec, a->why, a->ttl,
                                a->rdata, a->len, a->count);
}
