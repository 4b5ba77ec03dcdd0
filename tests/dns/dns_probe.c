/* dns_probe - resolve questions through the libunbound backend and print
 * each answer; a plain program (no Criterion fork) so that valgrind can
 * watch the backend from ub_ctx_create to ub_ctx_delete.
 *
 * usage: dns_probe [-c unbound.conf] [-a trust-anchor|none] [-t ms]
 *                  [-d dumpdir] [-j threads] NAME/TYPE...
 * -d writes each raw answer packet to dumpdir/NAME_TYPE.bin (fuzz seeds).
 * -j N: N threads drive the same questions at once, 5 times each, on the
 *    one resolver, silently; for helgrind/TSan runs of the shared path.
 * Exit status: 0 when every question got an answer, 1 otherwise. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unbound.h>

#include "dns/qtab.h"
#include "dns/resolver.h"

static int qtype_of(const char *s)
{
    static const struct { const char *n; int t; } map[] = {
        {"A", 1}, {"AAAA", 28}, {"MX", 15}, {"TXT", 16}, {"PTR", 12}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcasecmp(s, map[i].n))
            return map[i].t;
    return -1;
}

static int answered;

static void print_answer(void *engine, uintptr_t cookie,
                         const as_dns_answer *ans)
{
    const char *q = engine;
    (void)cookie;
    answered++;
    printf("%s status=%s dnssec=%d ttl=%u count=%zu", q,
           as_dns_status_name(ans->status), ans->dnssec, ans->ttl,
           ans->count);
    if (ans->why_bogus)
        printf(" why_bogus=\"%s\"", ans->why_bogus);
    printf("\n");
    for (size_t i = 0; i < ans->count; i++) {
        const as_dns_rr *rr = &ans->rr[i];
        switch (rr->type) {
        case 1:
            printf("  A %u.%u.%u.%u\n", rr->u.a[0], rr->u.a[1], rr->u.a[2],
                   rr->u.a[3]);
            break;
        case 15:
            printf("  MX %u %s\n", rr->u.mx.pref, rr->u.mx.name);
            break;
        case 12:
            printf("  PTR %s\n", rr->u.ptr.name);
            break;
        case 16:
            printf("  TXT len=%zu %.*s\n", rr->u.txt.len,
                   (int)(rr->u.txt.len > 60 ? 60 : rr->u.txt.len),
                   rr->u.txt.p);
            break;
        default:
            printf("  type %u\n", rr->type);
        }
    }
}

/* Raw packets for the fuzz corpus come straight from libunbound. */
static void dump(const char *dir, const char *conf, const char *ta,
                 const char *name, int type, const char *tname)
{
    struct ub_ctx *ub = ub_ctx_create();
    struct ub_result *res = NULL;
    if (!ub)
        return;
    if (conf)
        ub_ctx_config(ub, conf);
    if (ta && strcmp(ta, "none"))
        ub_ctx_add_ta_file(ub, ta);
    if (ub_resolve(ub, name, type, 1, &res) == 0 && res->answer_packet) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%s.bin", dir, name, tname);
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(res->answer_packet, 1, (size_t)res->answer_len, f);
            fclose(f);
        }
    }
    ub_resolve_free(res);
    ub_ctx_delete(ub);
}

typedef struct job {
    as_resolver *r;
    char **qs;
    int nq, timeout, ok;
} job;

static void count_answer(void *engine, uintptr_t cookie,
                         const as_dns_answer *ans)
{
    (void)cookie;
    (void)ans;
    ++*(int *)engine;
}

static void *run_job(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int round = 0; round < 5; round++) {
        as_arena a;
        as_arena_init(&a, 1u << 22);
        as_qtab *t = as_qtab_new(&a, 0);
        int n = 0, asked = 0;
        for (int i = 0; t && i < j->nq; i++) {
            char *slash = strrchr(j->qs[i], '/');
            int type = slash ? qtype_of(slash + 1) : -1;
            if (type > 0 &&
                as_qtab_ask(t, j->qs[i], (size_t)(slash - j->qs[i]),
                            (uint16_t)type, count_answer, &n, 0) == 0)
                asked++;
        }
        if (!t || as_resolver_drive(j->r, t, j->timeout, NULL, NULL) != 0 ||
            n != asked)
            j->ok = 0;
        as_arena_free(&a);
    }
    return NULL;
}

static int run_threads(as_resolver *r, int nthreads, char **qs, int nq,
                       int timeout)
{
    pthread_t th[64];
    job jobs[64];
    int ok = 1;
    if (nthreads > 64)
        nthreads = 64;
    for (int i = 0; i < nthreads; i++) {
        jobs[i] = (job){r, qs, nq, timeout, 0};
        pthread_create(&th[i], NULL, run_job, &jobs[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        ok &= jobs[i].ok;
    }
    printf("threads=%d ok=%d\n", nthreads, ok);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    as_resolver_config cfg;
    const char *dumpdir = NULL;
    int timeout = 3000, opt, nthreads = 0;
    memset(&cfg, 0, sizeof cfg);
    while ((opt = getopt(argc, argv, "c:a:t:d:j:")) != -1) {
        switch (opt) {
        case 'c': cfg.config_file = optarg; break;
        case 'a': cfg.trust_anchor_file = optarg; break;
        case 't': timeout = atoi(optarg); break;
        case 'd': dumpdir = optarg; break;
        case 'j': nthreads = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-c conf] [-a ta] [-t ms] [-d dir] "
                            "NAME/TYPE...\n", argv[0]);
            return 2;
        }
    }
    char err[512];
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "as_resolver_new: %d: %s\n", rc, err);
        return 1;
    }
    if (nthreads > 0) {
        rc = run_threads(r, nthreads, argv + optind, argc - optind, timeout);
        as_resolver_free(r);
        return rc;
    }
    as_arena a;
    as_arena_init(&a, 1u << 22);
    as_qtab *t = as_qtab_new(&a, 0);
    int asked = 0;
    for (int i = optind; t && i < argc; i++) {
        char *slash = strrchr(argv[i], '/');
        int type = slash ? qtype_of(slash + 1) : -1;
        if (type < 0) {
            fprintf(stderr, "bad question %s\n", argv[i]);
            continue;
        }
        if (dumpdir) {
            *slash = '\0';
            dump(dumpdir, cfg.config_file, cfg.trust_anchor_file, argv[i],
                 type, slash + 1);
            *slash = '/';
        }
        if (as_qtab_ask(t, argv[i], (size_t)(slash - argv[i]), (uint16_t)type,
                        print_answer, argv[i], 0) == 0)
            asked++;
    }
    as_resolver_stats st;
    rc = t ? as_resolver_drive_stats(r, t, timeout, NULL, NULL, &st) : -1;
    if (t)
        printf("drive rc=%d waves=%u queries=%u timeouts=%u\n", rc, st.waves,
               st.queries, st.timeouts);
    as_arena_free(&a);
    as_resolver_free(r);
    return answered == asked && rc == 0 ? 0 : 1;
}
