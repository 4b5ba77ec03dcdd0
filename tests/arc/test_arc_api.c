/* test_arc_api.c - ARC through the public API, as a host sees it: the
 * getters (and what they give when there is nothing to report; the
 * exports are tests/api/check-exports.sh's), the DMARC override a trusted sealer brings (the disposition,
 * authscore_dmarc_override(), the Exim summary) and its fail-closed form
 * when the chain is temperror.  Sans-I/O, the answers from memdns (the
 * DKIM fixtures' keys, a p=reject policy and SPF -all for example.com),
 * the messages of tests/arc/data/, the shipped rules with example.com's
 * sealers trusted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>
#include "arc_harness.h"
#include "host/exim/exim.h"
#include "sansio_drive.h"

static dk_keys K;
static char rules[4096];
static char dir[] = "/tmp/authscore-arc-api-XXXXXX";

static void setup(void)
{
    cr_assert_eq(dk_keys_open(&K), 0, "%s:%u", K.path, K.line);
    cr_assert_eq(dk_keys_add_reject_policy(&K), 0);
    strcpy(dir, "/tmp/authscore-arc-api-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    snprintf(rules, sizeof rules, "%s/site.conf", dir);
    FILE *f = fopen(rules, "w");
    cr_assert_not_null(f);
    fprintf(f, ".include \"%s/rules/authscore.conf\"\n.include(priority=10) \"local.conf\"\n",
            root ? root : ".");
    fclose(f);
    char local[4200];
    snprintf(local, sizeof local, "%s/local.conf", dir);
    f = fopen(local, "w");
    cr_assert_not_null(f);
    fputs("lists { arc_trusted_sealers { domains = [\"example.com\"]; } }\n", f);
    fclose(f);
}

static void teardown(void)
{
    dk_keys_close(&K);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
TestSuite(arc_api, .init = setup, .fini = teardown);

typedef struct run {
    authscore_ctx *ctx;
    authscore_msg *m;
    char *bytes;
} run_t;

static authscore_msg *run(run_t *r, const char *file)
{
    cr_assert_eq(authscore_ctx_new(&r->ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(r->ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(r->ctx, "authserv_id", "mx.test"), 0);
    cr_assert_eq(authscore_ctx_set_option(r->ctx, "rules.file", rules), 0);
    cr_assert_eq(authscore_ctx_finalize(r->ctx), 0, "%s", authscore_ctx_error(r->ctx));
    size_t len;
    r->bytes = arc_fixture(file, &len);
    cr_assert_not_null(r->bytes, "%s", file);
    cr_assert_eq(authscore_msg_new(r->ctx, "198.51.100.9", "mail.lists.example.net",
                                   "bounce@lists.example.net", r->bytes, len, &r->m), 0);
    cr_assert_eq(authscore_msg_set_time(r->m, ARC_T0), 0);
    /* The key lookups memdns times out are left to expire in the result. */
    sansio_drive(r->m, K.dns, SANSIO_TIMEOUTS_UNANSWERED);
    return r->m;
}

static void run_free(run_t *r)
{
    authscore_msg_free(r->m);
    authscore_ctx_free(r->ctx);
    free(r->bytes);
}

static void nothing_to_report(const authscore_msg *m, const char *when)
{
    cr_expect_eq(authscore_arc_result(m), AUTHSCORE_RES_NOT_EVALUATED, "%s", when);
    cr_expect_null(authscore_arc_reason(m), "%s", when);
    cr_expect_eq(authscore_arc_chain_length(m), AUTHSCORE_ENOTEVAL, "%s", when);
    cr_expect_eq(authscore_arc_oldest_pass(m), AUTHSCORE_ENOTEVAL, "%s", when);
    cr_expect_eq(authscore_arc_instance_count(m), 0, "%s", when);
    cr_expect_null(authscore_arc_domain(m, 0), "%s", when);
    cr_expect_null(authscore_arc_selector(m, 0), "%s", when);
    cr_expect_eq(authscore_arc_seal_result(m, 0), AUTHSCORE_RES_NOT_EVALUATED, "%s", when);
    cr_expect_eq(authscore_arc_ams_result(m, 0), AUTHSCORE_RES_NOT_EVALUATED, "%s", when);
    cr_expect_eq(authscore_arc_dnssec(m, 0), AUTHSCORE_DNSSEC_INDETERMINATE, "%s", when);
    cr_expect_null(authscore_dmarc_override(m), "%s", when);
}

Test(arc_api, getters_outside_their_phase)
{
    nothing_to_report(NULL, "NULL message");
    run_t r = {0};
    cr_assert_eq(authscore_ctx_new(&r.ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(r.ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(r.ctx), 0);
    size_t len;
    r.bytes = arc_fixture("pass1.eml", &len);
    cr_assert_eq(authscore_msg_new(r.ctx, NULL, NULL, NULL, r.bytes, len, &r.m), 0);
    nothing_to_report(r.m, "phase NEW");
    uint32_t id;
    const char *q;
    int t;
    cr_assert_eq(authscore_msg_next_query(r.m, &id, &q, &t), 1);
    nothing_to_report(r.m, "phase RESOLVING");
    run_free(&r);
}

Test(arc_api, a_passing_chain_and_its_sets)
{
    run_t r = {0};
    authscore_msg *m = run(&r, "oldest.eml");
    cr_expect_eq(authscore_arc_result(m), AUTHSCORE_RES_PASS);
    cr_expect_str_eq(authscore_arc_reason(m), "ok");
    cr_expect_eq(authscore_arc_chain_length(m), 3);
    cr_expect_eq(authscore_arc_oldest_pass(m), 2);
    cr_assert_eq(authscore_arc_instance_count(m), 3);
    cr_expect_str_eq(authscore_arc_domain(m, 2), "example.com");
    cr_expect_str_eq(authscore_arc_selector(m, 2), "rsa2048");
    cr_expect_eq(authscore_arc_seal_result(m, 0), AUTHSCORE_RES_PASS);
    cr_expect_eq(authscore_arc_ams_result(m, 0), AUTHSCORE_RES_FAIL);
    cr_expect_eq(authscore_arc_ams_result(m, 2), AUTHSCORE_RES_PASS);
    cr_expect_eq(authscore_arc_dnssec(m, 0), AUTHSCORE_DNSSEC_INSECURE);
    cr_expect_eq(authscore_arc_seal_result(m, 3), AUTHSCORE_RES_NOT_EVALUATED, "out of range");
    const char *ar = authscore_ar_header(m);
    cr_expect_not_null(strstr(ar, "; arc=pass (i=3, d=example.com, DNSSEC insecure) "
                                  "header.oldest-pass=2 smtp.remote-ip=198.51.100.9"), "%s", ar);
    run_free(&r);

    m = run(&r, "gap.eml");
    cr_expect_eq(authscore_arc_result(m), AUTHSCORE_RES_FAIL);
    cr_expect_str_eq(authscore_arc_reason(m), "instance_gap");
    cr_expect_eq(authscore_arc_chain_length(m), 2);
    cr_expect_eq(authscore_arc_oldest_pass(m), AUTHSCORE_ENOTEVAL);
    cr_expect_eq(authscore_arc_instance_count(m), 0, "no sets for a broken structure");
    run_free(&r);
}

/* The override as the hosts act on it. */
Test(arc_api, a_trusted_sealer_lowers_the_disposition_and_the_hosts_see_it)
{
    run_t r = {0};
    char sum[AS_EXIM_SUMMARY_MAX];
    authscore_msg *m = run(&r, "pass1.eml");
    cr_expect_eq(authscore_dmarc_result(m), AUTHSCORE_RES_FAIL, "the result stays fail");
    cr_expect_eq(authscore_dmarc_policy(m), AUTHSCORE_DMARC_POLICY_REJECT);
    cr_expect_eq(authscore_dmarc_disposition(m), AUTHSCORE_DMARC_POLICY_NONE);
    cr_expect_str_eq(authscore_dmarc_override(m), "trusted_forwarder");
    cr_assert_gt(as_exim_summary(m, sum, sizeof sum), 0);
    cr_expect_not_null(strstr(sum, " dmarc=fail policy=reject disposition=none "), "%s", sum);
    cr_expect_not_null(strstr(sum, " temperror=no "), "%s", sum);
    cr_expect_not_null(strstr(sum, "AS_ARC_TRUSTED_OVERRIDE(0.00)"), "%s", sum);
    cr_expect_eq(authscore_msg_temperror(m), 0, "nothing to defer");
    cr_expect_not_null(strstr(sum, " arc=pass"), "%s", sum);
    run_free(&r);

    /* The trusted sealer's key times out: no override, no reject either;
     * the Exim ACL defers. */
    m = run(&r, "seal-timeout.eml");
    cr_expect_eq(authscore_arc_result(m), AUTHSCORE_RES_TEMPERROR);
    cr_expect_eq(authscore_dmarc_result(m), AUTHSCORE_RES_FAIL);
    cr_expect_eq(authscore_dmarc_disposition(m), AUTHSCORE_DMARC_POLICY_NONE);
    cr_expect_str_eq(authscore_dmarc_override(m), "temperror");
    /* The one test every host defers on (Exim, Rspamd, the milter). */
    cr_expect_eq(authscore_msg_temperror(m), 1);
    cr_assert_gt(as_exim_summary(m, sum, sizeof sum), 0);
    cr_expect_not_null(strstr(sum, " temperror=yes "), "%s", sum);
    cr_expect_not_null(strstr(sum, " arc=temperror"), "%s", sum);
    cr_expect_null(strstr(sum, "AS_ARC_TRUSTED_OVERRIDE"), "%s", sum);
    run_free(&r);

    /* A seal that does not verify: the reject stands. */
    m = run(&r, "seal-broken.eml");
    cr_expect_eq(authscore_arc_result(m), AUTHSCORE_RES_FAIL);
    cr_expect_eq(authscore_dmarc_disposition(m), AUTHSCORE_DMARC_POLICY_REJECT);
    cr_expect_null(authscore_dmarc_override(m));
    cr_expect_eq(authscore_msg_temperror(m), 0, "a failed seal is not temporary");
    run_free(&r);
}
