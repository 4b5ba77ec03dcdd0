/* hindex.c - header fields sorted by lower-cased name (see hindex.h).
 *
 * Sorted, not hashed: an unkeyed hash of attacker-chosen field names can
 * be made to collide, which would bring back the product of the caps; a
 * sort (merge sort, so no hidden allocation and no quadratic worst case)
 * bounds every message at O(fields log fields) once, and a signature at
 * O(h= names x log distinct names + distinct names).  Fields of one name
 * form a run, bottom-most first; a selection keeps one cursor per run. */
#include "dkim/hindex.h"

#include <stdint.h>
#include <string.h>

#include "util/span.h"

#define NONE UINT32_MAX

typedef struct hent {
    const char *p;  /* the field name */
    uint32_t len;
    uint32_t idx;   /* index in hb->fields */
} hent;

struct as_dkim_hindex {
    size_t nfields;
    hent *ent;          /* sorted by name; within a name, bottom first */
    uint32_t *start;    /* ngroups + 1: first entry of each name's run */
    uint32_t *cur;      /* per run: next entry to take */
    size_t ngroups;
    uint32_t self;
};

/* Case-insensitive order of two names (ASCII, as RFC 5322 names are). */
static int name_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)as_ascii_lower(a[i]);
        unsigned char y = (unsigned char)as_ascii_lower(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return al < bl ? -1 : al > bl;
}

/* Stable bottom-up merge sort of e[0..n) by name, using tmp. */
static void sort_names(hent *e, hent *tmp, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = name_cmp(e[j].p, e[j].len, e[i].p, e[i].len) < 0
                               ? e[j++] : e[i++];
            while (i < mid)
                tmp[k++] = e[i++];
            while (j < hi)
                tmp[k++] = e[j++];
        }
        memcpy(e, tmp, n * sizeof *e);
    }
}

as_dkim_hindex *as_dkim_hindex_new(as_arena *a, const as_header_block *hb)
{
    size_t n = hb->count;
    if (n >= NONE)
        return NULL;  /* never under the header caps; keeps uint32 sound */
    size_t nf = n ? n : 1;
    as_dkim_hindex *x = as_arena_calloc(a, 1, sizeof *x);
    if (!x)
        return NULL;
    x->ent = as_arena_alloc(a, nf * sizeof *x->ent);
    hent *tmp = as_arena_alloc(a, nf * sizeof *tmp);
    x->start = as_arena_alloc(a, (nf + 1) * sizeof *x->start);
    x->cur = as_arena_alloc(a, nf * sizeof *x->cur);
    if (!x->ent || !tmp || !x->start || !x->cur)
        return NULL;
    /* Bottom-up to begin with: the stable sort keeps that order within a
     * name, so each run lists its fields from the bottom of the header. */
    for (size_t i = 0; i < n; i++) {
        const as_header_field *f = &hb->fields[n - 1 - i];
        x->ent[i].p = f->name.p;
        x->ent[i].len = f->name.len < NONE ? (uint32_t)f->name.len : NONE;
        x->ent[i].idx = (uint32_t)(n - 1 - i);
    }
    sort_names(x->ent, tmp, n);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || name_cmp(x->ent[i - 1].p, x->ent[i - 1].len,
                               x->ent[i].p, x->ent[i].len) != 0)
            x->start[x->ngroups++] = (uint32_t)i;
    x->start[x->ngroups] = (uint32_t)n;
    x->nfields = n;
    as_dkim_hindex_begin(x, AS_DKIM_HINDEX_NONE);
    return x;
}

void as_dkim_hindex_begin(as_dkim_hindex *x, size_t self)
{
    for (size_t g = 0; g < x->ngroups; g++)
        x->cur[g] = x->start[g];
    x->self = self < x->nfields ? (uint32_t)self : NONE;
}

size_t as_dkim_hindex_take(as_dkim_hindex *x, const char *name, size_t len)
{
    size_t lo = 0, hi = x->ngroups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const hent *e = &x->ent[x->start[mid]];
        int c = name_cmp(name, len, e->p, e->len);
        if (c == 0) {
            uint32_t pos = x->cur[mid], end = x->start[mid + 1];
            if (pos < end && x->ent[pos].idx == x->self)
                pos++;
            if (pos >= end) {
                x->cur[mid] = end;
                return AS_DKIM_HINDEX_NONE;
            }
            x->cur[mid] = pos + 1;
            return x->ent[pos].idx;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return AS_DKIM_HINDEX_NONE;
}
