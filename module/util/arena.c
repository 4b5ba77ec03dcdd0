/* arena.c - bump allocator; blocks of at least 16 KiB, large requests get
 * their own block, the total is capped (see arena.h). */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN 16384u
#define ALIGN 16u

struct as_arena_block {
    as_arena_block *next;
    size_t size;
    size_t off;
    /* data follows, aligned */
    _Alignas(16) unsigned char data[];
};

void as_arena_init(as_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->max = max;
    a->limited = 0;
}

void *as_arena_alloc(as_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2) {
        a->limited = 1;
        return NULL;
    }
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    as_arena_block *b = a->head;
    if (b && b->size - b->off >= n) {
        void *p = b->data + b->off;
        b->off += n;
        return p;
    }
    size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
    size_t cost = size + sizeof(as_arena_block);
    if (a->used > a->max || cost > a->max - a->used) {
        a->limited = 1;
        return NULL;
    }
    as_arena_block *nb = malloc(cost);
    if (!nb)
        return NULL;
    a->used += cost;
    nb->size = size;
    nb->off = n;
    /* Keep the fuller block behind the fresh one only if the fresh one is a
     * one-off large block; otherwise the new block becomes the bump block. */
    if (b && n >= BLOCK_MIN) {
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        a->head = nb;
    }
    return nb->data;
}

void *as_arena_calloc(as_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        a->limited = 1;
        return NULL;
    }
    void *p = as_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *as_arena_strndup(as_arena *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = as_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

char *as_arena_strdup(as_arena *a, const char *s)
{
    return s ? as_arena_strndup(a, s, strlen(s)) : NULL;
}

char *as_arena_strndup_lower(as_arena *a, const char *p, size_t n)
{
    char *d = as_arena_strndup(a, p, n);
    if (d)
        for (size_t i = 0; i < n; i++)
            if (d[i] >= 'A' && d[i] <= 'Z')
                d[i] = (char)(d[i] + 32);
    return d;
}

char *as_arena_printf(as_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = as_arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void as_arena_free(as_arena *a)
{
    as_arena_block *b = a->head;
    while (b) {
        as_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->used = 0;
    a->limited = 0;
}
