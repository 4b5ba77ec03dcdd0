/* bench_ar.c - A-R header write, read and symbol derivation per message,
 * on a pass.eml-like result set (2 SPF, 2 DKIM, DMARC).  Prints figures;
 * never fails on speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "score/ar_read.h"
#include "score/ar_write.h"
#include "score/symbols.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "alice@good.example", "good.example", AUTHSCORE_DNSSEC_SECURE);
    fx_spf(&f, 1, AUTHSCORE_RES_NONE, NULL, "mx.good.example", AUTHSCORE_DNSSEC_SECURE)->reason =
        "no SPF record at mx.good.example";
    for (int i = 0; i < 2; i++) {
        as_dkim_sig_result *g = fx_sig(&f, AUTHSCORE_RES_PASS, i ? "esp.example" : "good.example",
                                       "sel2026", "rsa-sha256", "ok");
        g->key_bits = 2048;
        g->dnssec = AUTHSCORE_DNSSEC_SECURE;
    }
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "good.example", 3, 1, "aligned_both")->dnssec =
        AUTHSCORE_DNSSEC_SECURE;
    const char *v = NULL;
    size_t len = 0, sink = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        as_arena a;
        as_arena_init(&a, 1u << 20);
        if (as_ar_write(&a, "mx.receiver.example", &f.r, &v, &len) == 0)
            sink += len;
        as_arena_free(&a);
    }
    double t1 = now();
    /* The read input: one header written into its own arena. */
    as_arena keep;
    as_arena_init(&keep, 1u << 20);
    if (as_ar_write(&keep, "mx.receiver.example", &f.r, &v, &len) != 0)
        return 1;
    long ok = 0;
    double t1r = now();
    for (long i = 0; i < n; i++) {
        as_arena a;
        as_arena_init(&a, 1u << 20);
        as_ar_parsed p;
        if (as_ar_read(&a, v, len, &p) == 0 && p.n_res == 5)
            ok++;
        as_arena_free(&a);
    }
    double t2 = now();
    for (long i = 0; i < n; i++) {
        as_arena a;
        as_arena_init(&a, 1u << 20);
        as_symbol_list l;
        if (as_symbols_derive(&a, &f.r, &l) == 0)
            sink += l.count;
        as_arena_free(&a);
    }
    double t3 = now();
    printf("A-R write:   %.0f headers/s (%zu bytes each)\n", (double)n / (t1 - t0), len);
    printf("A-R read:    %.0f headers/s\n", (double)n / (t2 - t1r));
    printf("symbols:     %.0f derivations/s\n", (double)n / (t3 - t2));
    printf("(sink %zu, %ld of %ld reads gave 5 resinfos)\n", sink, ok, n);
    as_arena_free(&keep);
    return 0;
}
