/* bench_dns - figures for the DNS layer (printed, never asserted):
 *  1. as_dns_parse_packet on a signed DKIM-key answer (2 TXT strings plus
 *     RRSIG), packets per second;
 *  2. a message's 5 questions driven through libunbound with a warm cache
 *     (serverless zones from with-fixtures.sh), messages per second, for
 *     1 and 2 threads sharing the resolver. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unbound.h>

#include "dns/qtab.h"
#include "dns/resolver.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const questions[][2] = {
    {"example.test", "16"},
    {"sel._domainkey.example.test", "16"},
    {"_dmarc.example.test", "16"},
    {"example.test", "15"},
    {"nx.nsec3.test", "1"},
};
#define NQ (sizeof questions / sizeof *questions)

static void count(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    (void)cookie;
    (void)a;
    ++*(int *)engine;
}

static int one_message(as_resolver *r)
{
    as_arena a;
    as_arena_init(&a, 1u << 20);
    as_qtab *t = as_qtab_new(&a, 0);
    int n = 0;
    for (size_t i = 0; t && i < NQ; i++)
        as_qtab_ask(t, questions[i][0], strlen(questions[i][0]),
                    (uint16_t)atoi(questions[i][1]), count, &n, 0);
    int rc = t ? as_resolver_drive(r, t, 5000, NULL, NULL) : -1;
    as_arena_free(&a);
    return rc == 0 && n == (int)NQ ? 0 : -1;
}

typedef struct job {
    as_resolver *r;
    int n, ok;
} job;

static void *run(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int i = 0; i < j->n; i++)
        if (one_message(j->r) != 0)
            j->ok = 0;
    return NULL;
}

int main(void)
{
    const char *zones = getenv("AUTHSCORE_DNS_ZONES");
    if (!zones) {
        printf("bench_dns: no zones (run through with-fixtures.sh): "
               "skipped\n");
        return 0;
    }
    char conf[4096];
    snprintf(conf, sizeof conf, "%s/unbound-serverless.conf", zones);

    /* 1. The raw packet, straight from libunbound. */
    struct ub_ctx *ub = ub_ctx_create();
    struct ub_result *res = NULL;
    ub_ctx_config(ub, conf);
    if (ub_resolve(ub, "sel._domainkey.example.test", 16, 1, &res) != 0 ||
        !res->answer_packet) {
        fprintf(stderr, "bench_dns: resolve failed\n");
        return 1;
    }
    const int iters = 200000;
    double t0 = now_s();
    size_t sink = 0;
    for (int i = 0; i < iters; i++) {
        as_arena a;
        as_arena_init(&a, 1u << 16);
        as_dns_answer ans;
        as_dns_parse_packet(&a, 16, res->answer_packet,
                            (size_t)res->answer_len, &ans);
        sink += ans.count;
        as_arena_free(&a);
    }
    double dt = now_s() - t0;
    printf("wire: parse %d-byte DKIM-key answer: %.0f packets/s "
           "(%.2f us each)\n",
           res->answer_len, iters / dt, dt / iters * 1e6);
    ub_resolve_free(res);
    ub_ctx_delete(ub);
    if (sink != (size_t)iters)
        return 1;

    /* 2. Whole messages through the driver, warm cache. */
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    char err[256];
    as_resolver *r = NULL;
    if (as_resolver_new(&cfg, &r, err, sizeof err) != 0) {
        fprintf(stderr, "bench_dns: %s\n", err);
        return 1;
    }
    if (one_message(r) != 0)
        return 1;
    for (int threads = 1; threads <= 2; threads++) {
        pthread_t th[2];
        job jobs[2];
        const int per = 4000;
        t0 = now_s();
        for (int i = 0; i < threads; i++) {
            jobs[i] = (job){r, per, 0};
            pthread_create(&th[i], NULL, run, &jobs[i]);
        }
        int ok = 1;
        for (int i = 0; i < threads; i++) {
            pthread_join(th[i], NULL);
            ok &= jobs[i].ok;
        }
        dt = now_s() - t0;
        printf("drive: %zu questions per message, warm cache, %d thread%s: "
               "%.0f messages/s (%.1f us each)%s\n",
               NQ, threads, threads > 1 ? "s" : "", threads * per / dt,
               dt / (threads * per) * 1e6, ok ? "" : " ERRORS");
    }
    as_resolver_free(r);
    return 0;
}
