/* cache.c - the context's DNS answer cache (see cache.h for the rules).
 * Our own instead of libunbound's cache: a hit here never crosses
 * libunbound's worker thread and pipe, and sans-I/O hosts share it.
 *
 * The cache is split in AS_DNS_CACHE_PARTS parts by the key's hash, each a
 * chained hash table of entries plus an LRU list under its own mutex, with
 * an equal share of the memory cap: two threads rarely want the same part
 * at once (one mutex for everything made two threads slower than one,
 * docs/performance.md).  Each entry is a single malloc'd block:
 *
 *     [entry][name NUL][pad][rr array][record text ...][why_bogus NUL]
 *                           \________________ payload _______________/
 *
 * A hit copies the payload into the message's arena with one allocation
 * and moves the pointers by the distance between the two copies. */
#include "dns/cache.h"

#include "dns/shared_cache.h"
#include "util/fnv.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* The table starts small and doubles when it holds more entries than
 * buckets (a big empty table costs a cache miss per lookup), up to one
 * bucket per 256 bytes of the cap: a TXT record of a few hundred bytes,
 * or an address or two, is the typical entry. */
#define MIN_BUCKETS 16u
#define PARTS 16u /* a power of two; each part gets 1/PARTS of the cap */
#define MAX_BUCKETS (1u << 20)
#define BYTES_PER_BUCKET 256u
/* why_bogus is a validator's sentence, kept to this many bytes. */
#define WHY_MAX 512u

typedef struct entry entry;
struct entry {
    entry *hnext;        /* hash chain */
    entry *prev, *next;  /* LRU list, head = most recently used */
    uint64_t hash;
    int64_t expires_ms;
    size_t bytes;        /* the whole block, as counted against the cap */
    size_t payload_len;
    unsigned char *payload; /* inside this block: rr array first */
    uint32_t ttl;
    uint16_t qtype;
    uint16_t name_len;
    int status, dnssec;
    size_t count;
    const char *why_bogus;  /* inside the payload, or NULL */
    char name[];
};

typedef struct part {
    pthread_mutex_t mu;
    entry **buckets;
    size_t nbuckets;        /* a power of two */
    size_t max_buckets;
    size_t max_bytes, bytes;
    entry *head, *tail;
    as_dns_cache_stats st;  /* entries / bytes filled in by stats_get */
} __attribute__((aligned(64))) part; /* parts never share a cache line */

struct as_dns_cache {
    part parts[PARTS];
    uint32_t max_ttl, short_ttl;
    as_clock_fn clock;
    void *clock_user;
    as_dns_shared *shared;
    as_clock_fn wall;
};

/* The part of a key: the hash's top bits (the buckets use the low ones). */
static part *part_of(as_dns_cache *c, uint64_t h)
{
    return &c->parts[(h >> 58) & (PARTS - 1)];
}

static uint64_t hash_key(const char *name, size_t len, uint16_t qtype)
{
    return (as_fnv64(AS_FNV64_BASIS, name, len) ^ qtype) * AS_FNV64_PRIME;
}

static void drop_all(part *c)
{
    entry *e = c->head;
    while (e) {
        entry *next = e->next;
        c->bytes -= e->bytes;
        free(e);
        e = next;
    }
    c->head = c->tail = NULL;
    memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
    c->st.entries = 0;
}

static void part_free(part *c)
{
    drop_all(c);
    pthread_mutex_destroy(&c->mu);
    free(c->buckets);
}

static int part_init(part *c, size_t max_bytes)
{
    size_t n = MIN_BUCKETS, max = MIN_BUCKETS;
    while (max < MAX_BUCKETS / PARTS && max < max_bytes / BYTES_PER_BUCKET)
        max <<= 1;
    c->max_buckets = max;
    c->buckets = calloc(n, sizeof *c->buckets);
    if (!c->buckets || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->buckets);
        c->buckets = NULL;
        return AUTHSCORE_ENOMEM;
    }
    c->nbuckets = n;
    c->max_bytes = max_bytes;
    c->bytes = sizeof *c + n * sizeof *c->buckets; /* the table counts too */
    return 0;
}

int as_dns_cache_new(const as_dns_cache_config *cfg, as_dns_cache **out)
{
    *out = NULL;
    if (!cfg || !cfg->clock || cfg->max_bytes > AS_DNS_CACHE_MAX_BYTES)
        return AUTHSCORE_EINVAL;
    if (cfg->max_bytes == 0)
        return 0;
    as_dns_cache *c = aligned_alloc(64, (sizeof *c + 63) / 64 * 64);
    if (!c)
        return AUTHSCORE_ENOMEM;
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < PARTS; i++) {
        if (part_init(&c->parts[i], cfg->max_bytes / PARTS) < 0) {
            while (i--)
                part_free(&c->parts[i]);
            free(c);
            return AUTHSCORE_ENOMEM;
        }
    }
    c->max_ttl = cfg->max_ttl;
    c->short_ttl = cfg->short_ttl;
    c->clock = cfg->clock;
    c->clock_user = cfg->clock_user;
    c->shared = cfg->wall ? cfg->shared : NULL;
    c->wall = cfg->wall;
    *out = c;
    return 0;
}

void as_dns_cache_free(as_dns_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < PARTS; i++)
        part_free(&c->parts[i]);
    free(c);
}

void as_dns_cache_clear(as_dns_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < PARTS; i++) {
        pthread_mutex_lock(&c->parts[i].mu);
        drop_all(&c->parts[i]);
        pthread_mutex_unlock(&c->parts[i].mu);
    }
}

uint32_t as_dns_cache_lifetime(const as_dns_cache *c, const as_dns_answer *ans)
{
    if (!c || !as_dns_answer_definite(ans))
        return 0;
    uint32_t cap = as_dns_answer_proven(ans) ? c->max_ttl : c->short_ttl;
    return ans->ttl < cap ? ans->ttl : cap;
}

/* ---- one part's list and table (its mu held) ---- */

static void lru_unlink(part *c, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(part *c, entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    else
        c->tail = e;
    c->head = e;
}

static entry **slot_of(part *c, uint64_t h, const char *name, size_t len,
                       uint16_t qtype)
{
    entry **p = &c->buckets[h & (c->nbuckets - 1)];
    for (; *p; p = &(*p)->hnext) {
        entry *e = *p;
        if (e->hash == h && e->qtype == qtype && e->name_len == len &&
            memcmp(e->name, name, len) == 0)
            break;
    }
    return p;
}

static void remove_entry(part *c, entry **slot)
{
    entry *e = *slot;
    *slot = e->hnext;
    lru_unlink(c, e);
    c->bytes -= e->bytes;
    c->st.entries--;
    free(e);
}

/* Double the table when it is fuller than one entry per bucket and the
 * larger table still fits the cap; without memory it stays as it is. */
static void maybe_grow(part *c)
{
    size_t n = c->nbuckets * 2;
    if (c->st.entries <= c->nbuckets || n > c->max_buckets ||
        c->bytes + c->nbuckets * sizeof *c->buckets > c->max_bytes)
        return;
    entry **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        entry *e = c->buckets[i];
        while (e) {
            entry *next = e->hnext;
            entry **slot = &b[e->hash & (n - 1)];
            e->hnext = *slot;
            *slot = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->bytes += c->nbuckets * sizeof *b; /* the new table is twice the old */
    c->nbuckets = n;
}

static void evict_tail(part *c)
{
    entry *e = c->tail;
    remove_entry(c, slot_of(c, e->hash, e->name, e->name_len, e->qtype));
    c->st.evictions++;
}

/* ---- get ---- */

static int copy_out(const entry *e, int64_t now, as_arena *a, as_dns_answer *out)
{
    unsigned char *p = NULL;
    if (e->payload_len) {
        p = as_arena_alloc(a, e->payload_len);
        if (!p)
            return a->limited ? AUTHSCORE_ELIMIT : AUTHSCORE_ENOMEM;
        memcpy(p, e->payload, e->payload_len);
    }
    /* Pointers into the entry's payload, moved to the copy. */
    const unsigned char *from = e->payload;
#define MOVE(ptr) ((const char *)(p + ((const unsigned char *)(ptr) - from)))
    int64_t left_ms = e->expires_ms - now;
    uint32_t left = (uint32_t)((left_ms + 999) / 1000);
    as_dns_rr *rr = (as_dns_rr *)p;
    for (size_t i = 0; i < e->count; i++) {
        switch (rr[i].type) {
        case AUTHSCORE_QTYPE_TXT:
            rr[i].u.txt.p = MOVE(rr[i].u.txt.p);
            break;
        case AUTHSCORE_QTYPE_MX:
            rr[i].u.mx.name = MOVE(rr[i].u.mx.name);
            break;
        case AUTHSCORE_QTYPE_PTR:
            rr[i].u.ptr.name = MOVE(rr[i].u.ptr.name);
            break;
        default:
            break;
        }
        if (rr[i].ttl > left)
            rr[i].ttl = left;
    }
    *out = as_dns_answer_status(e->status, e->dnssec);
    out->ttl = e->ttl < left ? e->ttl : left;
    out->count = e->count;
    out->rr = e->count ? rr : NULL;
    out->why_bogus = e->why_bogus ? MOVE(e->why_bogus) : NULL;
#undef MOVE
    return 1;
}

static int put_here(as_dns_cache *cache, const char *name, size_t len, uint16_t qtype,
                    const as_dns_answer *ans, uint32_t life);

/* A local miss: the shared tier's hit is kept here too (its TTLs are
 * already cut to what is left in the file). */
static int shared_get(as_dns_cache *cache, const char *name, size_t len, uint16_t qtype,
                      as_arena *a, as_dns_answer *out)
{
    if (!cache->shared)
        return 0;
    int rc = as_dns_shared_get(cache->shared, name, len, qtype, cache->wall(NULL),
                               cache->max_ttl, a, out);
    if (rc == 1)
        (void)put_here(cache, name, len, qtype, out, as_dns_cache_lifetime(cache, out));
    return rc;
}

int as_dns_cache_get(as_dns_cache *cache, const char *name, size_t len, uint16_t qtype,
                     as_arena *a, as_dns_answer *out)
{
    if (!cache)
        return 0;
    uint64_t h = hash_key(name, len, qtype);
    int64_t now = cache->clock(cache->clock_user);
    part *c = part_of(cache, h);
    pthread_mutex_lock(&c->mu);
    entry **slot = slot_of(c, h, name, len, qtype);
    entry *e = *slot;
    if (e && e->expires_ms <= now) {
        remove_entry(c, slot);
        c->st.expired++;
        e = NULL;
    }
    if (!e) {
        c->st.misses++;
        pthread_mutex_unlock(&c->mu);
        return shared_get(cache, name, len, qtype, a, out);
    }
    lru_unlink(c, e);
    lru_push(c, e);
    int rc = copy_out(e, now, a, out);
    if (rc == 1)
        c->st.hits++;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- put ---- */

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* Bytes of the strings an answer's records point to. */
static size_t text_bytes(const as_dns_answer *ans)
{
    size_t n = 0;
    for (size_t i = 0; i < ans->count; i++) {
        const as_dns_rr *r = &ans->rr[i];
        if (r->type == AUTHSCORE_QTYPE_TXT)
            n += r->u.txt.len + 1;
        else if (r->type == AUTHSCORE_QTYPE_MX)
            n += strnlen(r->u.mx.name, AS_DNS_MAX_NAME) + 1;
        else if (r->type == AUTHSCORE_QTYPE_PTR)
            n += strnlen(r->u.ptr.name, AS_DNS_MAX_NAME) + 1;
    }
    return n;
}

static char *put_str(char **at, const char *s, size_t n)
{
    char *d = *at;
    memcpy(d, s, n);
    d[n] = '\0';
    *at += n + 1;
    return d;
}

/* The block for an answer, filled; NULL when malloc fails. */
static entry *build(const char *name, size_t len, uint16_t qtype, const as_dns_answer *ans,
                    size_t count, size_t why_len, size_t *bytes)
{
    size_t head = align_up(sizeof(entry) + len + 1, alignof(as_dns_rr));
    size_t payload = count * sizeof(as_dns_rr) + text_bytes(ans) + (ans->why_bogus ? why_len + 1 : 0);
    *bytes = head + payload;
    entry *e = malloc(*bytes);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    e->name_len = (uint16_t)len;
    e->qtype = qtype;
    e->status = ans->status;
    e->dnssec = ans->dnssec;
    e->ttl = ans->ttl;
    e->count = count;
    e->bytes = *bytes;
    e->payload = (unsigned char *)e + head;
    e->payload_len = payload;
    as_dns_rr *rr = (as_dns_rr *)e->payload;
    char *text = (char *)(rr + count);
    for (size_t i = 0; i < count; i++) {
        rr[i] = ans->rr[i];
        if (rr[i].type == AUTHSCORE_QTYPE_TXT)
            rr[i].u.txt.p = put_str(&text, ans->rr[i].u.txt.p, ans->rr[i].u.txt.len);
        else if (rr[i].type == AUTHSCORE_QTYPE_MX)
            rr[i].u.mx.name = put_str(&text, ans->rr[i].u.mx.name,
                                      strnlen(ans->rr[i].u.mx.name, AS_DNS_MAX_NAME));
        else if (rr[i].type == AUTHSCORE_QTYPE_PTR)
            rr[i].u.ptr.name = put_str(&text, ans->rr[i].u.ptr.name,
                                       strnlen(ans->rr[i].u.ptr.name, AS_DNS_MAX_NAME));
    }
    if (ans->why_bogus)
        e->why_bogus = put_str(&text, ans->why_bogus, why_len);
    return e;
}

int as_dns_cache_put(as_dns_cache *cache, const char *name, size_t len, uint16_t qtype,
                     const as_dns_answer *ans)
{
    uint32_t life = as_dns_cache_lifetime(cache, ans);
    if (cache && cache->shared)
        as_dns_shared_put(cache->shared, name, len, qtype, ans, life, cache->wall(NULL));
    return put_here(cache, name, len, qtype, ans, life);
}

static int put_here(as_dns_cache *cache, const char *name, size_t len, uint16_t qtype,
                    const as_dns_answer *ans, uint32_t life)
{
    if (life == 0 || len == 0 || len > AS_DNS_MAX_NAME)
        return 0;
    /* Records of a bogus answer are never exposed (docs/dns.md). */
    size_t count = ans->dnssec == AUTHSCORE_DNSSEC_BOGUS ? 0 : ans->count;
    if (count > AS_DNS_MAX_RECORDS)
        count = AS_DNS_MAX_RECORDS;
    as_dns_answer a = *ans;
    a.count = count;
    size_t why_len = ans->why_bogus ? strnlen(ans->why_bogus, WHY_MAX) : 0;
    /* Bound before any arithmetic on record sizes: 256 records of at most
     * 64 KiB each cannot overflow a size_t, and the share cap applies. */
    size_t bytes;
    size_t head = align_up(sizeof(entry) + len + 1, alignof(as_dns_rr));
    size_t need = head + count * sizeof(as_dns_rr) + text_bytes(&a) + why_len + 1;
    uint64_t h = hash_key(name, len, qtype);
    part *c = part_of(cache, h);
    if (need > c->max_bytes * PARTS / AS_DNS_CACHE_ENTRY_SHARE)
        return 0;
    entry *e = build(name, len, qtype, &a, count, why_len, &bytes);
    if (!e)
        return AUTHSCORE_ENOMEM;
    e->hash = h;

    int64_t now = cache->clock(cache->clock_user);
    e->expires_ms = now + (int64_t)life * 1000;
    pthread_mutex_lock(&c->mu);
    entry **slot = slot_of(c, e->hash, name, len, qtype);
    if (*slot)
        remove_entry(c, slot);
    while (c->tail && c->bytes + bytes > c->max_bytes)
        evict_tail(c);
    if (c->bytes + bytes > c->max_bytes) {
        /* Only the table itself is left and still no room. */
        pthread_mutex_unlock(&c->mu);
        free(e);
        return 0;
    }
    slot = &c->buckets[e->hash & (c->nbuckets - 1)]; /* no entry of this key is left */
    e->hnext = *slot;
    *slot = e;
    lru_push(c, e);
    c->bytes += bytes;
    c->st.entries++;
    c->st.inserts++;
    maybe_grow(c);
    pthread_mutex_unlock(&c->mu);
    return 1;
}

void as_dns_cache_stats_get(as_dns_cache *c, as_dns_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    for (size_t i = 0; i < PARTS; i++) {
        part *p = &c->parts[i];
        pthread_mutex_lock(&p->mu);
        out->hits += p->st.hits;
        out->misses += p->st.misses;
        out->inserts += p->st.inserts;
        out->evictions += p->st.evictions;
        out->expired += p->st.expired;
        out->entries += p->st.entries;
        out->bytes += p->bytes;
        pthread_mutex_unlock(&p->mu);
    }
}
