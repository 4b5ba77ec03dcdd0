/* bench_dkim_worst - time of the costliest message the DKIM caps allow.
 *
 *   bench_dkim_worst [RUNS]
 *
 * Header selection (RFC 6376 5.4.2) is the part of DKIM whose cost grows
 * with the product of two caps: h= names times header fields, per
 * signature.  This builds, in memory, messages at every cap at once and
 * times the engine on each (message parse, key query answered by memdns,
 * body hash, header selection and hash, verify), one core, key cached:
 *   - 1,000 header fields (AS_HEADER_MAX_FIELDS) in a header block under
 *     1 MiB (AS_HEADER_MAX_BLOCK_BYTES), no field over 64 KiB;
 *   - every signature lists 1,024 names (AS_DKIM_MAX_H_NAMES);
 *   - 64 signatures evaluated (AS_DKIM_MAX_SIGNATURES_HARD, the most an
 *     operator can configure) and 8 (the default), each with a key and a
 *     correct bh=, so each one reaches header hashing; b= is junk, so each
 *     ends in signature_mismatch after the whole header hash.
 * Three shapes: "miss" (every h= name has the length of the filler
 * fields' name and differs only at its end: a linear search compares
 * every name with every field, byte by byte), "same" (every filler field
 * and every h= name is the same name: over-signing past the instances,
 * every field hashed by every signature) and "many" (as miss, but every
 * filler field has a name of its own: the most names to search among).
 * The name length is the longest the block cap leaves room for.
 * Prints the median and min-max over RUNS runs; fails only when a message
 * does not come out as built (a cap hit, a signature not evaluated). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <authscore.h>
#include "core/internal.h"
#include "dkim/crypto.h"
#include "dkim/dkim.h"
#include "dkim/keycache.h"
#include "dkim/sig.h"
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "msg/header.h"
#include "msg/message.h"

/* The Ed25519 test key of tests/dkim/data/keys.zone: any 32 bytes decode,
 * and its verify is cheap, so the figure is the header work. */
#define KEY_NAME "ed._domainkey.example.com"
#define KEY_REC "v=DKIM1; k=ed25519; p=EKROxVhCeunTkHIy6mkFHzQQxiXpGl6ABCabpsxvn9M="

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void b64(buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                     i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        put(b, q, 4);
    }
}

enum { SHAPE_MISS = 0, SHAPE_SAME = 1, SHAPE_MANY = 2 };

/* A name of len bytes "x-aaaa...a" whose last three letters spell k in
 * base 26 (so names of one length differ only at their end). */
static void name_of(char *out, size_t len, unsigned k)
{
    memset(out, 'a', len);
    out[0] = 'x';
    if (len > 4)
        out[1] = '-';
    for (size_t i = 0; i < 3 && i < len - 1; i++, k /= 26)
        out[len - 1 - i] = (char)('a' + k % 26);
    out[len] = 0;
}

/* Build a message; returns its total header block bytes. */
static size_t build(buf *m, int shape, size_t nsig, size_t namelen)
{
    size_t nfill = AS_HEADER_MAX_FIELDS - nsig - 1;  /* one From */
    size_t nnames = AS_DKIM_MAX_H_NAMES;
    char field[128], listed[128];
    /* miss, many: the listed name is none of the fields' */
    name_of(listed, namelen, shape == SHAPE_SAME ? 0 : 17575);

    /* Empty body, simple: canonicalized to CRLF (3.4.3). */
    unsigned char bh[AS_CRYPTO_MAX_DIGEST];
    size_t bhl = as_crypto_digest(AS_MD_SHA256, "\r\n", 2, bh);
    unsigned char junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);

    m->n = 0;
    for (size_t s = 0; s < nsig; s++) {
        puts_(m, "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/simple;"
                 " d=example.com; s=ed; bh=");
        b64(m, bh, bhl);
        puts_(m, "; h=from");
        for (size_t k = 1; k < nnames; k++) {
            put(m, ":", 1);
            puts_(m, listed);
        }
        puts_(m, "; b=");
        b64(m, junk, sizeof junk);
        puts_(m, "\r\n");
    }
    puts_(m, "From: a@example.com\r\n");
    for (size_t k = 0; k < nfill; k++) {
        name_of(field, namelen, shape == SHAPE_MANY ? (unsigned)k : 0);
        puts_(m, field);
        puts_(m, ": v\r\n");
    }
    size_t hdr = m->n;
    puts_(m, "\r\n");
    return hdr;
}

/* Longest filler name for which the message stays inside every cap. */
static size_t pick_namelen(int shape, size_t nsig)
{
    buf m = {0};
    size_t best = 0;
    for (size_t len = 2; len < 100; len++) {
        size_t hdr = build(&m, shape, nsig, len);
        size_t sigbytes = 0;
        const char *e = strstr(m.p, "\r\nFrom:");
        if (e)
            sigbytes = (size_t)(e - m.p + 2) / nsig;
        if (hdr + 2 > AS_HEADER_MAX_BLOCK_BYTES ||
            sigbytes > AS_HEADER_MAX_FIELD_BYTES)
            break;
        best = len;
    }
    free(m.p);
    return best;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One message through the engine as the module runs it; returns the
 * number of signatures that reached the signature check, or -1. */
static long run_one(as_memdns *dns, as_dkim_keycache *cache, const buf *m,
                    size_t nsig)
{
    as_arena a;
    as_arena_init(&a, AS_MSG_ARENA_MAX);
    as_message pm;
    long checked = -1;
    if (as_message_parse(&a, m->p, m->n, NULL, &pm) == 0 &&
        pm.hdr.count == AS_HEADER_MAX_FIELDS) {
        as_qtab *q = as_qtab_new(&a, 0);
        as_dkim_config cfg = {(int)nsig, -1, 0};
        as_dkim *d;
        if (q && as_dkim_start(&a, q, cache, &pm, &cfg, 0, &d) == 0) {
            as_dkim_hash(d);
            as_memdns_drive(dns, q, NULL);
            as_dkim_finish(d);
            checked = 0;
            for (size_t i = 0; i < as_dkim_count(d); i++) {
                const as_dkim_sig_result *r = as_dkim_get_result(d, i);
                if (r->result == AUTHSCORE_RES_FAIL &&
                    strcmp(r->reason, "signature_mismatch") == 0)
                    checked++;
            }
        }
    }
    as_arena_free(&a);
    return checked;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 100)
        runs = 5;
    as_memdns *dns = as_memdns_new();
    as_dkim_keycache *cache = as_dkim_keycache_new(0);
    if (!dns || !cache ||
        as_memdns_add(dns, KEY_NAME, AUTHSCORE_QTYPE_TXT, KEY_REC,
                      strlen(KEY_REC))) {
        fprintf(stderr, "set-up failed\n");
        return 2;
    }
    static const size_t sigs[] = {AS_DKIM_MAX_SIGNATURES_HARD,
                                  AS_DKIM_MAX_SIGNATURES};
    static const char *const shapes[] = {"miss", "same", "many"};
    double worst = 0;
    double *t = calloc((size_t)runs, sizeof *t);
    buf m = {0};
    for (size_t si = 0; si < sizeof sigs / sizeof *sigs; si++)
        for (int shape = SHAPE_MISS; shape <= SHAPE_MANY; shape++) {
            size_t nsig = sigs[si];
            size_t len = pick_namelen(shape, nsig);
            size_t hdr = build(&m, shape, nsig, len);
            if (run_one(dns, cache, &m, nsig) != (long)nsig) {  /* warm-up */
                fprintf(stderr, "%s/%zu: message not evaluated as built\n",
                        shapes[shape], nsig);
                return 1;
            }
            for (int r = 0; r < runs; r++) {
                double t0 = now_s();
                long ok = run_one(dns, cache, &m, nsig);
                t[r] = now_s() - t0;
                if (ok != (long)nsig)
                    return 1;
            }
            qsort(t, (size_t)runs, sizeof *t, cmp_double);
            double med = t[runs / 2];
            if (med > worst)
                worst = med;
            printf("dkim worst %-4s %2zu sigs x %zu h= names x %u fields"
                   " (names %zu B, header %zu KB): %.2f ms median"
                   " (%.2f-%.2f) over %d runs\n",
                   shapes[shape], nsig, (size_t)AS_DKIM_MAX_H_NAMES,
                   AS_HEADER_MAX_FIELDS, len, hdr / 1024, med * 1e3,
                   t[0] * 1e3, t[runs - 1] * 1e3, runs);
        }
    printf("dkim worst-case message: %.2f ms\n", worst * 1e3);
    free(m.p);
    free(t);
    as_dkim_keycache_free(cache);
    as_memdns_free(dns);
    return 0;
}
