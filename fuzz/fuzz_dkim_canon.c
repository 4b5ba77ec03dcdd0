/* fuzz_dkim_canon.c - libFuzzer target for DKIM canonicalization.
 * Invariants, for header fields and bodies:
 *  - relaxed is idempotent: canon(canon(x)) == canon(x);
 *  - simple body is idempotent too (its output is already canonical);
 *  - the output does not depend on how the input is split into pieces;
 *  - the byte count reported equals the bytes written;
 *  - bodies equal a naive line-by-line reference of RFC 6376 3.4.3/3.4.4
 *    (which keeps the fast paths, SSE2 included, honest);
 *  - relaxed output has no WSP runs, no WSP before CRLF, and only CRLF
 *    line ends (a bare CR stays data). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim/canon.h"
#include "fuzz_check.h"

#define MAX_IN 65536u

typedef struct obuf {
    char *p;
    size_t n, cap;
} obuf;

static void sink(void *arg, const char *p, size_t n)
{
    obuf *o = arg;
    CHECK(o->n + n <= o->cap);
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

/* Canonicalize in two pieces split at `cut`; header fields without their
 * final CRLF (end() adds it). */
static void canon(int header, int mode, const char *p, size_t n, size_t cut,
                  obuf *o)
{
    o->n = 0;
    as_canon_out out;
    as_canon_out_init(&out, sink, o);
    if (cut > n)
        cut = n;
    if (header) {
        as_hcanon h;
        as_hcanon_init(&h, mode, &out);
        as_hcanon_feed(&h, p, cut);
        as_hcanon_feed(&h, p + cut, n - cut);
        as_hcanon_end(&h, 1);
        as_canon_out_flush(&out);
    } else {
        as_bcanon b;
        as_bcanon_init(&b, mode, &out);
        as_bcanon_feed(&b, p, cut);
        as_bcanon_feed(&b, p + cut, n - cut);
        as_bcanon_end(&b);
    }
    CHECK(out.total == o->n);
}

/* Reference body canonicalization, written the way the RFC reads: split
 * into lines (CRLF or LF), transform each, drop trailing empty lines. */
static void reference_body(int mode, const char *p, size_t n, obuf *o)
{
    o->n = 0;
    size_t keep = 0;  /* output length up to the last non-empty line */
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && p[e] != '\n')
            e++;
        size_t ce = e;
        if (e < n && ce > i && p[ce - 1] == '\r')
            ce--;
        if (e == n && i == n)
            break;
        size_t start = o->n;
        for (size_t k = i; k < ce; k++) {
            char c = p[k];
            if (mode == AS_CANON_RELAXED && (c == ' ' || c == '\t')) {
                if (o->n == start || o->p[o->n - 1] != ' ')
                    o->p[o->n++] = ' ';
            } else {
                o->p[o->n++] = c;
            }
        }
        if (mode == AS_CANON_RELAXED && o->n > start && o->p[o->n - 1] == ' ')
            o->n--;
        int empty = o->n == start;
        o->p[o->n++] = '\r';
        o->p[o->n++] = '\n';
        if (!empty)
            keep = o->n;
        i = e + 1;
    }
    o->n = keep;
    if (keep == 0 && mode == AS_CANON_SIMPLE) {
        o->p[0] = '\r';
        o->p[1] = '\n';
        o->n = 2;
    }
}

static obuf mk(size_t cap)
{
    obuf o = {malloc(cap), 0, cap};
    CHECK(o.p != NULL);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_IN)
        return 0;
    size_t cut = data[0] | (size_t)data[1] << 8;
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    /* Simple may double each byte (LF -> CRLF); plus a final CRLF. */
    obuf a = mk(2 * n + 4), b = mk(2 * n + 4), c = mk(2 * n + 8),
         r = mk(2 * n + 4);
    for (int header = 0; header <= 1; header++) {
        for (int mode = AS_CANON_SIMPLE; mode <= AS_CANON_RELAXED; mode++) {
            canon(header, mode, p, n, n, &a);
            canon(header, mode, p, n, cut % (n + 1), &b);
            CHECK(a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
            if (!header) {
                reference_body(mode, p, n, &r);
                CHECK(r.n == a.n && memcmp(r.p, a.p, a.n) == 0);
            }
            if (mode == AS_CANON_SIMPLE && header)
                continue;
            /* Again over the output (a header without its final CRLF). */
            size_t again = a.n;
            if (header) {
                CHECK(again >= 2 && a.p[again - 2] == '\r' &&
                      a.p[again - 1] == '\n');
                again -= 2;
            }
            canon(header, mode, a.p, again, again / 2, &c);
            CHECK(c.n == a.n && memcmp(c.p, a.p, a.n) == 0);
            if (mode == AS_CANON_RELAXED) {
                for (size_t i = 0; i + 1 < a.n; i++) {
                    int ws = a.p[i] == ' ' || a.p[i] == '\t';
                    CHECK(a.p[i] != '\t');
                    CHECK(!(ws && (a.p[i + 1] == ' ' || a.p[i + 1] == '\t')));
                    CHECK(!(ws && a.p[i + 1] == '\r' && i + 2 < a.n &&
                            a.p[i + 2] == '\n'));
                }
                for (size_t i = 0; i < a.n; i++)
                    if (a.p[i] == '\n')
                        CHECK(i > 0 && a.p[i - 1] == '\r');
            }
        }
    }
    free(a.p);
    free(b.p);
    free(c.p);
    free(r.p);
    return 0;
}
