/* ABI: enum values and version macros are pinned; changing one breaks
 * every host compiled against an older header. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>

Test(abi, error_codes_pinned)
{
    cr_expect_eq(AUTHSCORE_OK, 0);
    cr_expect_eq(AUTHSCORE_ENOMEM, -1);
    cr_expect_eq(AUTHSCORE_EINVAL, -2);
    cr_expect_eq(AUTHSCORE_EPHASE, -3);
    cr_expect_eq(AUTHSCORE_ELIMIT, -4);
    cr_expect_eq(AUTHSCORE_EPARSE, -5);
    cr_expect_eq(AUTHSCORE_EIO, -6);
    cr_expect_eq(AUTHSCORE_EDNS, -7);
    cr_expect_eq(AUTHSCORE_ECONFIG, -8);
    cr_expect_eq(AUTHSCORE_ENOTFOUND, -9);
    cr_expect_eq(AUTHSCORE_ENOTEVAL, -10);
}

Test(abi, result_values_pinned)
{
    cr_expect_eq(AUTHSCORE_RES_NOT_EVALUATED, 0);
    cr_expect_eq(AUTHSCORE_RES_NONE, 1);
    cr_expect_eq(AUTHSCORE_RES_PASS, 2);
    cr_expect_eq(AUTHSCORE_RES_FAIL, 3);
    cr_expect_eq(AUTHSCORE_RES_SOFTFAIL, 4);
    cr_expect_eq(AUTHSCORE_RES_NEUTRAL, 5);
    cr_expect_eq(AUTHSCORE_RES_TEMPERROR, 6);
    cr_expect_eq(AUTHSCORE_RES_PERMERROR, 7);
    cr_expect_eq(AUTHSCORE_RES_POLICY, 8);
}

Test(abi, dns_values_pinned)
{
    cr_expect_eq(AUTHSCORE_DNSSEC_INDETERMINATE, 0);
    cr_expect_eq(AUTHSCORE_DNSSEC_INSECURE, 1);
    cr_expect_eq(AUTHSCORE_DNSSEC_SECURE, 2);
    cr_expect_eq(AUTHSCORE_DNSSEC_BOGUS, 3);
    /* qtypes are the DNS RR type numbers (RFC 1035, RFC 3596). */
    cr_expect_eq(AUTHSCORE_QTYPE_A, 1);
    cr_expect_eq(AUTHSCORE_QTYPE_PTR, 12);
    cr_expect_eq(AUTHSCORE_QTYPE_MX, 15);
    cr_expect_eq(AUTHSCORE_QTYPE_TXT, 16);
    cr_expect_eq(AUTHSCORE_QTYPE_AAAA, 28);
    cr_expect_eq(AUTHSCORE_DNS_OK, 0);
    cr_expect_eq(AUTHSCORE_DNS_NODATA, 1);
    cr_expect_eq(AUTHSCORE_DNS_NXDOMAIN, 2);
    cr_expect_eq(AUTHSCORE_DNS_SERVFAIL, 3);
    cr_expect_eq(AUTHSCORE_DNS_TIMEOUT, 4);
}

Test(abi, other_enums_pinned)
{
    cr_expect_eq(AUTHSCORE_SPF_MFROM, 0);
    cr_expect_eq(AUTHSCORE_SPF_HELO, 1);
    cr_expect_eq(AUTHSCORE_DMARC_POLICY_UNSET, 0);
    cr_expect_eq(AUTHSCORE_DMARC_POLICY_NONE, 1);
    cr_expect_eq(AUTHSCORE_DMARC_POLICY_QUARANTINE, 2);
    cr_expect_eq(AUTHSCORE_DMARC_POLICY_REJECT, 3);
    cr_expect_eq(AUTHSCORE_DKIM_WEAK_ALGORITHM, 1);
    cr_expect_eq(AUTHSCORE_DKIM_TESTING_KEY, 2);
    cr_expect_eq(AUTHSCORE_DKIM_UNSIGNED_CONTENT, 4);
    cr_expect_eq(AUTHSCORE_DKIM_NOT_EVALUATED, 8);
    cr_expect_eq(AUTHSCORE_LOG_ERROR, 0);
    cr_expect_eq(AUTHSCORE_LOG_DEBUG, 3);
}

Test(abi, version)
{
    cr_expect_str_eq(authscore_version(), AUTHSCORE_VERSION_STRING);
    cr_expect_eq(authscore_version_number(),
                 (uint32_t)((AUTHSCORE_VERSION_MAJOR << 16) | (AUTHSCORE_VERSION_MINOR << 8) |
                            AUTHSCORE_VERSION_PATCH));
}

Test(abi, strerror_total)
{
    for (int code = AUTHSCORE_ENOTEVAL; code <= 0; code++)
        cr_expect_str_neq(authscore_strerror(code), "unknown error", "code %d", code);
    cr_expect_str_eq(authscore_strerror(-9999), "unknown error");
    cr_expect_str_eq(authscore_strerror(42), "unknown error");
    cr_expect_str_eq(authscore_result_name(AUTHSCORE_RES_SOFTFAIL), "softfail");
    cr_expect_str_eq(authscore_result_name(99), "unknown");
    cr_expect_str_eq(authscore_dnssec_name(AUTHSCORE_DNSSEC_BOGUS), "bogus");
    cr_expect_str_eq(authscore_result_name(AUTHSCORE_RES_NOT_EVALUATED), "not_evaluated");
    cr_expect_str_eq(authscore_policy_name(AUTHSCORE_DMARC_POLICY_QUARANTINE), "quarantine");
    cr_expect_null(authscore_policy_name(AUTHSCORE_DMARC_POLICY_UNSET));
    cr_expect_null(authscore_policy_name(17));
}
