/* The public API's phases, ownership rules and error paths, driven the way
 * a sans-I/O host (Rspamd) drives it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>

static const char MSG[] = "From: Alice <alice@example.com>\r\n"
                          "To: bob@example.net\r\n"
                          "Subject: phases\r\n"
                          "\r\n"
                          "Hello.\r\n";

static authscore_ctx *sansio_ctx(void)
{
    authscore_ctx *ctx = NULL;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    return ctx;
}

Test(options, rejects_unknown_and_bad_values)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(NULL), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, "no.such.option", "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dns.timeout_ms", "0"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dns.timeout_ms", "12x"), AUTHSCORE_EINVAL);
    /* RFC 7208 4.6.4 limits can be lowered, never raised. */
    cr_expect_eq(authscore_ctx_set_option(ctx, "spf.max_lookups", "11"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "spf.max_lookups", "5"), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, "spf.max_void_lookups", "3"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dkim.max_signatures", "0"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dmarc.mode", "rfc9999"), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dmarc.mode", "rfc7489"), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, NULL, "x"), AUTHSCORE_EINVAL);
    authscore_ctx_free(ctx);
}

static char logged[1024];
static void capture(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    strncat(logged, msg, sizeof logged - strlen(logged) - 1);
}

Test(options, missing_trust_anchor_fails_finalize_with_a_reason)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    logged[0] = '\0';
    authscore_ctx_set_log(ctx, capture, NULL);
    authscore_ctx_set_option(ctx, "dns.trust_anchor", "/nonexistent/root.key");
    int rc = authscore_ctx_finalize(ctx);
    cr_expect_lt(rc, 0);
    cr_expect(strstr(logged, "/nonexistent/root.key") != NULL, "log says: %s", logged);
    /* Still unfinalized: options may be fixed and finalize retried. */
    cr_expect_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_expect_eq(authscore_ctx_finalize(ctx), 0);
    authscore_ctx_free(ctx);
}

Test(options, frozen_after_finalize)
{
    authscore_ctx *ctx = sansio_ctx();
    cr_expect_eq(authscore_ctx_set_option(ctx, "dns.timeout_ms", "100"), AUTHSCORE_EPHASE);
    cr_expect_eq(authscore_ctx_set_log(ctx, NULL, NULL), AUTHSCORE_EPHASE);
    cr_expect_eq(authscore_ctx_finalize(ctx), AUTHSCORE_EPHASE);
    authscore_ctx_free(ctx);
}

Test(msg, bad_arguments)
{
    authscore_ctx *ctx = sansio_ctx();
    authscore_msg *m = (authscore_msg *)1;
    cr_expect_eq(authscore_msg_new(NULL, NULL, NULL, NULL, MSG, sizeof MSG - 1, &m),
                 AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_msg_new(ctx, NULL, NULL, NULL, NULL, 10, &m), AUTHSCORE_EINVAL);
    char longhelo[600];
    memset(longhelo, 'a', sizeof longhelo - 1);
    longhelo[sizeof longhelo - 1] = '\0';
    cr_expect_eq(authscore_msg_new(ctx, "192.0.2.1", longhelo, "", MSG, sizeof MSG - 1, &m),
                 AUTHSCORE_EINVAL);
    /* Blocking check needs a resolver: this context has none. */
    cr_expect_eq(authscore_check(ctx, NULL, NULL, NULL, MSG, sizeof MSG - 1, &m),
                 AUTHSCORE_EPHASE);
    cr_expect_null(m);
    authscore_msg_free(NULL);
    authscore_ctx_free(NULL);
    authscore_ctx_free(ctx);
}

Test(msg, sansio_loop_and_phases)
{
    authscore_ctx *ctx = sansio_ctx();
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, "192.0.2.1", "mx.example.com", "alice@example.com", MSG,
                                   sizeof MSG - 1, &m),
                 0);
    /* Nothing is evaluated before the result. */
    cr_expect_eq(authscore_spf_result(m, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_NOT_EVALUATED);
    cr_expect_eq(authscore_msg_set_time(m, 1700000000), 0);

    uint32_t id, first = 0;
    const char *qname;
    int qtype, n = 0, found_spf = 0;
    while (authscore_msg_next_query(m, &id, &qname, &qtype) == 1) {
        if (n++ == 0)
            first = id;
        if (qtype == AUTHSCORE_QTYPE_TXT && strcmp(qname, "example.com") == 0)
            found_spf = 1;
    }
    cr_expect(found_spf, "the SPF record of the MAIL FROM domain is asked");
    cr_expect_eq(authscore_msg_outstanding(m), n);
    /* The clock is fixed once questions went out. */
    cr_expect_eq(authscore_msg_set_time(m, 1), AUTHSCORE_EPHASE);

    /* Unknown ids and bad values are refused, nothing is consumed. */
    cr_expect_eq(authscore_msg_answer(m, 9999, AUTHSCORE_DNS_NXDOMAIN, 0, NULL, 0, NULL, NULL, 0),
                 AUTHSCORE_ENOTFOUND);
    cr_expect_eq(authscore_msg_answer(m, first, 42, 0, NULL, 0, NULL, NULL, 0), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_msg_answer(m, first, AUTHSCORE_DNS_OK, 7, NULL, 0, NULL, NULL, 0),
                 AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_msg_outstanding(m), n);

    cr_expect_eq(authscore_msg_answer(m, first, AUTHSCORE_DNS_NXDOMAIN,
                                      AUTHSCORE_DNSSEC_INSECURE, NULL, 60, NULL, NULL, 0),
                 0);
    cr_expect_eq(authscore_msg_outstanding(m), n - 1);
    /* An id is answered once. */
    cr_expect_eq(authscore_msg_answer(m, first, AUTHSCORE_DNS_NXDOMAIN,
                                      AUTHSCORE_DNSSEC_INSECURE, NULL, 60, NULL, NULL, 0),
                 AUTHSCORE_ENOTFOUND);

    /* Finishing with questions outstanding takes them as timed out. */
    cr_expect_eq(authscore_msg_result(m), 0);
    cr_expect_eq(authscore_msg_outstanding(m), 0);
    cr_expect_eq(authscore_msg_result(m), 0, "idempotent");
    cr_expect_eq(authscore_msg_next_query(m, &id, &qname, &qtype), AUTHSCORE_EPHASE);
    cr_expect_eq(authscore_msg_answer(m, first, AUTHSCORE_DNS_OK, 0, NULL, 0, NULL, NULL, 0),
                 AUTHSCORE_EPHASE);
    cr_expect_eq(authscore_msg_from_count(m), 1);
    cr_expect_str_eq(authscore_msg_from_domain(m), "example.com");
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

Test(msg, spf_from_text_answers)
{
    authscore_ctx *ctx = sansio_ctx();
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, "192.0.2.1", "mx.example.com", "alice@example.com", MSG,
                                   sizeof MSG - 1, &m),
                 0);
    /* Answer every question: the SPF record authorizes 192.0.2.0/24, every
     * other name does not exist. */
    static const char spf[] = "v=spf1 ip4:192.0.2.0/24 -all";
    const char *rd[1] = {spf};
    size_t rl[1] = {sizeof spf - 1};
    uint32_t id;
    const char *qname;
    int qtype, rounds = 0;
    for (;;) {
        uint32_t ids[64];
        char names[64][256];
        int types[64], k = 0;
        while (k < 64 && authscore_msg_next_query(m, &id, &qname, &qtype) == 1) {
            ids[k] = id;
            types[k] = qtype;
            snprintf(names[k], sizeof names[k], "%s", qname);
            k++;
        }
        if (k == 0)
            break;
        rounds++;
        for (int i = 0; i < k; i++) {
            int is_spf = types[i] == AUTHSCORE_QTYPE_TXT && !strcmp(names[i], "example.com");
            cr_assert_eq(authscore_msg_answer(m, ids[i],
                                              is_spf ? AUTHSCORE_DNS_OK : AUTHSCORE_DNS_NXDOMAIN,
                                              AUTHSCORE_DNSSEC_SECURE, NULL, 300, rd, rl,
                                              is_spf ? 1 : 0),
                         0);
        }
    }
    cr_assert_eq(authscore_msg_result(m), 0);
    cr_expect_eq(authscore_spf_result(m, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    cr_expect_str_eq(authscore_spf_domain(m, AUTHSCORE_SPF_MFROM), "example.com");
    cr_expect_eq(authscore_spf_dnssec(m, AUTHSCORE_SPF_MFROM), AUTHSCORE_DNSSEC_SECURE);
    /* HELO mx.example.com has no record. */
    cr_expect_eq(authscore_spf_result(m, AUTHSCORE_SPF_HELO), AUTHSCORE_RES_NONE);
    cr_expect_geq(authscore_msg_dns_rounds(m), 1);
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}
