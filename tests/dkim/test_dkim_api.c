/* test_dkim_api.c - rsa-sha1 (RFC 8301 3.1) through the public API: an
 * author-aligned message whose only signature is rsa-sha1, driven
 * sans-I/O with answers from memdns (tests/dkim/data/keys.zone plus a
 * p=reject DMARC record and an SPF record that does not authorize the
 * client).  By default the signature is permerror weak_algorithm, so DMARC
 * has no aligned pass and rejects; with dkim.accept_rsa_sha1 it is a weak
 * pass and DMARC passes.  At 1024 and 2048 bits, every spelling of the
 * option, with the A-R header and the symbols saying why. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "harness.h"
#include "sansio_drive.h"

/* The options of symbol `name` joined by ',' ("" when it did not fire;
 * NULL as the symbol's absence). */
static const char *symbol(const authscore_msg *m, const char *name, char *out, size_t cap)
{
    for (size_t i = 0; i < authscore_symbol_count(m); i++) {
        if (strcmp(authscore_symbol_name(m, i), name) != 0)
            continue;
        out[0] = '\0';
        for (size_t k = 0; k < authscore_symbol_option_count(m, i); k++) {
            if (k)
                strncat(out, ",", cap - strlen(out) - 1);
            strncat(out, authscore_symbol_option(m, i, k), cap - strlen(out) - 1);
        }
        return out;
    }
    return NULL;
}

typedef struct run {
    authscore_ctx *ctx;
    authscore_msg *m;
    char *bytes; /* borrowed by m until it is freed */
} run_t;

static authscore_msg *run(run_t *r, const char *file, const char *option)
{
    cr_assert_eq(authscore_ctx_new(&r->ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(r->ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(r->ctx, "authserv_id", "mx.test"), 0);
    if (option)
        cr_assert_eq(authscore_ctx_set_option(r->ctx, "dkim.accept_rsa_sha1", option), 0,
                     "option value %s", option);
    cr_assert_eq(authscore_ctx_finalize(r->ctx), 0);
    size_t len;
    r->bytes = dk_fixture(file, &len);
    cr_assert_not_null(r->bytes, "%s: the fixture is part of the tree", file);
    cr_assert_eq(authscore_msg_new(r->ctx, "198.51.100.9", "mail.example.com",
                                   "alice@example.com", r->bytes, len, &r->m), 0);
    dk_keys k;
    cr_assert_eq(dk_keys_open(&k), 0, "%s:%u", k.path, k.line);
    cr_assert_eq(dk_keys_add_reject_policy(&k), 0);
    sansio_drive(r->m, k.dns, 0);
    dk_keys_close(&k);
    return r->m;
}

static void finish(run_t *r)
{
    authscore_msg_free(r->m);
    authscore_ctx_free(r->ctx);
    free(r->bytes);
}

static const struct {
    const char *file, *selector;
    int bits;
} keys[] = {{"sha1-1024.eml", "rsa1024", 1024}, {"sha1.eml", "rsa2048", 2048}};

Test(dkim_api, rsa_sha1_only_aligned_signature_is_not_dmarc_pass_by_default)
{
    static const char *const off[] = {NULL, "no", "0"};
    for (size_t k = 0; k < 2; k++)
        for (size_t o = 0; o < 3; o++) {
            const char *why = off[o] ? off[o] : "(default)";
            run_t r;
            authscore_msg *m = run(&r, keys[k].file, off[o]);
            cr_assert_eq(authscore_dkim_count(m), 1);
            cr_expect_eq(authscore_dkim_result(m, 0), AUTHSCORE_RES_PERMERROR, "%s %s",
                         keys[k].file, why);
            cr_expect_str_eq(authscore_dkim_reason(m, 0), "weak_algorithm");
            cr_expect_str_eq(authscore_dkim_algorithm(m, 0), "rsa-sha1");
            cr_expect_eq(authscore_dkim_flags(m, 0), AUTHSCORE_DKIM_WEAK_ALGORITHM);
            cr_expect_eq(authscore_dkim_key_bits(m, 0), 0, "never verified");
            cr_expect_eq(authscore_spf_result(m, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_FAIL);
            cr_expect_eq(authscore_dmarc_dkim_aligned(m), 0, "%s %s", keys[k].file, why);
            cr_expect_eq(authscore_dmarc_result(m), AUTHSCORE_RES_FAIL, "%s %s",
                         keys[k].file, why);
            cr_expect_eq(authscore_dmarc_disposition(m), AUTHSCORE_DMARC_POLICY_REJECT);
            const char *ar = authscore_ar_header(m);
            cr_assert_not_null(ar);
            cr_expect_not_null(strstr(ar, "dkim=permerror reason=\"weak_algorithm\""), "%s", ar);
            cr_expect_not_null(strstr(ar, "dmarc=fail"), "%s", ar);
            char opts[512], want[128];
            snprintf(want, sizeof want, "example.com:s=%s,weak_algorithm", keys[k].selector);
            cr_expect_str_eq(symbol(m, "R_DKIM_PERMFAIL", opts, sizeof opts), want);
            cr_expect_null(symbol(m, "R_DKIM_ALLOW", opts, sizeof opts));
            cr_expect_null(symbol(m, "AS_DKIM_WEAK", opts, sizeof opts));
            cr_expect_null(symbol(m, "AS_DMARC_ALIGNED_DKIM", opts, sizeof opts));
            cr_expect_not_null(symbol(m, "DMARC_POLICY_REJECT", opts, sizeof opts));
            finish(&r);
        }
}

Test(dkim_api, rsa_sha1_with_the_legacy_option_is_a_weak_dmarc_pass)
{
    static const char *const on[] = {"yes", "1"};
    for (size_t k = 0; k < 2; k++)
        for (size_t o = 0; o < 2; o++) {
            run_t r;
            authscore_msg *m = run(&r, keys[k].file, on[o]);
            cr_expect_eq(authscore_dkim_result(m, 0), AUTHSCORE_RES_PASS, "%s %s",
                         keys[k].file, on[o]);
            cr_expect_str_eq(authscore_dkim_reason(m, 0), "ok");
            cr_expect_eq(authscore_dkim_flags(m, 0), AUTHSCORE_DKIM_WEAK_ALGORITHM);
            cr_expect_eq(authscore_dkim_key_bits(m, 0), keys[k].bits);
            cr_expect_eq(authscore_dmarc_dkim_aligned(m), 1);
            cr_expect_eq(authscore_dmarc_result(m), AUTHSCORE_RES_PASS, "%s %s",
                         keys[k].file, on[o]);
            const char *ar = authscore_ar_header(m);
            cr_assert_not_null(ar);
            cr_expect_not_null(strstr(ar, "dkim=pass header.d=example.com"), "%s", ar);
            cr_expect_not_null(strstr(ar, "dmarc=pass"), "%s", ar);
            char opts[512], want[128];
            snprintf(want, sizeof want, "example.com:s=%s", keys[k].selector);
            cr_expect_str_eq(symbol(m, "R_DKIM_ALLOW", opts, sizeof opts), want);
            cr_expect_str_eq(symbol(m, "AS_DKIM_WEAK", opts, sizeof opts), "example.com");
            cr_expect_null(symbol(m, "R_DKIM_PERMFAIL", opts, sizeof opts));
            cr_expect_not_null(symbol(m, "DMARC_POLICY_ALLOW", opts, sizeof opts));
            finish(&r);
        }
}

/* Only the listed words; anything else is refused and changes nothing. */
Test(dkim_api, option_words)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    static const char *const bad[] = {"", "YES", "true", "on", "2", "01", " yes", "yes ",
                                      "no\n", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(authscore_ctx_set_option(ctx, "dkim.accept_rsa_sha1", bad[i]),
                     AUTHSCORE_EINVAL, "\"%s\"", bad[i]);
    static const char *const good[] = {"yes", "no", "1", "0"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect_eq(authscore_ctx_set_option(ctx, "dkim.accept_rsa_sha1", good[i]), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    cr_expect_eq(authscore_ctx_set_option(ctx, "dkim.accept_rsa_sha1", "yes"), AUTHSCORE_EPHASE,
                 "options are set before finalize");
    authscore_ctx_free(ctx);
}
