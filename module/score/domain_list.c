/* domain_list.c - sorted domain lists with parent-domain matching. */
#include "score/domain_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>

void as_domain_builder_init(as_domain_builder *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void as_domain_builder_free(as_domain_builder *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->items[i]);
    free(b->items);
    memset(b, 0, sizeof *b);
}

static int is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int as_domain_builder_add(as_domain_builder *b, const char *p, size_t len, char *err,
                          size_t errcap)
{
    if (len && p[len - 1] == '.')
        len--; /* the root label is implied */
    if (len == 0 || len > AS_DOMAIN_MAX) {
        snprintf(err, errcap, "not a domain name (empty or longer than 253 bytes)");
        return AUTHSCORE_EPARSE;
    }
    if (b->n >= b->max) {
        snprintf(err, errcap, "more than %zu entries in one list", b->max);
        return AUTHSCORE_ELIMIT;
    }
    char *d = malloc(len + 1);
    if (!d)
        return AUTHSCORE_ENOMEM;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0)
                goto bad;
            label = 0;
        } else if (is_label_char(c) && ++label <= 63) {
            /* fine */
        } else {
            goto bad;
        }
        d[i] = (char)c;
    }
    if (label == 0)
        goto bad;
    d[len] = '\0';
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        char **ni = realloc(b->items, nc * sizeof *ni);
        if (!ni) {
            free(d);
            return AUTHSCORE_ENOMEM;
        }
        b->items = ni;
        b->cap = nc;
    }
    b->items[b->n++] = d;
    return 0;
bad:
    free(d);
    snprintf(err, errcap, "not a domain name (letters, digits, '-', '_' in dot-separated labels of 1..63)");
    return AUTHSCORE_EPARSE;
}

int as_domain_builder_add_text(as_domain_builder *b, const char *p, size_t len,
                               unsigned *line, char *err, size_t errcap)
{
    *line = 0;
    size_t i = 0;
    while (i < len) {
        (*line)++;
        size_t e = i;
        while (e < len && p[e] != '\n')
            e++;
        size_t s = i, t = e;
        for (size_t k = s; k < t; k++)
            if (p[k] == '#')
                t = k;
        while (s < t && (p[s] == ' ' || p[s] == '\t'))
            s++;
        while (t > s && (p[t - 1] == ' ' || p[t - 1] == '\t' || p[t - 1] == '\r'))
            t--;
        if (t > s) {
            int rc = as_domain_builder_add(b, p + s, t - s, err, errcap);
            if (rc < 0)
                return rc;
        }
        i = e + 1;
    }
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int as_domain_builder_finish(as_domain_builder *b, as_arena *a, const char *name,
                             as_domain_list *out)
{
    memset(out, 0, sizeof *out);
    if (b->n)
        qsort(b->items, b->n, sizeof *b->items, cmp_str);
    out->name = as_arena_strdup(a, name);
    out->entries = as_arena_calloc(a, b->n ? b->n : 1, sizeof *out->entries);
    if (!out->name || !out->entries)
        return AUTHSCORE_ENOMEM;
    for (size_t i = 0; i < b->n; i++) {
        if (out->n && !strcmp(out->entries[out->n - 1], b->items[i]))
            continue;
        if (!(out->entries[out->n++] = as_arena_strdup(a, b->items[i])))
            return AUTHSCORE_ENOMEM;
    }
    return 0;
}

static int find(const as_domain_list *l, const char *d)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->entries[mid], d);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int as_domain_list_match(const as_domain_list *l, const char *p, size_t len)
{
    if (!l || !p || !l->n)
        return 0;
    if (len && p[len - 1] == '.')
        len--;
    if (len == 0 || len > AS_DOMAIN_MAX)
        return 0;
    char d[AS_DOMAIN_MAX + 1];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        d[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    d[len] = '\0';
    /* The name itself, then each parent: "a.b.c", "b.c", "c". */
    for (size_t s = 0; s < len;) {
        if (find(l, d + s))
            return 1;
        const char *dot = memchr(d + s, '.', len - s);
        if (!dot)
            break;
        s = (size_t)(dot - d) + 1;
    }
    return 0;
}
