/* qtab.c - per-message question table (see qtab.h for the contract). */
#include "dns/qtab.h"

#include <string.h>

#define CHUNK 64u
#define MAX_CHUNKS ((AS_QTAB_MAX_QUESTIONS + CHUNK - 1) / CHUNK)
/* Askers per question, summed: dedup hits cost a waiter, not a question. */
#define WAITERS_PER_QUESTION 8u

enum { Q_UNSENT, Q_SENT, Q_ANSWERED };

typedef struct waiter {
    struct waiter *next;
    as_answer_fn fn;
    void *engine;
    uintptr_t cookie;
    unsigned depth; /* depth to deliver at (ready queue only) */
    struct entry *entry;
} waiter;

typedef struct entry {
    const char *name;
    size_t name_len;
    uint16_t qtype;
    uint8_t state;
    unsigned depth;
    as_dns_answer ans;
    waiter *waiters, **waiters_tail;
} entry;

struct as_qtab {
    as_arena *a;
    unsigned max, count, cursor;
    unsigned outstanding, waiters, max_waiters;
    unsigned cur_depth, rounds;
    unsigned hits, misses;
    int flushing;
    as_dns_cache *cache;
    waiter *ready, **ready_tail;
    entry *chunks[MAX_CHUNKS];
};

as_qtab *as_qtab_new(as_arena *a, unsigned max)
{
    as_qtab *t = as_arena_calloc(a, 1, sizeof *t);
    if (!t)
        return NULL;
    t->a = a;
    t->max = (max == 0 || max > AS_QTAB_MAX_QUESTIONS) ? AS_QTAB_MAX_QUESTIONS : max;
    t->max_waiters = t->max * WAITERS_PER_QUESTION;
    t->ready_tail = &t->ready;
    return t;
}

static entry *at(const as_qtab *t, unsigned id)
{
    return &t->chunks[id / CHUNK][id % CHUNK];
}

static void enqueue_ready(as_qtab *t, waiter *w, entry *e, unsigned depth)
{
    w->next = NULL;
    w->entry = e;
    w->depth = depth;
    *t->ready_tail = w;
    t->ready_tail = &w->next;
}

int as_qtab_ask(as_qtab *t, const char *name, size_t len, uint16_t qtype,
                as_answer_fn fn, void *engine, uintptr_t cookie)
{
    char norm[AS_DNS_MAX_NAME + 1];
    int n = as_dns_name_normalize(name, len, norm);
    if (n < 0)
        return AUTHSCORE_EINVAL;
    if (t->waiters >= t->max_waiters)
        return AUTHSCORE_ELIMIT;
    waiter *w = as_arena_alloc(t->a, sizeof *w);
    if (!w)
        return AUTHSCORE_ENOMEM;
    w->fn = fn;
    w->engine = engine;
    w->cookie = cookie;
    w->next = NULL;

    for (unsigned i = 0; i < t->count; i++) {
        entry *e = at(t, i);
        if (e->qtype != qtype || e->name_len != (size_t)n ||
            memcmp(e->name, norm, (size_t)n) != 0)
            continue;
        t->waiters++;
        if (e->state == Q_ANSWERED) {
            unsigned d = e->depth > t->cur_depth ? e->depth : t->cur_depth;
            enqueue_ready(t, w, e, d);
        } else {
            w->entry = e;
            *e->waiters_tail = w;
            e->waiters_tail = &w->next;
        }
        return 0;
    }

    if (t->count >= t->max)
        return AUTHSCORE_ELIMIT;
    if (t->count % CHUNK == 0) {
        entry *c = as_arena_calloc(t->a, CHUNK, sizeof *c);
        if (!c)
            return AUTHSCORE_ENOMEM;
        t->chunks[t->count / CHUNK] = c;
    }
    char *copy = as_arena_strndup(t->a, norm, (size_t)n);
    if (!copy)
        return AUTHSCORE_ENOMEM;
    as_dns_answer hit;
    int cached = t->cache ? as_dns_cache_get(t->cache, copy, (size_t)n, qtype, t->a, &hit) : 0;
    if (cached < 0)
        return cached; /* the copy did not fit this message: its fault */
    entry *e = at(t, t->count);
    e->name = copy;
    e->name_len = (size_t)n;
    e->qtype = qtype;
    e->state = Q_UNSENT;
    e->depth = t->cur_depth + 1;
    if (e->depth > t->rounds)
        t->rounds = e->depth;
    e->waiters_tail = &e->waiters;
    t->count++;
    t->waiters++;
    if (cached) {
        t->hits++;
        e->state = Q_ANSWERED;
        e->ans = hit;
        enqueue_ready(t, w, e, e->depth);
    } else {
        if (t->cache)
            t->misses++;
        w->entry = e;
        e->waiters = w;
        e->waiters_tail = &w->next;
    }
    return 0;
}

void as_qtab_set_cache(as_qtab *t, as_dns_cache *c) { t->cache = c; }

void as_qtab_flush(as_qtab *t)
{
    if (t->flushing)
        return; /* the outer loop delivers what callbacks enqueue */
    t->flushing = 1;
    while (t->ready) {
        waiter *w = t->ready;
        t->ready = w->next;
        if (!t->ready)
            t->ready_tail = &t->ready;
        unsigned saved = t->cur_depth;
        t->cur_depth = w->depth;
        w->fn(w->engine, w->cookie, &w->entry->ans);
        t->cur_depth = saved;
    }
    t->flushing = 0;
}

int as_qtab_next_unsent(as_qtab *t, uint32_t *id, const char **name,
                        uint16_t *qtype)
{
    as_qtab_flush(t);
    while (t->cursor < t->count && at(t, t->cursor)->state != Q_UNSENT)
        t->cursor++;
    if (t->cursor >= t->count)
        return 0;
    entry *e = at(t, t->cursor);
    e->state = Q_SENT;
    t->outstanding++;
    *id = t->cursor++;
    *name = e->name;
    *qtype = e->qtype;
    return 1;
}

/* Store the answer and queue every waiter; no flush. */
static void settle(as_qtab *t, entry *e, const as_dns_answer *ans)
{
    if (e->state == Q_SENT)
        t->outstanding--;
    e->state = Q_ANSWERED;
    e->ans = *ans;
    waiter *w = e->waiters;
    e->waiters = NULL;
    e->waiters_tail = &e->waiters;
    while (w) {
        waiter *next = w->next;
        enqueue_ready(t, w, e, e->depth);
        w = next;
    }
}

static int deliver(as_qtab *t, uint32_t id, const as_dns_answer *ans, int cache)
{
    if (id >= t->count)
        return AUTHSCORE_ENOTFOUND;
    entry *e = at(t, id);
    if (e->state != Q_SENT)
        return AUTHSCORE_ENOTFOUND;
    /* A copy the cache could not make costs later messages a lookup,
     * never this one its answer: the result is ignored. */
    if (cache && t->cache)
        (void)as_dns_cache_put(t->cache, e->name, e->name_len, e->qtype, ans);
    settle(t, e, ans);
    as_qtab_flush(t);
    return 0;
}

int as_qtab_answer(as_qtab *t, uint32_t id, const as_dns_answer *ans)
{
    return deliver(t, id, ans, 1);
}

int as_qtab_fail(as_qtab *t, uint32_t id, const as_dns_answer *ans)
{
    return deliver(t, id, ans, 0);
}

void as_qtab_expire(as_qtab *t)
{
    as_dns_answer timeout =
        as_dns_answer_status(AUTHSCORE_DNS_TIMEOUT, AUTHSCORE_DNSSEC_INDETERMINATE);
    /* Callbacks may ask more; count grows and the loop reaches them. */
    for (unsigned i = 0; i < t->count; i++) {
        entry *e = at(t, i);
        if (e->state != Q_ANSWERED) {
            settle(t, e, &timeout);
            as_qtab_flush(t);
        }
    }
    as_qtab_flush(t);
    t->cursor = t->count;
}

int as_qtab_question(const as_qtab *t, uint32_t id, const char **name,
                     uint16_t *qtype)
{
    if (id >= t->count)
        return AUTHSCORE_ENOTFOUND;
    const entry *e = at(t, id);
    *name = e->name;
    *qtype = e->qtype;
    return 0;
}

int as_qtab_is_outstanding(const as_qtab *t, uint32_t id)
{
    return id < t->count && at(t, id)->state == Q_SENT;
}

unsigned as_qtab_outstanding(const as_qtab *t) { return t->outstanding; }

unsigned as_qtab_unsent(const as_qtab *t)
{
    unsigned n = 0;
    for (unsigned i = t->cursor; i < t->count; i++)
        if (at(t, i)->state == Q_UNSENT)
            n++;
    return n;
}

unsigned as_qtab_count(const as_qtab *t) { return t->count; }
unsigned as_qtab_rounds(const as_qtab *t) { return t->rounds; }
unsigned as_qtab_current_depth(const as_qtab *t) { return t->cur_depth; }
unsigned as_qtab_cache_hits(const as_qtab *t) { return t->hits; }
unsigned as_qtab_cache_misses(const as_qtab *t) { return t->misses; }
as_arena *as_qtab_arena(as_qtab *t) { return t->a; }
