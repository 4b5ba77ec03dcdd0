/* bench_pipeline - whole messages through the public sans-I/O API (SPF for
 * MAIL FROM and HELO, DKIM, DMARC, and with --rules the symbols, weights
 * and score), on the corpus of make_corpus.py.  Prints figures; never
 * fails on speed.
 *
 *   bench_pipeline ZONEFILE ENVELOPES [options]
 *     --runs N           timed runs per throughput figure (default 7, >= 5)
 *     --mem-messages N   messages of the memory pass (default 100000)
 *     --rtt-ms R         simulated round-trip time (default 20)
 *     --sleep-sample N   messages really slept through (default 10, 0: none)
 *     --spf-evals N      SPF evaluations per run (default 30000)
 *     --unbound-conf F   also time a ctx with the unbound backend and F
 *     --rules F          score with rule file F (rules/authscore.conf)
 *
 * Figures (one core: the process pins itself to the first CPU it may use):
 *  1. pipeline, warm: messages/s and MB/s; DNS answers come from a warm
 *     in-memory cache (answers.c) through authscore_msg_answer, in waves
 *     (every question handed out is answered, then the next wave); the
 *     ctx's decoded-key cache is warm.
 *  2. SPF (MAIL FROM) evaluations/s on the corpus's records (engine API,
 *     memdns answers, as tests/spf/bench_spf.c does).
 *  3. cold: per message, DNS rounds (authscore_msg_dns_rounds), waves the
 *     driver needed, lookups (authscore_msg_dns_queries) and CPU time;
 *     wall time with every answer RTT late: parallel = waves x RTT + CPU,
 *     sequential (one question at a time) = lookups x RTT + CPU; and a
 *     small sample driven with real sleeps both ways.  Rounds are checked
 *     against the corpus's longest dependency chain per message.
 *  4. memory: per message, the module's peak bytes (malloc counting, see
 *     memcount.h) and the arena's `used`; the heap in use after 1k, 10k
 *     and 100k messages on one ctx.
 *  5. start-up: authscore_ctx_new + options + finalize.
 * Every figure line that belongs in the summary table starts with "ROW|". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include <authscore.h>
#include "core/internal.h"
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "memcount.h"
#include "spf/spf.h"
#include "util/file.h"

#define BENCH_FILE_MAX (64u << 20)  /* one corpus message, at most */

#define MAX_WAVE 1024

typedef struct env {
    char *p;
    size_t n;
    char *ip, *helo, *mfrom;
    int chain;
} env;

static env *envs;
static size_t nenv, corpus_bytes;
/* Set when authscore_score() gave a score: the scoring layer ran, and the
 * pipeline figure's label says so (it excludes scoring until then). */
static int scored;
/* --rules: the rule file every ctx loads (NULL: symbols only, no score). */
static const char *rules_file;

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
    return now_s(CLOCK_MONOTONIC);
}

static double cpu(void)
{
    return now_s(CLOCK_THREAD_CPUTIME_ID);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_pipeline: %s\n", what);
    exit(2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median, min and max of v[n] (sorted in place). */
typedef struct stat3 {
    double med, min, max;
} stat3;

static stat3 stats(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    stat3 s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return s;
}

static void load_envelopes(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot read the envelope list");
    size_t cap = 0;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *fld[5];
        char *save = NULL, *s = line;
        int k = 0;
        for (; k < 5 && (fld[k] = strtok_r(s, "\t", &save)); k++)
            s = NULL;
        if (k < 5)
            continue;
        if (nenv == cap) {
            cap = cap ? cap * 2 : 1024;
            envs = realloc(envs, cap * sizeof *envs);
            if (!envs)
                die("out of memory");
        }
        env *e = &envs[nenv];
        if (as_file_read(fld[0], BENCH_FILE_MAX, &e->p, &e->n, NULL, 0) != 0)
            die("cannot read a message of the envelope list");
        e->ip = strdup(fld[1]);
        e->helo = strdup(fld[2]);
        e->mfrom = strdup(fld[3]);
        e->chain = atoi(fld[4]);
        corpus_bytes += e->n;
        nenv++;
    }
    fclose(f);
    if (!nenv)
        die("empty envelope list");
}

/* cache_size: the dns.cache_size option, or NULL for the default. */
static authscore_ctx *make_ctx(const char *conf, const char *cache_size)
{
    authscore_ctx *c;
    if (authscore_ctx_new(&c) < 0)
        die("authscore_ctx_new");
    int rc = authscore_ctx_set_option(c, "authserv_id", "mx.receiver.example");
    if (rc == 0 && cache_size)
        rc = authscore_ctx_set_option(c, "dns.cache_size", cache_size);
    if (rc == 0 && conf)
        rc = authscore_ctx_set_option(c, "dns.config", conf);
    else if (rc == 0)
        rc = authscore_ctx_set_option(c, "dns.backend", "none");
    if (rc == 0 && rules_file)
        rc = authscore_ctx_set_option(c, "rules.file", rules_file);
    if (rc == 0)
        rc = authscore_ctx_finalize(c);
    if (rc < 0) {
        const char *why = authscore_ctx_error(c);
        fprintf(stderr, "bench_pipeline: ctx: %s\n", why ? why : authscore_strerror(rc));
        authscore_ctx_free(c);
        return NULL;
    }
    return c;
}

/* ---- drivers ------------------------------------------------------------ */

typedef struct drive_opt {
    long sleep_ns;      /* real delay per wave / per question; 0: none */
    int sequential;     /* one question at a time */
    size_t *heap_peak;  /* sample the process heap after every step */
} drive_opt;

static void sleep_ns(long ns)
{
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void sample_heap(const drive_opt *o)
{
    if (o && o->heap_peak) {
        size_t h = heap_in_use();
        if (h > *o->heap_peak)
            *o->heap_peak = h;
    }
}

/* Answer every question of m, wave by wave (or one by one), then take the
 * result.  Returns the waves (or questions, sequentially) it took. */
static unsigned drive(authscore_msg *m, bench_answers *cache, const drive_opt *o)
{
    static uint32_t ids[MAX_WAVE];
    static const bench_answer *ans[MAX_WAVE];
    unsigned waves = 0;
    for (;;) {
        size_t n = 0;
        uint32_t id;
        const char *qn;
        int qt;
        size_t cap = o && o->sequential ? 1 : MAX_WAVE;
        while (n < cap && authscore_msg_next_query(m, &id, &qn, &qt) == 1) {
            ids[n] = id;
            ans[n] = bench_answers_get(cache, qn, qt);
            if (!ans[n])
                die("out of memory in the answer cache");
            n++;
        }
        sample_heap(o);
        if (n == 0)
            break;
        waves++;
        if (o && o->sleep_ns)
            sleep_ns(o->sleep_ns);
        for (size_t i = 0; i < n; i++)
            if (bench_answers_give(m, ids[i], ans[i]) < 0)
                die("authscore_msg_answer refused an answer");
        sample_heap(o);
    }
    authscore_msg_result(m);
    sample_heap(o);
    return waves;
}

static authscore_msg *new_msg(const authscore_ctx *ctx, const env *e)
{
    authscore_msg *m;
    if (authscore_msg_new(ctx, e->ip, e->helo, e->mfrom, e->p, e->n, &m) < 0)
        die("authscore_msg_new");
    return m;
}

/* ---- 1. warm pipeline ----------------------------------------------------- */

static void outcome_summary(const authscore_ctx *ctx, bench_answers *cache)
{
    size_t spf_pass = 0, helo_pass = 0, dkim_pass = 0, sigs = 0, dmarc_pass = 0;
    for (size_t i = 0; i < nenv; i++) {
        authscore_msg *m = new_msg(ctx, &envs[i]);
        drive(m, cache, NULL);
        spf_pass += authscore_spf_result(m, AUTHSCORE_SPF_MFROM) == AUTHSCORE_RES_PASS;
        helo_pass += authscore_spf_result(m, AUTHSCORE_SPF_HELO) == AUTHSCORE_RES_PASS;
        for (size_t k = 0; k < authscore_dkim_count(m); k++, sigs++)
            dkim_pass += authscore_dkim_result(m, k) == AUTHSCORE_RES_PASS;
        dmarc_pass += authscore_dmarc_result(m) == AUTHSCORE_RES_PASS;
        double score;
        scored |= authscore_score(m, &score) == 0;
        authscore_msg_free(m);
    }
    printf("corpus: %zu messages, %.1f KB average; outcomes: SPF mfrom pass %zu, "
           "HELO pass %zu, DKIM pass %zu of %zu signatures, DMARC pass %zu\n",
           nenv, (double)corpus_bytes / (double)nenv / 1024.0, spf_pass, helo_pass,
           dkim_pass, sigs, dmarc_pass);
    if (dkim_pass != sigs)
        printf("WARNING: not every signature verifies (clock or corpus?)\n");
}

/* Timed warm passes over the corpus; returns the median messages/s. */
static double warm_runs(const authscore_ctx *ctx, bench_answers *cache, int runs, stat3 *bytes)
{
    double *rate = calloc((size_t)runs, sizeof *rate);
    double *mbs = calloc((size_t)runs, sizeof *mbs);
    for (int r = 0; r < runs; r++) {
        double t0 = wall();
        for (size_t i = 0; i < nenv; i++) {
            authscore_msg *m = new_msg(ctx, &envs[i]);
            drive(m, cache, NULL);
            authscore_msg_free(m);
        }
        double dt = wall() - t0;
        rate[r] = (double)nenv / dt;
        mbs[r] = (double)corpus_bytes / dt / 1e6;
    }
    stat3 s = stats(rate, (size_t)runs);
    *bytes = stats(mbs, (size_t)runs);
    free(rate);
    free(mbs);
    printf("ROW|Full pipeline, warm caches (SPF mfrom+HELO, DKIM, DMARC; %s)"
           "|%.0f msgs/s|%.0f-%.0f|15,000/s/core: %s (%.1f us/msg)\n",
           scored ? "WITH scoring" : "NO scoring", s.med, s.min, s.max,
           s.med >= 15000 ? "met" : "MISSED", 1e6 / s.med);
    return s.med;
}

static void bench_warm(const authscore_ctx *ctx, bench_answers *cache, int runs)
{
    /* Warm-up: fills the answer cache and the decoded-key cache. */
    outcome_summary(ctx, cache);
    stat3 b;
    double with = warm_runs(ctx, cache, runs, &b);
    printf("ROW|Full pipeline, warm caches, bytes|%.0f MB/s|%.0f-%.0f|\n", b.med,
           b.min, b.max);
    if (!scored)
        return;
    /* The same corpus on a ctx without rules, in this run: what scoring
     * (symbols, weights, the rules' regexes and lists) costs. */
    const char *keep = rules_file;
    rules_file = NULL;
    authscore_ctx *bare = make_ctx(NULL, NULL);
    rules_file = keep;
    if (!bare)
        return;
    scored = 0;
    outcome_summary(bare, cache);
    double without = warm_runs(bare, cache, runs, &b);
    scored = 1;
    printf("ROW|Scoring's share of the warm pipeline (same run)|%.2f us/msg|-|"
           "%.1f%% of the time per message\n",
           1e6 / with - 1e6 / without, 100.0 * (1e6 / with - 1e6 / without) / (1e6 / with));
    authscore_ctx_free(bare);
}

/* ---- 2. SPF on the corpus's records -------------------------------------- */

static void bench_spf(const as_memdns *dns, int runs, long evals)
{
    double *rate = calloc((size_t)runs, sizeof *rate);
    double rounds = 0, lookups = 0;
    long done = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = wall();
        for (long k = 0; k < evals; k++) {
            const env *e = &envs[(size_t)k % nenv];
            as_arena a;
            as_arena_init(&a, 1u << 22);
            as_qtab *q = as_qtab_new(&a, 0);
            as_spf_request req = {0};
            req.client_ip = e->ip;
            req.sender = e->mfrom;
            req.domain = strchr(e->mfrom, '@') + 1;
            req.helo = e->helo;
            req.now = 1795478000;
            as_spf *s;
            if (q && as_spf_start(&a, q, &req, &s) == 0) {
                as_memdns_drive((as_memdns *)dns, q, NULL);
                if (r == 0) {
                    rounds += as_qtab_rounds(q);
                    lookups += as_spf_get_result(s)->lookups;
                    done++;
                }
            }
            as_arena_free(&a);
        }
        rate[r] = (double)evals / (wall() - t0);
    }
    stat3 s = stats(rate, (size_t)runs);
    printf("ROW|SPF (MAIL FROM) on the corpus's records, memdns|%.0f evals/s|%.0f-%.0f|"
           "%.2f rounds, %.2f lookups per evaluation\n",
           s.med, s.min, s.max, rounds / (double)done, lookups / (double)done);
    free(rate);
}

/* ---- 3. cold cache: rounds, lookups, simulated RTT ----------------------- */

static void bench_cold(const char *zone, int rtt_ms, size_t sample)
{
    /* Fresh ctx (cold decoded-key cache) and fresh answers (cold DNS);
     * no DNS answer cache in the ctx, so that every question of every
     * message goes out (the figure is per message, as if each were the
     * first of its domains). */
    authscore_ctx *ctx = make_ctx(NULL, "0");
    as_memdns *dns = as_memdns_new();
    unsigned line = 0;
    if (!ctx || !dns || as_memdns_load_file(dns, zone, &line))
        die("cold: setup");
    bench_answers *cache = bench_answers_new(dns);
    double rtt = rtt_ms / 1000.0;
    double *rounds = calloc(nenv, sizeof *rounds);
    double *queries = calloc(nenv, sizeof *queries);
    double *par = calloc(nenv, sizeof *par);
    double *seq = calloc(nenv, sizeof *seq);
    double sum_r = 0, sum_q = 0, sum_w = 0, sum_cpu = 0, sum_chain = 0;
    int max_r = 0, max_chain = 0;
    size_t over = 0, wave_diff = 0;
    for (size_t i = 0; i < nenv; i++) {
        double c0 = cpu();
        authscore_msg *m = new_msg(ctx, &envs[i]);
        unsigned w = drive(m, cache, NULL);
        double c = cpu() - c0;
        int r = authscore_msg_dns_rounds(m), q = authscore_msg_dns_queries(m);
        authscore_msg_free(m);
        rounds[i] = r;
        queries[i] = q;
        par[i] = w * rtt + c;
        seq[i] = q * rtt + c;
        sum_r += r;
        sum_q += q;
        sum_w += w;
        sum_cpu += c;
        sum_chain += envs[i].chain;
        if (r > max_r)
            max_r = r;
        if (envs[i].chain > max_chain)
            max_chain = envs[i].chain;
        over += r > envs[i].chain;
        wave_diff += (int)w != r;
    }
    double n = (double)nenv;
    stat3 sr = stats(rounds, nenv), sq = stats(queries, nenv);
    stat3 sp = stats(par, nenv), ss = stats(seq, nenv);
    printf("cold: %zu messages, first pass on a fresh ctx; CPU %.1f us/msg "
           "(includes first-use key decodes); driver waves %.2f/msg, "
           "%zu messages where waves != rounds\n",
           nenv, sum_cpu / n * 1e6, sum_w / n, wave_diff);
    printf("ROW|Cold: DNS rounds per message (critical path)|%.2f mean, %.0f median|"
           "%.0f-%.0f|<= longest chain (corpus: mean %.2f, max %d): %s (%zu over)\n",
           sum_r / n, sr.med, sr.min, sr.max, sum_chain / n, max_chain,
           over ? "MISSED" : "met", over);
    printf("ROW|Cold: DNS lookups per message (authscore_msg_dns_queries)|"
           "%.2f mean, %.0f median|%.0f-%.0f|%.1fx the rounds\n",
           sum_q / n, sq.med, sq.min, sq.max, sum_q / sum_r);
    printf("ROW|Cold: wall/msg, %d ms RTT, all questions in flight (waves x RTT + CPU)"
           "|%.1f ms mean, %.1f median|%.1f-%.1f|\n",
           rtt_ms, (sum_w * rtt + sum_cpu) / n * 1e3, sp.med * 1e3, sp.min * 1e3,
           sp.max * 1e3);
    printf("ROW|Cold: wall/msg, %d ms RTT, one lookup at a time (lookups x RTT + CPU)"
           "|%.1f ms mean, %.1f median|%.1f-%.1f|parallel is %.1fx faster\n",
           rtt_ms, (sum_q * rtt + sum_cpu) / n * 1e3, ss.med * 1e3, ss.min * 1e3,
           ss.max * 1e3, (sum_q * rtt + sum_cpu) / (sum_w * rtt + sum_cpu));
    (void)max_r;

    /* A small sample really slept through, both ways (fresh answers:
     * nothing is reused from the pass above but the decoded keys). */
    if (sample > nenv)
        sample = nenv;
    if (sample) {
        double tp = 0, ts = 0, model_p = 0, model_s = 0;
        for (size_t k = 0; k < sample; k++) {
            const env *e = &envs[k * nenv / sample];
            drive_opt op = {.sleep_ns = (long)rtt_ms * 1000000L};
            double t0 = wall();
            authscore_msg *m = new_msg(ctx, e);
            unsigned w = drive(m, cache, &op);
            tp += wall() - t0;
            model_p += w * rtt;
            authscore_msg_free(m);
            drive_opt os = {.sleep_ns = (long)rtt_ms * 1000000L, .sequential = 1};
            t0 = wall();
            m = new_msg(ctx, e);
            unsigned q = drive(m, cache, &os);
            ts += wall() - t0;
            model_s += q * rtt;
            authscore_msg_free(m);
        }
        double sn = (double)sample;
        printf("ROW|Cold, real sleeps (%zu messages, %d ms per wave / per lookup)"
               "|%.1f ms parallel, %.1f ms sequential|-|model: %.1f / %.1f ms\n",
               sample, rtt_ms, tp / sn * 1e3, ts / sn * 1e3, model_p / sn * 1e3,
               model_s / sn * 1e3);
    }
    free(rounds);
    free(queries);
    free(par);
    free(seq);
    bench_answers_free(cache);
    as_memdns_free(dns);
    authscore_ctx_free(ctx);
}

/* ---- 4. memory -------------------------------------------------------------- */

static void bench_memory(const authscore_ctx *ctx, bench_answers *cache, long total)
{
    const size_t sampled = nenv;  /* messages with heap sampling per step */
    double *peak = calloc(nenv, sizeof *peak);
    double *arena = calloc(nenv, sizeof *arena);
    size_t heap_peak_max = 0;
    long leaked = 0;
    size_t heap0 = heap_in_use();
    long count0 = memcount_in_use();
    size_t heap_at[3] = {0, 0, 0};
    long count_at[3] = {0, 0, 0};
    const long marks[3] = {1000, 10000, 100000};
    double t0 = wall();
    for (long i = 0; i < total; i++) {
        const env *e = &envs[(size_t)i % nenv];
        size_t hp = 0, hbase = 0;
        drive_opt o = {.heap_peak = &hp};
        int sample = (size_t)i < sampled;
        if (sample)
            hbase = heap_in_use();
        long before = memcount_in_use();
        memcount_window_start();
        authscore_msg *m = new_msg(ctx, e);
        drive(m, cache, sample ? &o : NULL);
        if (sample) {
            arena[i] = (double)(m->arena.used + sizeof *m);
            peak[i] = (double)memcount_window_peak();
            if (hp > hbase && hp - hbase > heap_peak_max)
                heap_peak_max = hp - hbase;
        }
        authscore_msg_free(m);
        leaked += memcount_in_use() - before;
        for (int k = 0; k < 3; k++)
            if (i + 1 == marks[k]) {
                heap_at[k] = heap_in_use();
                count_at[k] = memcount_in_use();
            }
    }
    double dt = wall() - t0;
    size_t n = sampled < (size_t)total ? sampled : (size_t)total;
    stat3 p = stats(peak, n), a = stats(arena, n);
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (peak[i] > 65536)
            big++;
    printf("memory: %ld messages in %.1f s; module bytes still held after free "
           "(sum over all messages): %ld\n", total, dt, leaked);
    if (memcount_active())
        printf("ROW|Memory: module peak bytes per message (malloc counting, beyond "
               "the borrowed message)|%.1f KiB median|%.1f-%.1f KiB|<= 64 KiB: %s "
               "(%.0f of %zu messages over)\n",
               p.med / 1024, p.min / 1024, p.max / 1024,
               p.med <= 65536 ? "met (median)" : "MISSED (median)", big, n);
    printf("ROW|Memory: arena used per message (arena.used + msg struct)|"
           "%.1f KiB median|%.1f-%.1f KiB|16 KiB blocks\n",
           a.med / 1024, a.min / 1024, a.max / 1024);
    printf("ROW|Memory: peak process heap growth within a message (mallinfo2, "
           "incl. OpenSSL)|%.1f KiB max|-|\n", (double)heap_peak_max / 1024);
    char buf[256], cnt[256];
    size_t off = 0, coff = 0;
    int last = -1;
    for (int k = 0; k < 3; k++)
        if (total >= marks[k]) {
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%ldk: %+.1f KiB",
                                    off ? ", " : "", marks[k] / 1000,
                                    ((double)heap_at[k] - (double)heap0) / 1024);
            coff += (size_t)snprintf(cnt + coff, sizeof cnt - coff, "%s%+ld",
                                     coff ? ", " : "", count_at[k] - count0);
            last = k;
        }
    if (last >= 0)
        printf("ROW|Memory: process heap in use vs. start of the pass, after N "
               "messages (one ctx)|%s|-|no growth: %s (module-counted bytes: %s)\n",
               buf, heap_at[last] <= heap_at[0] + 65536 ? "met" : "GROWS", cnt);
    free(peak);
    free(arena);
}

/* ---- 5. start-up ---------------------------------------------------------------- */

static void bench_startup(const char *conf)
{
    const int runs[2] = {21, 7};
    for (int k = 0; k < 2; k++) {
        if (k == 1 && !conf)
            break;
        double *t = calloc((size_t)runs[k], sizeof *t);
        double *tf = calloc((size_t)runs[k], sizeof *tf);
        int ok = 1;
        for (int r = 0; r < runs[k]; r++) {
            double t0 = wall();
            authscore_ctx *c = make_ctx(k ? conf : NULL, NULL);
            t[r] = wall() - t0;
            ok &= c != NULL;
            t0 = wall();
            authscore_ctx_free(c);
            tf[r] = wall() - t0;
        }
        stat3 s = stats(t, (size_t)runs[k]), f = stats(tf, (size_t)runs[k]);
        printf("ROW|Start-up: ctx new + finalize, %s%s|%.1f us|%.1f-%.1f us|"
               "ctx free: %.1f us%s\n",
               k ? "unbound backend, serverless signed zones" : "dns.backend=none",
               rules_file ? ", shipped rules" : ", no rules",
               s.med * 1e6, s.min * 1e6, s.max * 1e6, f.med * 1e6,
               ok ? "" : " (FAILED to finalize)");
        free(t);
        free(tf);
    }
}

static void pin_one_core(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) {
            CPU_ZERO(&set);
            CPU_SET(c, &set);
            if (sched_setaffinity(0, sizeof set, &set) == 0)
                printf("pinned to CPU %d\n", c);
            return;
        }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ZONEFILE ENVELOPES [--runs N] [--mem-messages N]"
                " [--rtt-ms R] [--sleep-sample N] [--spf-evals N]"
                " [--unbound-conf FILE] [--rules FILE]\n", argv[0]);
        return 2;
    }
    int runs = 7, rtt = 20;
    long mem = 100000, spf_evals = 30000, sample = 10;
    const char *conf = NULL;
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--runs"))
            runs = atoi(v);
        else if (!strcmp(o, "--mem-messages"))
            mem = atol(v);
        else if (!strcmp(o, "--rtt-ms"))
            rtt = atoi(v);
        else if (!strcmp(o, "--sleep-sample"))
            sample = atol(v);
        else if (!strcmp(o, "--spf-evals"))
            spf_evals = atol(v);
        else if (!strcmp(o, "--unbound-conf"))
            conf = v;
        else if (!strcmp(o, "--rules"))
            rules_file = v;
        else
            die("unknown option");
    }
    if (runs < 5)
        runs = 5;
    if (rtt < 0 || mem < 0 || spf_evals < 1 || sample < 0)
        die("bad option value");
    setvbuf(stdout, NULL, _IOLBF, 0);
    pin_one_core();

    load_envelopes(argv[2]);
    as_memdns *dns = as_memdns_new();
    unsigned line = 0;
    if (!dns || as_memdns_load_file(dns, argv[1], &line)) {
        fprintf(stderr, "%s:%u: cannot load\n", argv[1], line);
        return 2;
    }
    bench_startup(conf);
    authscore_ctx *ctx = make_ctx(NULL, NULL);
    bench_answers *cache = bench_answers_new(dns);
    if (!ctx || !cache)
        die("setup");
    bench_warm(ctx, cache, runs);
    bench_spf(dns, runs, spf_evals);
    bench_cold(argv[1], rtt, (size_t)sample);
    if (mem)
        bench_memory(ctx, cache, mem);
    bench_answers_free(cache);
    authscore_ctx_free(ctx);
    as_memdns_free(dns);
    for (size_t i = 0; i < nenv; i++) {
        free(envs[i].p);
        free(envs[i].ip);
        free(envs[i].helo);
        free(envs[i].mfrom);
    }
    free(envs);
    return 0;
}
