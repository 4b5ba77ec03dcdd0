/* The whole result as one JSON object (authscore_msg_json) and the DMARC
 * report row written from it (option report.log): phases, values against
 * the getters and the DNS data, the row as a projection of the object,
 * and what a report log that cannot be written does (nothing to the
 * verdict; said once). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <authscore.h>
#include "sansio.h"

#define NOW 1795478000LL

static json_t *parse(const char *s)
{
    cr_assert(s, "no JSON");
    json_error_t e;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
    cr_assert(j, "not JSON (%s at %d): %s", e.text, e.position, s);
    return j;
}

static json_t *at(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
        if (json_is_array(j))
            j = json_array_get(j, (size_t)atoi(k));
        else
            j = json_object_get(j, k);
        cr_assert(j, "no %s", path);
    }
    return j;
}

static const char *str(json_t *j, const char *path)
{
    json_t *v = at(j, path);
    return json_is_null(v) ? NULL : json_string_value(v);
}

static void expect_str(json_t *j, const char *path, const char *want)
{
    const char *got = str(j, path);
    if (!want)
        cr_expect_null(got, "%s: %s, not null", path, got);
    else
        cr_expect(got && !strcmp(got, want), "%s: %s, not %s", path, got ? got : "null", want);
}

static authscore_ctx *ctx_with(const char *const *opts)
{
    authscore_ctx *ctx = sansio_ctx(opts, NULL, NULL);
    cr_assert(ctx, "context");
    return ctx;
}

/* One message scored on a context of its own, and its object parsed. */
typedef struct one {
    authscore_ctx *ctx;
    authscore_msg *m;
    json_t *j;
} one;

static one scored(const char *const *opts, const char *ip)
{
    one o = {ctx_with(opts), NULL, NULL};
    int rc;
    o.m = sansio_message(o.ctx, ip, "example.com", NOW, &rc);
    cr_assert_eq(rc, 0);
    o.j = parse(authscore_msg_json(o.m));
    return o;
}

static void done_with(one *o)
{
    json_decref(o->j);
    authscore_msg_free(o->m);
    authscore_ctx_free(o->ctx);
}

Test(result_json, null_outside_done)
{
    authscore_ctx *ctx = ctx_with(NULL);
    static const char text[] = "From: a@example.com\r\n\r\nx\r\n";
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, "192.0.2.7", "h", "a@example.com", text,
                                   sizeof text - 1, &m), 0);
    cr_expect_null(authscore_msg_json(m), "phase NEW");
    uint32_t id;
    const char *q;
    int t;
    cr_assert_eq(authscore_msg_next_query(m, &id, &q, &t), 1);
    cr_expect_null(authscore_msg_json(m), "phase RESOLVING");
    authscore_msg_free(m);
    cr_expect_null(authscore_msg_json(NULL));
    authscore_ctx_free(ctx);
}

Test(result_json, built_once_one_line)
{
    authscore_ctx *ctx = ctx_with(NULL);
    int rc;
    authscore_msg *m = sansio_message(ctx, "192.0.2.7", "example.com", NOW, &rc);
    cr_assert_eq(rc, 0);
    const char *a = authscore_msg_json(m), *b = authscore_msg_json(m);
    cr_assert(a);
    cr_expect_eq(a, b, "the same object every time");
    cr_expect_null(strchr(a, '\n'), "one line");
    cr_expect_eq(authscore_msg_result(m), 0);
    cr_expect_eq(authscore_msg_json(m), a, "result again does not rebuild it");
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

Test(result_json, values_are_the_getters)
{
    one o = scored(NULL, "192.0.2.7");
    json_t *j = o.j;
    const authscore_msg *m = o.m;
    cr_expect_eq(json_integer_value(at(j, "time")), NOW);
    expect_str(j, "envelope.ip", "192.0.2.7");
    expect_str(j, "envelope.helo", "mail.example.com");
    expect_str(j, "envelope.mail_from", "alice@example.com");
    expect_str(j, "message.from.0", authscore_msg_from(m, 0));
    expect_str(j, "message.from_domain", authscore_msg_from_domain(m));
    expect_str(j, "spf.mfrom.result",
               authscore_result_name(authscore_spf_result(m, AUTHSCORE_SPF_MFROM)));
    expect_str(j, "spf.mfrom.domain", authscore_spf_domain(m, AUTHSCORE_SPF_MFROM));
    expect_str(j, "spf.mfrom.dnssec",
               authscore_dnssec_name(authscore_spf_dnssec(m, AUTHSCORE_SPF_MFROM)));
    expect_str(j, "spf.helo.result",
               authscore_result_name(authscore_spf_result(m, AUTHSCORE_SPF_HELO)));
    cr_expect_eq(json_array_size(at(j, "dkim")), authscore_dkim_count(m));
    expect_str(j, "dmarc.result", authscore_result_name(authscore_dmarc_result(m)));
    expect_str(j, "dmarc.result", "pass");
    expect_str(j, "dmarc.policy", authscore_policy_name(authscore_dmarc_policy(m)));
    expect_str(j, "dmarc.disposition", authscore_policy_name(authscore_dmarc_disposition(m)));
    cr_expect_eq(json_is_true(at(j, "dmarc.spf_aligned")), authscore_dmarc_spf_aligned(m) == 1);
    expect_str(j, "dmarc.reason", authscore_dmarc_reason(m));
    expect_str(j, "authentication_results", authscore_ar_header(m));
    cr_expect(json_is_null(at(j, "score")), "no rule file: no score");
    cr_expect_eq(json_array_size(at(j, "symbols")), authscore_symbol_count(m));
    cr_expect_eq(json_integer_value(at(j, "dns.queries")), authscore_msg_dns_queries(m));
    cr_expect_eq(json_integer_value(at(j, "dns.rounds")), authscore_msg_dns_rounds(m));
    cr_expect_eq(json_integer_value(at(j, "dns.cache.hits")), authscore_msg_dns_cache_hits(m));
    cr_expect_eq(json_integer_value(at(j, "dns.cache.misses")),
                 authscore_msg_dns_cache_misses(m));
    done_with(&o);
}

Test(result_json, published_policy_is_the_record)
{
    one o = scored(NULL, "192.0.2.7");
    json_t *j = o.j;
    /* Each tag of sansio_dmarc_record, as written there. */
    const char *want[][2] = {{"p", "reject"}, {"sp", "quarantine"}, {"np", "reject"},
                             {"adkim", "s"},  {"aspf", "r"},        {"t", "y"},
                             {"psd", "n"},    {"fo", "1"},          {"rua", "mailto:agg@example.com"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "dmarc.published.%s", want[i][0]);
        char tag[64];
        snprintf(tag, sizeof tag, "%s=%s", want[i][0], want[i][1]);
        cr_assert(strstr(sansio_dmarc_record, tag), "the fixture has %s", tag);
        expect_str(j, path, want[i][1]);
    }
    expect_str(j, "dmarc.published.domain", "example.com");
    cr_expect_eq(json_integer_value(at(j, "dmarc.published.pct")), 100);
    expect_str(j, "dmarc.discovery_method", "treewalk");
    expect_str(j, "dmarc.policy_tag", "p");
    done_with(&o);
}

Test(result_json, testing_downgrade_is_an_override)
{
    one o = scored(NULL, "198.51.100.9");
    json_t *j = o.j;
    expect_str(j, "dmarc.result", "fail");
    expect_str(j, "dmarc.policy", "reject");
    /* RFC 9989 4.7: t=y, one step below the policy. */
    expect_str(j, "dmarc.disposition", "quarantine");
    cr_expect_eq(json_array_size(at(j, "dmarc.overrides")), 1);
    expect_str(j, "dmarc.overrides.0.type", "policy_test_mode");
    done_with(&o);
}

Test(result_json, rfc7489_mode_discovers_by_psl)
{
    const char *opts[] = {"dmarc.mode", "rfc7489", NULL};
    one o = scored(opts, "198.51.100.9");
    json_t *j = o.j;
    expect_str(j, "dmarc.discovery_method", "psl");
    /* RFC 7489 has no t=: the policy applies as it is. */
    expect_str(j, "dmarc.disposition", "reject");
    cr_expect_eq(json_array_size(at(j, "dmarc.overrides")), 0);
    done_with(&o);
}

/* ---- the report log ---- */

static char dir[] = "/tmp/authscore-report-XXXXXX";
static char logpath[512];

static void mkdir_tmp(void)
{
    cr_assert(mkdtemp(dir), "mkdtemp");
    snprintf(logpath, sizeof logpath, "%s/rows.jsonl", dir);
}

static void rm_tmp(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* The lines of a file, parsed; NULL-ended. */
static size_t rows_of(const char *path, json_t **rows, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t n = 0, len = 0;
    ssize_t k;
    while ((k = getline(&line, &len, f)) > 0 && n < cap) {
        cr_assert_eq(line[k - 1], '\n', "a row ends with its newline");
        rows[n++] = parse(line);
    }
    free(line);
    fclose(f);
    return n;
}

/* Every key of the row is the object's key with the same value, except
 * the row's own "version": the row is a projection of the object. */
static void projection(json_t *row, json_t *full, const char *path)
{
    if (json_is_object(row)) {
        cr_assert(json_is_object(full), "%s: not an object in the result", path);
        const char *k;
        json_t *v;
        json_object_foreach(row, k, v) {
            if (!strcmp(path, "") && !strcmp(k, "version"))
                continue;
            json_t *w = json_object_get(full, k);
            cr_assert(w, "%s.%s: not in the result object", path, k);
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            projection(v, w, sub);
        }
    } else if (json_is_array(row)) {
        cr_assert(json_is_array(full) && json_array_size(full) == json_array_size(row), "%s",
                  path);
        for (size_t i = 0; i < json_array_size(row); i++)
            projection(json_array_get(row, i), json_array_get(full, i), path);
    } else {
        cr_expect(json_equal(row, full), "%s differs", path);
    }
}

Test(report_log, a_row_per_message_with_a_rua)
{
    mkdir_tmp();
    const char *opts[] = {"report.log", logpath, NULL};
    authscore_ctx *ctx = ctx_with(opts);
    int rc;
    const char *ip[] = {"192.0.2.7", "198.51.100.9"};
    json_t *full[2];
    for (int i = 0; i < 2; i++) {
        authscore_msg *m = sansio_message(ctx, ip[i], "example.com", NOW + i, &rc);
        cr_assert_eq(rc, 0);
        full[i] = parse(authscore_msg_json(m));
        authscore_msg_free(m);
    }
    authscore_msg *m = sansio_message(ctx, "192.0.2.7", "norua.example", NOW, &rc);
    cr_assert_eq(rc, 0);
    cr_expect_str_eq(authscore_result_name(authscore_dmarc_result(m)), "pass");
    authscore_msg_free(m);
    json_t *rows[8];
    size_t n = rows_of(logpath, rows, 8);
    cr_assert_eq(n, 2, "one row per message whose policy has a rua, %zu rows", n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(json_integer_value(at(rows[i], "version")), 1);
        expect_str(rows[i], "envelope.ip", ip[i]);
        projection(rows[i], full[i], "");
        cr_expect_null(json_object_get(rows[i], "symbols"), "no symbols in a row");
        json_decref(rows[i]);
        json_decref(full[i]);
    }
    authscore_ctx_free(ctx);
    rm_tmp();
}

Test(report_log, report_all_writes_rows_without_a_rua)
{
    mkdir_tmp();
    const char *opts[] = {"report.log", logpath, "report.all", "yes", NULL};
    authscore_ctx *ctx = ctx_with(opts);
    int rc;
    authscore_msg *m = sansio_message(ctx, "192.0.2.7", "norua.example", NOW, &rc);
    cr_assert_eq(rc, 0);
    authscore_msg_free(m);
    json_t *rows[2];
    cr_assert_eq(rows_of(logpath, rows, 2), 1);
    expect_str(rows[0], "dmarc.published.rua", NULL);
    json_decref(rows[0]);
    authscore_ctx_free(ctx);
    rm_tmp();
}

Test(report_log, result_twice_writes_once)
{
    mkdir_tmp();
    const char *opts[] = {"report.log", logpath, NULL};
    authscore_ctx *ctx = ctx_with(opts);
    int rc;
    authscore_msg *m = sansio_message(ctx, "192.0.2.7", "example.com", NOW, &rc);
    cr_assert_eq(rc, 0);
    cr_expect_eq(authscore_msg_result(m), 0);
    cr_expect_eq(authscore_msg_result(m), 0);
    authscore_msg_free(m);
    json_t *rows[4];
    size_t n = rows_of(logpath, rows, 4);
    cr_expect_eq(n, 1);
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i]);
    authscore_ctx_free(ctx);
    rm_tmp();
}

Test(report_log, a_directory_gets_one_file_per_utc_day)
{
    mkdir_tmp();
    char d[600];
    snprintf(d, sizeof d, "%s/", dir);
    const char *opts[] = {"report.log", d, NULL};
    authscore_ctx *ctx = ctx_with(opts);
    int rc;
    long long days[] = {NOW, NOW + 86400};
    for (int i = 0; i < 2; i++) {
        authscore_msg *m = sansio_message(ctx, "192.0.2.7", "example.com", days[i], &rc);
        cr_assert_eq(rc, 0);
        authscore_msg_free(m);
        time_t t = (time_t)days[i];
        struct tm tm;
        gmtime_r(&t, &tm);
        char path[700];
        snprintf(path, sizeof path, "%s/authscore-%04d-%02d-%02d.jsonl", dir,
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        json_t *rows[2];
        cr_expect_eq(rows_of(path, rows, 2), 1, "%s", path);
        json_decref(rows[0]);
    }
    authscore_ctx_free(ctx);
    rm_tmp();
}

static int told;
static char said[1024];
static void count_log(void *user, int level, const char *msg)
{
    (void)user;
    if (strstr(msg, "report log")) {
        told++;
        snprintf(said, sizeof said, "%s (level %d)", msg, level);
    }
}

Test(report_log, a_write_failure_keeps_the_verdict_and_is_said_once)
{
    const char *opts[] = {"report.log", "/nonexistent-authscore/rows.jsonl", NULL};
    authscore_ctx *ctx = sansio_ctx(opts, count_log, NULL);
    authscore_ctx *plain = ctx_with(NULL);
    cr_assert(ctx);
    for (int i = 0; i < 3; i++) {
        int rc, rc2;
        authscore_msg *m = sansio_message(ctx, "198.51.100.9", "example.com", NOW, &rc);
        authscore_msg *w = sansio_message(plain, "198.51.100.9", "example.com", NOW, &rc2);
        cr_assert_eq(rc, 0, "the message is not refused");
        cr_assert_eq(rc2, 0);
        cr_expect_str_eq(authscore_msg_json(m), authscore_msg_json(w),
                         "the same result as without a report log");
        authscore_msg_free(m);
        authscore_msg_free(w);
    }
    cr_expect_eq(told, 1, "said once per process, %d times", told);
    cr_expect(strstr(said, "/nonexistent-authscore/rows.jsonl"), "names the file: %s", said);
    authscore_ctx_free(ctx);
    authscore_ctx_free(plain);
}

Test(report_log, option_values)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, "report.all", "maybe"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "report.all", "1"), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, "report.log", ""), 0);
    char longpath[5000];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    cr_expect_eq(authscore_ctx_set_option(ctx, "report.log", longpath), AUTHSCORE_EINVAL);
    authscore_ctx_free(ctx);
}
