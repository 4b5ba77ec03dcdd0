/* bench_dkim - DKIM verification throughput against its crypto floor.
 *
 *   bench_dkim ZONEFILE LISTFILE [RUNS]
 *
 * One core, keys already in the decoded-key cache (a warm-up pass fills
 * it).  Two figures over the same corpus:
 *   engine: whole messages through the engine as the module runs them
 *           (message parse, key queries answered by memdns, body and
 *           header canonicalization and hashing, verification);
 *   floor:  only the crypto the corpus needs, with crypto.c's own OpenSSL
 *           primitives: SHA-256 (or SHA-1) over each distinct canonicalized
 *           body and over each signature's canonicalized header data, and
 *           one verify per signature, on bytes prepared beforehand.
 * Prints medians with min-max over RUNS runs and the ratio engine/floor
 * (the target is >= 0.7).  Never fails on speed; fails only when the corpus
 * does not verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <authscore.h>
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/dkim.h"
#include "dkim/key.h"
#include "dkim/keycache.h"
#include "dkim/sig.h"
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "util/file.h"

#define BENCH_FILE_MAX (64u << 20)  /* one corpus message, at most */

#define MAX_MSGS 100000
#define ARENA_MAX (64u << 20)

typedef struct blob {
    char *p;
    size_t n, cap;
} blob;

static void blob_sink(void *arg, const char *p, size_t n)
{
    blob *b = arg;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

typedef struct floor_sig {
    int md;
    size_t body;        /* index into the message's bodies */
    blob hdr;           /* canonicalized header data */
    unsigned char *sig;
    size_t siglen;
    as_dkim_keyrec key;
} floor_sig;

typedef struct floor_msg {
    blob bodies[8];
    int body_md[8];
    size_t nbodies;
    floor_sig sigs[8];
    size_t nsigs;
} floor_msg;

typedef struct msg {
    char *p;
    size_t n;
    floor_msg fl;
} msg;

static msg msgs[MAX_MSGS];
static size_t nmsgs;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the engine, one message ------------------------------------------- */

static int verify_one(as_memdns *dns, as_dkim_keycache *cache, const msg *m,
                      int64_t now)
{
    as_arena a;
    as_arena_init(&a, ARENA_MAX);
    as_message pm;
    int pass = 0;
    if (as_message_parse(&a, m->p, m->n, NULL, &pm) >= 0) {
        as_qtab *q = as_qtab_new(&a, 0);
        as_dkim *d;
        if (q && as_dkim_start(&a, q, cache, &pm, NULL, now, &d) == 0) {
            as_dkim_hash(d);
            as_memdns_drive(dns, q, NULL);
            as_dkim_finish(d);
            pass = 1;
            for (size_t i = 0; i < as_dkim_count(d); i++)
                pass &= as_dkim_get_result(d, i)->result == AUTHSCORE_RES_PASS;
        }
    }
    as_arena_free(&a);
    return pass;
}

/* ---- the floor: prepare canonical bytes, keys, signatures --------------- */

static void canon_header(blob *out, const as_header_block *hb,
                         const as_dkim_sig *s)
{
    as_canon_out o;
    as_canon_out_init(&o, blob_sink, out);
    unsigned char *used = calloc(hb->count + 1, 1);
    size_t pos = 0;
    as_span name;
    while (as_dkim_sig_h_next(s, &pos, &name))
        for (size_t fi = hb->count; fi > 0; fi--) {
            const as_header_field *f = &hb->fields[fi - 1];
            if (used[fi - 1] ||
                !as_span_ieq(f->name.p, f->name.len, name.p, name.len))
                continue;
            used[fi - 1] = 1;
            as_hcanon h;
            as_hcanon_init(&h, s->hcanon, &o);
            as_hcanon_feed(&h, f->raw.p,
                           (size_t)(f->value_raw.p + f->value_raw.len - f->raw.p));
            as_hcanon_end(&h, 1);
            break;
        }
    as_hcanon h;
    as_hcanon_init(&h, s->hcanon, &o);
    as_hcanon_feed(&h, s->pre, s->pre_len);
    as_hcanon_feed(&h, s->post, s->post_len);
    as_hcanon_end(&h, 0);
    as_canon_out_flush(&o);
    free(used);
}

static int prepare_floor(as_memdns *dns, as_dkim_keycache *cache, msg *m)
{
    as_arena a;
    as_arena_init(&a, ARENA_MAX);
    as_message pm;
    as_message_parse(&a, m->p, m->n, NULL, &pm);
    floor_msg *fl = &m->fl;
    int bkey[8][3];
    for (size_t i = 0; i < pm.dkim_sig_count && fl->nsigs < 8; i++) {
        as_dkim_sig s;
        if (as_dkim_sig_parse(&a, &a, &pm.hdr.fields[pm.dkim_sig_idx[i]], &s) ||
            s.reason)
            return -1;
        floor_sig *fs = &fl->sigs[fl->nsigs++];
        fs->md = s.md;
        fs->sig = malloc(s.blen);
        memcpy(fs->sig, s.b, s.blen);
        fs->siglen = s.blen;
        canon_header(&fs->hdr, &pm.hdr, &s);
        /* One body per (canonicalization, digest, l=), as the engine. */
        size_t b = 0;
        for (; b < fl->nbodies; b++)
            if (bkey[b][0] == s.bcanon && bkey[b][1] == s.md &&
                bkey[b][2] == (int)s.l)
                break;
        if (b == fl->nbodies) {
            bkey[b][0] = s.bcanon;
            bkey[b][1] = s.md;
            bkey[b][2] = (int)s.l;
            fl->body_md[b] = s.md;
            blob full = {0};
            as_canon_out o;
            as_canon_out_init(&o, blob_sink, &full);
            as_bcanon bc;
            as_bcanon_init(&bc, s.bcanon, &o);
            as_bcanon_feed(&bc, pm.body, pm.body_len);
            as_bcanon_end(&bc);
            if (s.l >= 0 && (uint64_t)s.l < full.n)
                full.n = (size_t)s.l;
            fl->bodies[b] = full;
            fl->nbodies++;
        }
        fs->body = b;
        char qn[300];
        snprintf(qn, sizeof qn, "%s._domainkey.%s", s.s, s.d);
        as_dns_answer ans;
        if (as_memdns_lookup(dns, &a, qn, AUTHSCORE_QTYPE_TXT, &ans) ||
            ans.count < 1)
            return -1;
        as_dkim_keycache_get(cache, ans.rr[0].u.txt.p, ans.rr[0].u.txt.len,
                             &fs->key);
        if (fs->key.reason)
            return -1;
        /* The prepared bytes must be exactly what the signer signed. */
        unsigned char dig[AS_CRYPTO_MAX_DIGEST];
        size_t dl = as_crypto_digest(fs->md, fs->hdr.p, fs->hdr.n, dig);
        if (as_crypto_verify(fs->key.key, fs->md, dig, dl, fs->sig, fs->siglen) != 1)
            return -1;
    }
    as_arena_free(&a);
    return 0;
}

static size_t floor_one(const msg *m)
{
    const floor_msg *fl = &m->fl;
    unsigned char dig[AS_CRYPTO_MAX_DIGEST];
    size_t ok = 0;
    for (size_t b = 0; b < fl->nbodies; b++)
        ok += as_crypto_digest(fl->body_md[b], fl->bodies[b].p,
                               fl->bodies[b].n, dig) != 0;
    for (size_t i = 0; i < fl->nsigs; i++) {
        const floor_sig *s = &fl->sigs[i];
        size_t dl = as_crypto_digest(s->md, s->hdr.p, s->hdr.n, dig);
        ok += as_crypto_verify(s->key.key, s->md, dig, dl, s->sig,
                               s->siglen) == 1;
    }
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ZONEFILE LISTFILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 7;
    if (runs < 1 || runs > 100)
        runs = 7;
    as_memdns *dns = as_memdns_new();
    unsigned line = 0;
    if (!dns || as_memdns_load_file(dns, argv[1], &line)) {
        fprintf(stderr, "%s:%u: cannot load\n", argv[1], line);
        return 2;
    }
    FILE *lf = fopen(argv[2], "r");
    if (!lf) {
        fprintf(stderr, "%s: cannot read\n", argv[2]);
        return 2;
    }
    char path[4096];
    size_t bytes = 0, sigs = 0;
    while (nmsgs < MAX_MSGS && fgets(path, sizeof path, lf)) {
        path[strcspn(path, "\r\n")] = 0;
        if (!path[0])
            continue;
        msg *m = &msgs[nmsgs];
        if (as_file_read(path, BENCH_FILE_MAX, &m->p, &m->n, NULL, 0) != 0) {
            fprintf(stderr, "%s: cannot read\n", path);
            return 2;
        }
        bytes += m->n;
        nmsgs++;
    }
    fclose(lf);

    /* The clock is the bench's: signatures carry t= of the corpus run. */
    int64_t now = (int64_t)time(NULL) + 60;
    as_dkim_keycache *cache = as_dkim_keycache_new(0);
    size_t passed = 0;
    for (size_t i = 0; i < nmsgs; i++)  /* warm-up: fills the key cache */
        passed += (size_t)verify_one(dns, cache, &msgs[i], now);
    if (passed != nmsgs) {
        fprintf(stderr, "only %zu of %zu messages verify\n", passed, nmsgs);
        return 1;
    }
    for (size_t i = 0; i < nmsgs; i++) {
        if (prepare_floor(dns, cache, &msgs[i])) {
            fprintf(stderr, "message %zu: floor preparation failed\n", i);
            return 1;
        }
        sigs += msgs[i].fl.nsigs;
    }

    double *eng = calloc((size_t)runs, sizeof *eng);
    double *flo = calloc((size_t)runs, sizeof *flo);
    size_t sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < nmsgs; i++)
            sink += (size_t)verify_one(dns, cache, &msgs[i], now);
        double t1 = now_s();
        for (size_t i = 0; i < nmsgs; i++)
            sink += floor_one(&msgs[i]);
        double t2 = now_s();
        eng[r] = (double)nmsgs / (t1 - t0);
        flo[r] = (double)nmsgs / (t2 - t1);
    }
    qsort(eng, (size_t)runs, sizeof *eng, cmp_double);
    qsort(flo, (size_t)runs, sizeof *flo, cmp_double);
    double em = eng[runs / 2], fm = flo[runs / 2];
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(cache, &st);

    printf("dkim corpus: %zu messages, %zu signatures, %.1f KB average\n",
           nmsgs, sigs, (double)bytes / (double)nmsgs / 1024.0);
    printf("dkim engine: %.0f msgs/s median (%.0f-%.0f) over %d runs, one core,"
           " keys cached\n", em, eng[0], eng[runs - 1], runs);
    printf("dkim floor:  %.0f msgs/s median (%.0f-%.0f): digests + one verify"
           " per signature\n", fm, flo[0], flo[runs - 1]);
    printf("dkim ratio engine/floor: %.2f (target >= 0.70)\n", em / fm);
    printf("dkim key cache: %lu decodes, %lu hits, %lu misses\n", st.decodes,
           st.hits, st.misses);
    if (sink == 0)
        printf("(nothing verified)\n");
    free(eng);
    free(flo);
    as_dkim_keycache_free(cache);
    as_memdns_free(dns);
    return 0;
}
