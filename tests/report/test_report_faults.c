/* Fail closed (docs/architecture.md) for the result object and the report
 * row: every allocation of a scored message is failed in turn (the test
 * allocator of tests/faults, linked with its wraps).  For each one the
 * message is either refused (no JSON object, no row) or gives exactly the
 * fault-free object; its row is there unless the fault hit the row's own
 * writing, which is then said through the log callback and never changes
 * the verdict. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>
#include <jansson.h>

#include "alloc_fault.h"
#include "sansio.h"

static int told;
static void on_log(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    if (strstr(msg, "report log"))
        told = 1;
}

/* Degraded (docs/architecture.md, "Fail closed"): each method is what it
 * was without the fault, or temperror; DMARC's reason then names the
 * fault.  At least one differs, or the object would be the same. */
static void check_degraded(json_t *got, json_t *ref, long n)
{
    const char *paths[][2] = {{"spf", "mfrom"}, {"spf", "helo"}, {"dmarc", NULL}};
    int differs = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *g = json_object_get(got, paths[i][0]), *r = json_object_get(ref, paths[i][0]);
        if (paths[i][1]) {
            g = json_object_get(g, paths[i][1]);
            r = json_object_get(r, paths[i][1]);
        }
        if (json_equal(g, r))
            continue;
        differs++;
        const char *res = json_string_value(json_object_get(g, "result"));
        cr_expect(res && !strcmp(res, "temperror"), "fault %ld: %s is %s, not temperror", n,
                  paths[i][1] ? paths[i][1] : paths[i][0], res ? res : "null");
        if (!paths[i][1]) {
            const char *why = json_string_value(json_object_get(g, "reason"));
            /* Its own fault, or an identifier it needed (SPF) is. */
            cr_expect(why && (!strcmp(why, "no_memory") || !strcmp(why, "limit") ||
                              (!strcmp(why, "auth_temperror") && differs > 1)),
                      "fault %ld: dmarc reason %s", n, why ? why : "null");
        }
    }
    cr_expect(differs, "fault %ld: the object changed outside the methods", n);
}

static size_t lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

Test(faults, object_and_row_fail_closed, .timeout = 120)
{
    char dir[] = "/tmp/authscore-faults-XXXXXX", path[128];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rows.jsonl", dir);
    /* No DNS answer cache: every run asks the same questions. */
    const char *opts[] = {"report.log", path, "dns.cache_size", "0", NULL};
    authscore_ctx *ctx = sansio_ctx(opts, on_log, NULL);
    cr_assert(ctx);
    const char *ips[] = {"192.0.2.7", "198.51.100.9"}; /* DMARC pass, and fail */
    long runs = 0, refused = 0, same = 0, degraded = 0, no_row = 0;
    for (int k = 0; k < 2; k++) {
        int rc;
        unlink(path);
        authscore_msg *m = sansio_message(ctx, ips[k], "example.com", 1795478000, &rc);
        cr_assert_eq(rc, 0);
        char *want = strdup(authscore_msg_json(m));
        json_t *ref = json_loads(want, 0, NULL);
        cr_assert(ref);
        authscore_msg_free(m);
        cr_assert_eq(lines(path), 1, "the fault-free run writes its row");
        for (long n = 0;; n++, runs++) {
            unlink(path);
            fa_arm(n);
            m = sansio_message(ctx, ips[k], "example.com", 1795478000, &rc);
            int hit = fa_hit();
            fa_disarm();
            size_t rows = lines(path);
            if (rc < 0) {
                refused++;
                cr_expect(!m || !authscore_msg_json(m), "a refused message has no object");
                cr_expect_eq(rows, 0, "a refused message has no row (fault %ld)", n);
            } else if (!strcmp(authscore_msg_json(m), want)) {
                same++;
                if (rows == 0) {
                    no_row++;
                    cr_expect(told, "fault %ld lost the row without a word", n);
                } else {
                    cr_expect_eq(rows, 1, "fault %ld: %zu rows", n, rows);
                }
            } else {
                degraded++;
                json_t *got = json_loads(authscore_msg_json(m), 0, NULL);
                cr_assert(got, "fault %ld: the object is JSON", n);
                check_degraded(got, ref, n);
                /* The row follows the object: there only if the policy
                 * (still) has a rua, unless its own writing failed. */
                json_t *rua = json_object_get(json_object_get(json_object_get(got, "dmarc"),
                                                              "published"), "rua");
                size_t want_rows = json_is_string(rua) ? 1 : 0;
                cr_expect(rows == want_rows || (rows == 0 && told), "fault %ld: %zu rows", n,
                          rows);
                json_decref(got);
            }
            authscore_msg_free(m);
            if (!hit)
                break;
        }
        free(want);
        json_decref(ref);
    }
    printf("report faults: %ld runs: %ld refused, %ld unchanged (%ld of them without a row), "
           "%ld degraded to temperror\n", runs, refused, same, no_row, degraded);
    cr_expect_gt(refused, 0, "faults were tried");
    authscore_ctx_free(ctx);
    unlink(path);
    rmdir(dir);
}
