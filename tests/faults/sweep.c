/* sweep.c - the allocation-failure sweep of the whole pipeline (issue 15,
 * docs/architecture.md "Fail closed"), in the manner of curl's torture
 * tests: for every example message, and for every N from 0 to past the
 * last allocation, fail allocation N once (malloc and friends, OpenSSL's,
 * the message arena's: alloc_fault.c) and check the fail-closed rule
 * (fx_check.c); then score the same message on the same context without
 * a fault and require exactly the fault-free result, so nothing a fault
 * touched was cached.  Also every allocation of building a context
 * (options, the example rule file, the resolver): finalize fails with an
 * error, or the context is whole.
 *
 * Every message, every N, three ways in: sans-I/O (answers from memdns),
 * libunbound (blocking, the zones signed at test time) and the Exim
 * entry point (fx_exim.c); and libunbound again with the answers read
 * from a warm shared cache file (dns.shared_cache).  The first two run with the context's DNS
 * answer cache emptied before each faulted run, so every answer is a
 * miss and is stored (a fault while storing leaves no half entry, and the
 * run after it reads what the faulted run stored); sans-I/O runs once
 * more with the cache warm, so every answer is a hit copied out of it.  About 8,900 faulted runs; measured 11 to 26 s
 * under ASan+UBSan, 6 to 12 s in a plain build (depending on load).
 * Under ASan the run is also leak-checked at exit.
 *
 * usage: sweep MEMDNS-ZONES UNBOUND-CONF   (run-sweep.sh makes both)
 * Prints the figures per message and path; exit 1 on the first
 * violation, with both outcomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fault.h"
#include "core/internal.h"
#include "fx.h"
#include "fx_exim.h"

#define FX_MAX_MESSAGES 16

/* SHARED: libunbound with dns.shared_cache, every answer read from the
 * file (the context's own cache emptied before each run); [3]: Exim. */
enum { SANSIO, UNBOUND, SHARED };
static const char *const path_name[] = {"sans-I/O", "libunbound", "shared", "Exim"};

typedef struct stats {
    long allocs;     /* in one fault-free run */
    long tried;      /* faults that hit an allocation */
    long refused;    /* the host got ENOMEM / ELIMIT */
    long degraded;   /* some method temperror no_memory / limit */
    long unchanged;  /* the same result as without the fault */
} stats;

static const char *root;
static as_memdns *dns;
static long note_seq; /* unique DKIM key records: every run decodes its key */

/* ---- files ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = malloc(1 << 20);
    *len = p ? fread(p, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    return p;
}

/* ENVELOPES: "file ip helo mail_from" per line, '#' comments, "<>" null. */
static int load_envelopes(const char *dir, fx_message *msgs, size_t *n)
{
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/ENVELOPES", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL: cannot read %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f) && *n < FX_MAX_MESSAGES) {
        char file[256];
        fx_message *m = &msgs[*n];
        if (line[0] == '#' ||
            sscanf(line, "%255s %63s %255s %255s", file, m->ip, m->helo, m->mail_from) != 4)
            continue;
        if (!strcmp(m->mail_from, "<>"))
            m->mail_from[0] = '\0';
        snprintf(path, sizeof path, "%s/%s", dir, file);
        m->bytes = slurp(path, &m->len);
        m->name = strdup(file);
        if (!m->bytes || !m->name) {
            printf("FAIL: cannot read %s\n", path);
            fclose(f);
            return -1;
        }
        (*n)++;
    }
    fclose(f);
    return 0;
}

/* ---- contexts ---- */

static char ctx_error[1024]; /* authscore_ctx_error() of the last make_ctx */

/* The example site's context for a path, built with allocation fail_at
 * failed (-1: none).  Returns 0 or the first error. */
static char shared_file[] = "/tmp/authscore-faults-shared.XXXXXX";

static int make_ctx(int path, const char *unbound_conf, long fail_at, authscore_ctx **out)
{
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/examples/authscore.conf", root);
    const char *opts[][2] = {
        {"authserv_id", "mx.receiver.example"},
        {"rules.file", rules},
        {"dns.backend", path == SANSIO ? "none" : "unbound"},
        {"dns.config", unbound_conf},
        {"dns.trust_anchor", "none"},
        {"dns.timeout_ms", "3000"},
        {"dns.shared_cache", shared_file},
    };
    size_t nopts = path == SANSIO ? 3 : path == UNBOUND ? 6 : 7;
    *out = NULL;
    fa_arm(fail_at);
    authscore_ctx *c = NULL;
    int rc = authscore_ctx_new(&c);
    for (size_t i = 0; rc == 0 && i < nopts; i++)
        rc = authscore_ctx_set_option(c, opts[i][0], opts[i][1]);
    if (rc == 0)
        rc = authscore_ctx_finalize(c);
    fa_disarm();
    snprintf(ctx_error, sizeof ctx_error, "%s",
             c && authscore_ctx_error(c) ? authscore_ctx_error(c) : "");
    if (rc < 0)
        authscore_ctx_free(c);
    else
        *out = c;
    return rc;
}

static void run(int path, const authscore_ctx *ctx, const fx_message *m, long note,
                fx_outcome *o)
{
    if (path == SANSIO)
        fx_run_sansio(ctx, dns, m, note, o);
    else
        fx_run_unbound(ctx, m, o);
}

/* Same rule set as the fault-free context: names and weights in order. */
static int same_rules(const authscore_ctx *a, const authscore_ctx *b)
{
    size_t n = authscore_rules_count(a);
    if (n == 0 || n != authscore_rules_count(b))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(authscore_rules_name(a, i), authscore_rules_name(b, i)) ||
            authscore_rules_weight(a, i) != authscore_rules_weight(b, i))
            return 0;
    return 1;
}

/* Every allocation of building the context failed in turn: an error, or
 * a context that is whole (the same rules, the same result for `m`). */
static int sweep_ctx(int path, const char *conf, const authscore_ctx *good,
                     const fx_message *m, const fx_outcome *want, stats *st)
{
    authscore_ctx *c;
    memset(st, 0, sizeof *st);
    (void)make_ctx(path, conf, -1, &c);
    authscore_ctx_free(c);
    for (long n = 0;; n++) {
        int rc = make_ctx(path, conf, n, &c);
        if (!fa_hit()) {
            st->allocs = n;
            authscore_ctx_free(c);
            break;
        }
        st->tried++;
        if (rc < 0) {
            if (rc != AUTHSCORE_ENOMEM && rc != AUTHSCORE_ELIMIT) {
                printf("FAIL: %s context, fault %ld: \"%s\", not a fault's error: %s\n",
                       path_name[path], n, authscore_strerror(rc), ctx_error);
                return -1;
            }
            st->refused++;
            continue;
        }
        fx_outcome got;
        run(path, c, m, note_seq++, &got);
        int whole = same_rules(c, good) && fx_same(&got, want);
        authscore_ctx_free(c);
        if (!whole) {
            printf("FAIL: %s context, fault %ld: finalize succeeded with a context "
                   "that is not whole\n", path_name[path], n);
            fx_print("got", &got);
            fx_print("want", want);
            return -1;
        }
        st->unchanged++;
    }
    return 0;
}

/* ---- messages ---- */

/* cold: empty the context's DNS answer cache before the counted and the
 * faulted runs (the run after a fault keeps what that run stored). */
static void empty_cache(const authscore_ctx *ctx, int cold)
{
    if (cold)
        as_dns_cache_clear(ctx->cache);
}

static int sweep_msg(int path, int cold, const authscore_ctx *ctx, const fx_message *m,
                     stats *st)
{
    static fx_outcome want, got, again;
    memset(st, 0, sizeof *st);
    /* The first run pays one-time set-up (OpenSSL's providers, the
     * resolver's cache); the second is counted. */
    run(path, ctx, m, note_seq++, &want);
    empty_cache(ctx, cold);
    fa_arm(-1);
    run(path, ctx, m, note_seq++, &want);
    st->allocs = fa_seen();
    fa_disarm();
    if (want.rc < 0) {
        printf("FAIL: %s %s: refused without a fault: %s\n", path_name[path], m->name,
               authscore_strerror(want.rc));
        return -1;
    }
    for (long n = 0;; n++) {
        long note = note_seq++;
        empty_cache(ctx, cold);
        fa_arm(n);
        run(path, ctx, m, note, &got);
        int hit = fa_hit();
        fa_disarm();
        if (!hit) {
            if (!fx_same(&got, &want)) {
                printf("FAIL: %s %s: run %ld without a fault differs\n", path_name[path],
                       m->name, n);
                fx_print("got", &got);
                fx_print("want", &want);
                return -1;
            }
            /* Sans-I/O is deterministic: fewer allocations is a bug of the
             * count.  libunbound's answers may arrive in another order (one
             * arena block more or less): go on to the count. */
            if (n >= st->allocs)
                break;
            if (path == SANSIO) {
                printf("FAIL: %s %s: only %ld of %ld allocations\n", path_name[path],
                       m->name, n, st->allocs);
                return -1;
            }
            continue;
        }
        st->tried++;
        int degraded;
        const char *bad = fx_check(&got, &want, &degraded);
        if (bad) {
            printf("FAIL: %s %s, allocation %ld of %ld failed: %s\n", path_name[path],
                   m->name, n, st->allocs, bad);
            fx_print("got", &got);
            fx_print("want", &want);
            return -1;
        }
        if (got.rc < 0)
            st->refused++;
        else if (degraded)
            st->degraded++;
        else
            st->unchanged++;
        /* Nothing of the fault stays behind: the same message (the same
         * key record bytes) on the same context, no fault. */
        run(path, ctx, m, note, &again);
        if (!fx_same(&again, &want)) {
            printf("FAIL: %s %s: after allocation %ld failed, the same message "
                   "without a fault differs (a fault was cached)\n", path_name[path],
                   m->name, n);
            fx_print("got", &again);
            fx_print("want", &want);
            return -1;
        }
    }
    return 0;
}

/* The Exim entry point: ERROR (451 in the ACL) or a summary that obeys
 * the rule; then the same message (the other spool file) without a
 * fault gives the fault-free summary. */
static int sweep_exim(const fx_exim_msg *e, const char *name, const char *options, stats *st)
{
    static fx_exim_out want, got, again;
    memset(st, 0, sizeof *st);
    fx_run_exim(e, 0, options, &want);
    fa_arm(-1);
    fx_run_exim(e, 1, options, &want);
    st->allocs = fa_seen();
    fa_disarm();
    if (want.rc != 0) {
        printf("FAIL: Exim %s: code %d without a fault: %s\n", name, want.rc, want.line);
        return -1;
    }
    for (long n = 0;; n++) {
        fa_arm(n);
        fx_run_exim(e, 0, options, &got);
        int hit = fa_hit();
        fa_disarm();
        if (!hit) {
            if (got.rc != want.rc || strcmp(got.line, want.line)) {
                printf("FAIL: Exim %s: run %ld without a fault differs:\n  %s\n  want %s\n",
                       name, n, got.line, want.line);
                return -1;
            }
            if (n >= st->allocs)
                break;
            continue;
        }
        st->tried++;
        int degraded;
        const char *bad = fx_exim_check(&got, &want, &degraded);
        if (bad) {
            printf("FAIL: Exim %s, allocation %ld of %ld failed: %s\n  got  %d %s\n"
                   "       A-R: %s\n  want %s\n       A-R: %s\n",
                   name, n, st->allocs, bad, got.rc, got.line, got.ar, want.line, want.ar);
            return -1;
        }
        if (got.rc != 0)
            st->refused++;
        else if (degraded)
            st->degraded++;
        else
            st->unchanged++;
        fx_run_exim(e, 1, options, &again);
        if (again.rc != want.rc || strcmp(again.line, want.line)) {
            printf("FAIL: Exim %s: after allocation %ld failed, the same message without a "
                   "fault differs:\n  %s\n  want %s\n", name, n, again.line, want.line);
            return -1;
        }
    }
    return 0;
}

static void figures(const char *path, const char *what, const stats *st)
{
    printf("%-10s %-24s %7ld %7ld %8ld %9ld %9ld\n", path, what, st->allocs, st->tried,
           st->refused, st->degraded, st->unchanged);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: %s MEMDNS-ZONES UNBOUND-CONF (see run-sweep.sh)\n", argv[0]);
        return 2;
    }
    root = getenv("AUTHSCORE_SOURCE_ROOT");
    if (!root)
        root = ".";
    if (!fa_crypto_routed()) {
        printf("FAIL: OpenSSL allocated before its allocations could be routed\n");
        return 1;
    }
    static fx_message msgs[FX_MAX_MESSAGES];
    size_t nmsg = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/examples/messages", root);
    if (load_envelopes(dir, msgs, &nmsg) < 0)
        return 1;
    snprintf(dir, sizeof dir, "%s/tests/faults/data", root);
    if (load_envelopes(dir, msgs, &nmsg) < 0)
        return 1;
    dns = as_memdns_new();
    unsigned line = 0;
    if (!dns || as_memdns_load_file(dns, argv[1], &line) < 0) {
        printf("FAIL: %s:%u: cannot load\n", argv[1], line);
        return 1;
    }

    int sfd = mkstemp(shared_file); /* empty: the context makes the cache file */
    if (sfd < 0) {
        printf("FAIL: mkstemp %s\n", shared_file);
        return 1;
    }
    close(sfd);
    authscore_ctx *ctx[3];
    for (int p = SANSIO; p <= SHARED; p++) {
        int rc = make_ctx(p, argv[2], -1, &ctx[p]);
        if (rc < 0) {
            printf("FAIL: %s context: %s: %s\n", path_name[p], authscore_strerror(rc),
                   ctx_error);
            return 1;
        }
    }

    int failed = 0;
    stats total[4] = {{0}, {0}, {0}, {0}};
    printf("%-10s %-24s %7s %7s %8s %9s %9s\n", "path", "message", "allocs", "faults",
           "refused", "temperror", "unchanged");
    /* Sans-I/O and libunbound with a cold answer cache, then sans-I/O
     * again with a warm one, then libunbound with the context's cache
     * cold but the shared file warm (its first run fills the file, every
     * counted run decodes its answers from it). */
    for (int k = 0; k <= 3 && !failed; k++) {
        int p = k == 2 ? SANSIO : k == 3 ? SHARED : k, cold = k != 2;
        if (k == 2)
            printf("%-10s (the same, DNS answers from the context's cache)\n", "");
        for (size_t i = 0; i < nmsg && !failed; i++) {
            stats st;
            failed = sweep_msg(p, cold, ctx[p], &msgs[i], &st) < 0;
            figures(path_name[p], msgs[i].name, &st);
            if (k != 2) {
                total[p].allocs += st.allocs;
                total[p].tried += st.tried;
                total[p].refused += st.refused;
                total[p].degraded += st.degraded;
                total[p].unchanged += st.unchanged;
            }
        }
        if (k != 2)
            figures(path_name[p], "(all messages)", &total[p]);
    }
    /* The Exim host: its own context (options as in docs/exim.md). */
    char options[8192], spool_dir[] = "/tmp/authscore-faults-exim.XXXXXX";
    snprintf(options, sizeof options,
             "dns.config=%s;dns.trust_anchor=none;authserv_id=mx.receiver.example;"
             "dns.timeout_ms=3000;rules.file=%s/examples/authscore.conf", argv[2], root);
    if (!failed && !mkdtemp(spool_dir)) {
        printf("FAIL: mkdtemp %s\n", spool_dir);
        failed = 1;
    }
    for (size_t i = 0; i < nmsg && !failed; i++) {
        fx_exim_msg e;
        stats st;
        failed = fx_exim_prepare(&msgs[i], spool_dir, i, &e) < 0 ||
                 sweep_exim(&e, msgs[i].name, options, &st) < 0;
        fx_exim_free(&e);
        figures("Exim", msgs[i].name, &st);
        total[3].allocs += st.allocs;
        total[3].tried += st.tried;
        total[3].refused += st.refused;
        total[3].degraded += st.degraded;
        total[3].unchanged += st.unchanged;
    }
    figures("Exim", "(all messages)", &total[3]);
    rmdir(spool_dir);
    /* Building the context, each path's options; checked on pass.eml. */
    const fx_message *pass = &msgs[0];
    for (size_t i = 0; i < nmsg; i++)
        if (!strcmp(msgs[i].name, "pass.eml"))
            pass = &msgs[i];
    for (int p = SANSIO; p <= SHARED && !failed; p++) {
        static fx_outcome want;
        run(p, ctx[p], pass, note_seq++, &want);
        stats st;
        failed = sweep_ctx(p, argv[2], ctx[p], pass, &want, &st) < 0;
        figures(path_name[p], "(context + rules)", &st);
    }

    for (int p = SANSIO; p <= SHARED; p++)
        authscore_ctx_free(ctx[p]);
    unlink(shared_file);
    as_memdns_free(dns);
    for (size_t i = 0; i < nmsg; i++) {
        free(msgs[i].bytes);
        free((char *)msgs[i].name);
    }
    printf("%s\n", failed ? "FAILED" : "every fault: refused, temperror or unchanged; "
                                       "nothing cached");
    return failed;
}
