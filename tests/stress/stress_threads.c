/* stress_threads.c - one finalized authscore_ctx shared by several threads
 * (authscore.h: "the context is immutable and may be shared by any number
 * of threads").  Each thread scores the six example messages many times
 * through the BLOCKING path (authscore_msg_new, authscore_msg_set_time,
 * authscore_msg_resolve) against the example zones, signed at test time
 * and served by libunbound itself (serverless auth-zones, no network).
 * Every result must equal the single-threaded reference run.
 * A second phase shares a dns.backend=none context between the threads,
 * which score pass.eml through the sans-I/O API with a key record whose
 * bytes differ per message: the decoded-key cache misses, fills and
 * evicts under contention (the interesting part under ThreadSanitizer).
 * A third phase replays the pipeline fuzz corpus (fuzz/corpus/pipeline,
 * hostile inputs through pipeline_driver.c) in every thread at once on
 * the shared sans-I/O contexts: same invariants, same results as alone.
 *
 * usage: stress_threads [THREADS [ROUNDS]]   (default 4 threads, 50 rounds)
 * Needs AUTHSCORE_SOURCE_ROOT (set by meson test).  Exit status: 0 pass,
 * 1 fail, 77 skip (ldnsutils missing: tests/dns/sign-zones.sh says so). */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <authscore.h>
#include "pipeline_driver.h"
#include "stress_pass.h"

#define NOW 1795478000 /* examples/run.sh: signing time plus an hour */
#define MAX_MSGS 16
#define SUMMARY_MAX 2048

typedef struct example {
    char file[128];
    char ip[64], helo[256], mail_from[256];
    char *bytes;
    size_t len;
    char ref[SUMMARY_MAX];
} example;

static example ex[MAX_MSGS];
static size_t n_ex;
static const authscore_ctx *g_ctx;
static int g_rounds = 50;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "stress_threads: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = (size_t)n;
    }
    return b;
}

static void load_examples(const char *root)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/messages/ENVELOPES", root);
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s", path);
    char line[1024];
    while (fgets(line, sizeof line, f) && n_ex < MAX_MSGS) {
        example *e = &ex[n_ex];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%127s %63s %255s %255s", e->file, e->ip, e->helo,
                   e->mail_from) != 4)
            continue;
        if (!strcmp(e->mail_from, "<>"))
            e->mail_from[0] = '\0';
        snprintf(path, sizeof path, "%s/examples/messages/%s", root, e->file);
        e->bytes = slurp(path, &e->len);
        if (!e->bytes)
            die("cannot read %s", path);
        n_ex++;
    }
    fclose(f);
    if (n_ex == 0)
        die("no examples in ENVELOPES");
}

/* Append to a summary, never past its end. */
__attribute__((format(printf, 2, 3)))
static void add(char *s, const char *fmt, ...)
{
    size_t used = strlen(s);
    if (used + 1 >= SUMMARY_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s + used, SUMMARY_MAX - used, fmt, ap);
    va_end(ap);
}

static const char *str(const char *s) { return s ? s : "-"; }

/* Results, reasons and DNSSEC states of one message, compactly. */
static int score(const example *e, char *out)
{
    authscore_msg *m;
    int rc = authscore_msg_new(g_ctx, e->ip, e->helo, e->mail_from, e->bytes,
                               e->len, &m);
    if (rc < 0)
        return rc;
    rc = authscore_msg_set_time(m, NOW);
    if (rc == 0)
        rc = authscore_msg_resolve(m);
    if (rc < 0) {
        authscore_msg_free(m);
        return rc;
    }
    out[0] = '\0';
    for (int id = AUTHSCORE_SPF_MFROM; id <= AUTHSCORE_SPF_HELO; id++)
        add(out, "spf%d=%s/%s/%s/%d ", id,
            authscore_result_name(authscore_spf_result(m, id)),
            authscore_dnssec_name(authscore_spf_dnssec(m, id)),
            str(authscore_spf_reason(m, id)), authscore_spf_lookups(m, id));
    for (size_t i = 0; i < authscore_dkim_count(m); i++)
        add(out, "dkim%zu=%s/%s/%s/%d ", i,
            authscore_result_name(authscore_dkim_result(m, i)),
            authscore_dnssec_name(authscore_dkim_dnssec(m, i)),
            str(authscore_dkim_reason(m, i)), authscore_dkim_key_bits(m, i));
    add(out, "dmarc=%s/%s/%s/p%d/d%d",
        authscore_result_name(authscore_dmarc_result(m)),
        authscore_dnssec_name(authscore_dmarc_dnssec(m)),
        str(authscore_dmarc_reason(m)), authscore_dmarc_policy(m),
        authscore_dmarc_disposition(m));
    authscore_msg_free(m);
    return 0;
}

typedef struct worker {
    pthread_t t;
    int index;
    unsigned long scored, mismatches, errors;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    char got[SUMMARY_MAX];
    for (int r = 0; r < g_rounds; r++) {
        for (size_t k = 0; k < n_ex; k++) {
            /* Threads start at different messages so they overlap. */
            const example *e = &ex[(k + (size_t)w->index) % n_ex];
            if (score(e, got) < 0) {
                w->errors++;
                continue;
            }
            w->scored++;
            if (strcmp(got, e->ref) != 0) {
                if (w->mismatches++ == 0)
                    fprintf(stderr, "thread %d, %s:\n  got %s\n  ref %s\n",
                            w->index, e->file, got, e->ref);
            }
        }
    }
    return NULL;
}

static authscore_ctx *new_ctx(const char *conf)
{
    authscore_ctx *ctx;
    if (authscore_ctx_new(&ctx) < 0 ||
        authscore_ctx_set_option(ctx, "dns.config", conf) < 0 ||
        authscore_ctx_set_option(ctx, "dns.trust_anchor", "none") < 0 ||
        authscore_ctx_set_option(ctx, "dns.timeout_ms", "3000") < 0 ||
        authscore_ctx_set_option(ctx, "authserv_id", "mx.receiver.example") < 0)
        die("cannot set up the context");
    int rc = authscore_ctx_finalize(ctx);
    if (rc < 0)
        die("authscore_ctx_finalize: %s", authscore_strerror(rc));
    return ctx;
}

/* Phase 2: sans-I/O, fresh key record bytes per message. */
#define KEYS_PER_THREAD 600
static const char *g_pass;
static size_t g_pass_len;

static void *run_keys(void *arg)
{
    worker *w = arg;
    for (long i = 0; i < KEYS_PER_THREAD; i++) {
        /* Half the notes are shared between threads: concurrent misses
         * on the same record, and hits on entries others inserted. */
        long note = (i % 2) ? i : (long)w->index * 1000000L + i;
        if (sp_score_pass(g_ctx, g_pass, g_pass_len, note) == 0)
            w->scored++;
        else
            w->mismatches++;
    }
    return NULL;
}

/* Phase 3: the pipeline fuzz corpus in parallel. */
#define CORPUS_MAX 512
#define CORPUS_ROUNDS 5
typedef struct cinput {
    char name[256];
    unsigned char *data;
    size_t len;
    char *ref; /* fingerprint of the single-threaded run */
} cinput;
static cinput corpus[CORPUS_MAX];
static size_t n_corpus;

static void load_corpus(const char *root)
{
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/pipeline", root);
    DIR *d = opendir(dir);
    if (!d)
        die("no corpus at %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n_corpus < CORPUS_MAX) {
        if (e->d_name[0] == '.')
            continue;
        cinput *c = &corpus[n_corpus];
        snprintf(c->name, sizeof c->name, "%s", e->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        c->data = (unsigned char *)slurp(path, &c->len);
        if (!c->data)
            die("cannot read %s", path);
        n_corpus++;
    }
    closedir(d);
}

static void *run_corpus(void *arg)
{
    worker *w = arg;
    for (int r = 0; r < CORPUS_ROUNDS; r++) {
        for (size_t k = 0; k < n_corpus; k++) {
            const cinput *c = &corpus[(k + (size_t)w->index * 7) % n_corpus];
            pd_stats st;
            if (pd_run(c->data, c->len, &st) != 0) {
                if (w->errors++ == 0)
                    fprintf(stderr, "thread %d, %s: invariant failed at "
                            "pipeline_driver.c:%d: %s\n", w->index, c->name,
                            st.line, st.violation);
                continue;
            }
            w->scored++;
            if (strcmp(st.fingerprint ? st.fingerprint : "", c->ref) != 0 &&
                w->mismatches++ == 0)
                fprintf(stderr, "thread %d, %s:\n  got %s\n  ref %s\n", w->index,
                        c->name, st.fingerprint ? st.fingerprint : "", c->ref);
        }
    }
    return NULL;
}

static char g_tmp[] = "/tmp/authscore-stress-XXXXXX";

static void cleanup(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "stress_threads: could not remove %s\n", g_tmp);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2)
        g_rounds = atoi(argv[2]);
    if (threads < 1 || threads > 64 || g_rounds < 1)
        die("usage: stress_threads [THREADS [ROUNDS]]");
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    if (!root)
        die("AUTHSCORE_SOURCE_ROOT is not set (run through meson test)");
    load_examples(root);

    if (!mkdtemp(g_tmp))
        die("mkdtemp failed");
    atexit(cleanup);
    char cmd[8192];
    const char *z = "examples/zones";
    snprintf(cmd, sizeof cmd,
             "cd '%s' && sh tests/dns/sign-zones.sh '%s' %s/example.zone "
             "%s/good.example.zone %s/softpolicy.example.zone --tamper "
             "%s/bogus.example.zone >/dev/null",
             root, g_tmp, z, z, z, z);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        die("could not run sign-zones.sh");
    if (WEXITSTATUS(st) == 77) {
        printf("SKIP: ldns-keygen/ldns-signzone missing (Debian package ldnsutils)\n");
        return 77;
    }
    if (WEXITSTATUS(st) != 0)
        die("sign-zones.sh failed with status %d", WEXITSTATUS(st));

    char conf[4096];
    snprintf(conf, sizeof conf, "%s/unbound-serverless.conf", g_tmp);
    authscore_ctx *ref_ctx = new_ctx(conf);
    g_ctx = ref_ctx;

    /* The reference: one thread, in order. */
    for (size_t k = 0; k < n_ex; k++) {
        int rc = score(&ex[k], ex[k].ref);
        if (rc < 0)
            die("%s: %s", ex[k].file, authscore_strerror(rc));
        printf("ref %-24s %s\n", ex[k].file, ex[k].ref);
    }
    /* The fixture must really work, or equal results would prove nothing:
     * pass.eml passes SPF, DKIM (crypto) and DMARC with secure answers. */
    for (size_t k = 0; k < n_ex; k++)
        if (!strcmp(ex[k].file, "pass.eml") &&
            (!strstr(ex[k].ref, "spf0=pass/secure") ||
             !strstr(ex[k].ref, "dkim0=pass/secure") ||
             !strstr(ex[k].ref, "dmarc=pass/secure")))
            die("the reference run of pass.eml does not pass: %s", ex[k].ref);

    /* The threads share a COLD context, so they also race on the first
     * key decodes and the resolver's cache fills. */
    authscore_ctx_free(ref_ctx);
    authscore_ctx *ctx = new_ctx(conf);
    g_ctx = ctx;
    worker w[64];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.index = i};
        if (pthread_create(&w[i].t, NULL, run_worker, &w[i]) != 0)
            die("pthread_create failed");
    }
    unsigned long scored = 0, bad = 0, errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        scored += w[i].scored;
        bad += w[i].mismatches;
        errors += w[i].errors;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    authscore_ctx_free(ctx);
    printf("%d threads x %d rounds x %zu messages: %lu scored, %lu differ from the "
           "reference, %lu errors, %.2f s (%.0f messages/s)\n",
           threads, g_rounds, n_ex, scored, bad, errors, secs, secs > 0 ? scored / secs : 0);
    unsigned long want = (unsigned long)threads * (unsigned long)g_rounds * n_ex;
    int ok = bad == 0 && errors == 0 && scored == want;

    /* Phase 2: the key cache under contention (sans-I/O, no resolver). */
    for (size_t k = 0; k < n_ex; k++)
        if (!strcmp(ex[k].file, "pass.eml")) {
            g_pass = ex[k].bytes;
            g_pass_len = ex[k].len;
        }
    if (!g_pass)
        die("pass.eml is not in ENVELOPES");
    authscore_ctx *nctx;
    if (authscore_ctx_new(&nctx) < 0 ||
        authscore_ctx_set_option(nctx, "dns.backend", "none") < 0 ||
        authscore_ctx_set_option(nctx, "dns.cache_size", "0") < 0 || /* fresh keys */
        authscore_ctx_finalize(nctx) < 0)
        die("cannot build the sans-I/O context");
    g_ctx = nctx;
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.index = i};
        if (pthread_create(&w[i].t, NULL, run_keys, &w[i]) != 0)
            die("pthread_create failed");
    }
    unsigned long kpass = 0, kfail = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        kpass += w[i].scored;
        kfail += w[i].mismatches;
    }
    authscore_ctx_free(nctx);
    printf("%d threads x %d messages with fresh key records: %lu passed, %lu did not\n",
           threads, KEYS_PER_THREAD, kpass, kfail);
    ok = ok && kfail == 0 && kpass == (unsigned long)threads * KEYS_PER_THREAD;

    /* Phase 3: the pipeline corpus, alone then in every thread at once. */
    load_corpus(root);
    if (!pd_context(0) || !pd_context(1))
        die("cannot build the driver's contexts");
    for (size_t k = 0; k < n_corpus; k++) {
        pd_stats ps;
        if (pd_run(corpus[k].data, corpus[k].len, &ps) != 0)
            die("%s: invariant failed at pipeline_driver.c:%d: %s", corpus[k].name,
                ps.line, ps.violation);
        corpus[k].ref = strdup(ps.fingerprint ? ps.fingerprint : "");
        if (!corpus[k].ref)
            die("out of memory");
    }
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.index = i};
        if (pthread_create(&w[i].t, NULL, run_corpus, &w[i]) != 0)
            die("pthread_create failed");
    }
    unsigned long cdone = 0, cbad = 0, cerr = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        cdone += w[i].scored;
        cbad += w[i].mismatches;
        cerr += w[i].errors;
    }
    printf("%d threads x %d rounds x %zu corpus inputs: %lu replayed, %lu differ from "
           "the reference, %lu invariant failures\n",
           threads, CORPUS_ROUNDS, n_corpus, cdone, cbad, cerr);
    ok = ok && cbad == 0 && cerr == 0 &&
         cdone == (unsigned long)threads * CORPUS_ROUNDS * n_corpus;
    for (size_t k = 0; k < n_corpus; k++) {
        free(corpus[k].data);
        free(corpus[k].ref);
    }
    for (size_t k = 0; k < n_ex; k++)
        free(ex[k].bytes);
    return ok ? 0 : 1;
}
