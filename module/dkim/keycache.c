/* keycache.c - bounded, thread-safe, LRU cache of parsed key records. */
#include "dkim/keycache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* LRU links; first member of an entry, so a node is its entry. */
typedef struct lru_node {
    struct lru_node *prev, *next;
} lru_node;

typedef struct entry {
    lru_node node;               /* LRU list, most recent first */
    struct entry *hnext;         /* bucket chain */
    uint64_t hash;
    size_t len;
    as_dkim_keyrec kr;
    char rec[];                  /* the record bytes */
} entry;

struct as_dkim_keycache {
    pthread_mutex_t mu;
    size_t max, count, nbuckets;
    entry **buckets;
    lru_node lru;                /* sentinel */
    as_dkim_keycache_stats st;
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

as_dkim_keycache *as_dkim_keycache_new(size_t max_entries)
{
    if (max_entries == 0)
        max_entries = AS_DKIM_KEYCACHE_ENTRIES;
    if (max_entries > AS_DKIM_KEYCACHE_MAX_ENTRIES)
        max_entries = AS_DKIM_KEYCACHE_MAX_ENTRIES;
    as_dkim_keycache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t nb = 16;
    while (nb < max_entries)
        nb *= 2;
    c->buckets = calloc(nb, sizeof *c->buckets);
    if (!c->buckets || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    c->nbuckets = nb;
    c->max = max_entries;
    c->lru.prev = c->lru.next = &c->lru;
    return c;
}

static void lru_unlink(entry *e)
{
    e->node.prev->next = e->node.next;
    e->node.next->prev = e->node.prev;
}

static void lru_push(as_dkim_keycache *c, entry *e)
{
    e->node.next = c->lru.next;
    e->node.prev = &c->lru;
    c->lru.next->prev = &e->node;
    c->lru.next = &e->node;
}

static void entry_free(entry *e)
{
    as_dkim_keyrec_clear(&e->kr);
    free(e);
}

void as_dkim_keycache_free(as_dkim_keycache *c)
{
    if (!c)
        return;
    lru_node *n = c->lru.next;
    while (n != &c->lru) {
        lru_node *next = n->next;
        entry_free((entry *)n);
        n = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static entry *find(as_dkim_keycache *c, uint64_t h, const char *rec,
                   size_t len)
{
    for (entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->len == len && memcmp(e->rec, rec, len) == 0)
            return e;
    return NULL;
}

static void evict_one(as_dkim_keycache *c)
{
    if (c->lru.prev == &c->lru)
        return;
    entry *e = (entry *)c->lru.prev;
    entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(e);
    c->count--;
    c->st.evictions++;
    /* Users hold their own key references: freeing here is safe. */
    entry_free(e);
}

/* Copy the entry's record, with a reference of the caller's own. */
static void hand_out(const as_dkim_keyrec *src, as_dkim_keyrec *out)
{
    *out = *src;
    if (out->key)
        as_crypto_key_ref(out->key);
}

void as_dkim_keycache_get(as_dkim_keycache *c, const char *rec, size_t len,
                          as_dkim_keyrec *out)
{
    int decoded;
    if (!c) {
        as_dkim_key_parse(rec, len, out, &decoded);
        return;
    }
    uint64_t h = fnv1a(rec, len);
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, h, rec, len);
    if (e) {
        c->st.hits++;
        lru_unlink(e);
        lru_push(c, e);
        hand_out(&e->kr, out);
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->st.misses++;
    pthread_mutex_unlock(&c->mu);

    /* Decode outside the lock: it is the expensive part. */
    as_dkim_keyrec kr;
    as_dkim_key_parse(rec, len, &kr, &decoded);
    entry *ne = NULL;
    /* Only what the record itself says is cached: a parse that failed on
     * our side (memory) must not stand for the record in later messages. */
    if (as_dkim_keyrec_definitive(&kr))
        ne = malloc(sizeof *ne + (len ? len : 1));

    pthread_mutex_lock(&c->mu);
    if (decoded)
        c->st.decodes++;
    e = find(c, h, rec, len);
    if (e) {
        /* Another thread inserted it meanwhile: use theirs. */
        hand_out(&e->kr, out);
        pthread_mutex_unlock(&c->mu);
        free(ne);
        as_dkim_keyrec_clear(&kr);
        return;
    }
    if (!ne) {
        pthread_mutex_unlock(&c->mu);
        *out = kr;  /* uncached: the caller gets our only reference */
        return;
    }
    while (c->count >= c->max)
        evict_one(c);
    ne->hash = h;
    ne->len = len;
    memcpy(ne->rec, rec, len);
    ne->kr = kr;
    entry **b = &c->buckets[h & (c->nbuckets - 1)];
    ne->hnext = *b;
    *b = ne;
    lru_push(c, ne);
    c->count++;
    hand_out(&ne->kr, out);
    pthread_mutex_unlock(&c->mu);
}

void as_dkim_keycache_get_stats(as_dkim_keycache *c, as_dkim_keycache_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    *st = c->st;
    st->entries = c->count;
    pthread_mutex_unlock(&c->mu);
}
