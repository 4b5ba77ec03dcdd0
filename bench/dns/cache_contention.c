/* cache_contention.c - is the DNS answer cache's one mutex a bottleneck
 * for two threads?  Each thread looks up hot entries (a message's worth:
 * 12 questions, answers of 30-400 bytes copied into its arena) as fast as
 * it can; the rate with 1 and with 2 threads on one cache, and with 2
 * threads on two caches (no sharing), side by side.  Built and run by
 * scripts/bench.sh; prints "ROW|" lines (docs/performance.md).
 *
 *   cache_contention [SECONDS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/cache.h"

#define NAMES 300
#define PER_MESSAGE 12

static double secs = 1.0;

static int64_t clock_ms(void *u)
{
    (void)u;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static as_dns_cache *fill(void)
{
    as_dns_cache_config cfg = {AS_DNS_CACHE_DEFAULT_BYTES, 3600, 5, clock_ms, NULL};
    as_dns_cache *c;
    if (as_dns_cache_new(&cfg, &c) < 0 || !c)
        exit(1);
    static char text[400];
    memset(text, 'k', sizeof text - 1);
    for (int i = 0; i < NAMES; i++) {
        char name[64];
        snprintf(name, sizeof name, "n%d._domainkey.brand%02d.example", i, i % 20);
        as_dns_rr rr = {.type = AUTHSCORE_QTYPE_TXT, .ttl = 3600};
        rr.u.txt.p = text;
        rr.u.txt.len = (size_t)(30 + i % 370);
        as_dns_answer a = as_dns_answer_status(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
        a.ttl = 3600;
        a.rr = &rr;
        a.count = 1;
        as_dns_cache_put(c, name, strlen(name), AUTHSCORE_QTYPE_TXT, &a);
    }
    return c;
}

typedef struct job {
    pthread_t t;
    as_dns_cache *c;
    unsigned seed;
    double msgs;
} job;

static void *run(void *arg)
{
    job *j = arg;
    double end = now() + secs;
    unsigned long n = 0;
    while (now() < end) {
        for (int k = 0; k < 100; k++, n++) {
            as_arena a;
            as_arena_init(&a, 1u << 20);
            for (int q = 0; q < PER_MESSAGE; q++) {
                char name[64];
                int i = (int)(rand_r(&j->seed) % NAMES);
                snprintf(name, sizeof name, "n%d._domainkey.brand%02d.example", i, i % 20);
                as_dns_answer got;
                if (as_dns_cache_get(j->c, name, strlen(name), AUTHSCORE_QTYPE_TXT, &a, &got) != 1)
                    exit(1);
            }
            as_arena_free(&a);
        }
    }
    j->msgs = (double)n / secs;
    return NULL;
}

static double rate(int threads, int shared)
{
    job j[2];
    as_dns_cache *one = fill();
    for (int i = 0; i < threads; i++) {
        j[i] = (job){.c = shared || i == 0 ? one : fill(), .seed = 7u + (unsigned)i};
        pthread_create(&j[i].t, NULL, run, &j[i]);
    }
    double total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(j[i].t, NULL);
        total += j[i].msgs;
        if (j[i].c != one)
            as_dns_cache_free(j[i].c);
    }
    as_dns_cache_free(one);
    return total;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        secs = atof(argv[1]);
    double r1 = rate(1, 1), r2 = rate(2, 1), r2s = rate(2, 0);
    printf("ROW|3 pipeline|DNS answer cache, %d hot lookups per message with copies (bench/dns/"
           "cache_contention): 1 thread|%.0f msgs/s|-|%.2f us per lookup\n",
           PER_MESSAGE, r1, 1e6 / r1 / PER_MESSAGE);
    printf("ROW|3 pipeline|DNS answer cache: 2 threads, one shared cache|%.0f msgs/s|-|%.2fx one thread\n",
           r2, r2 / r1);
    printf("ROW|3 pipeline|DNS answer cache: 2 threads, a cache each (no lock shared)|%.0f msgs/s|-|"
           "%.2fx one thread; the shared cache reaches %.0f%% of this\n",
           r2s, r2s / r1, 100 * r2 / r2s);
    return 0;
}
