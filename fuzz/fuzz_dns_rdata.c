/* fuzz_dns_rdata - as_dns_parse_packet on arbitrary bytes, for every
 * question type.  Invariants (beyond "no crash, no sanitizer report"):
 * the call returns 0 or AUTHSCORE_ENOMEM; the status is one of the five;
 * at most AS_DNS_MAX_RECORDS records, all of the asked type, only with
 * status OK; every name is at most 253 bytes, NUL-terminated, lowercase;
 * TXT text is NUL-terminated and never longer than the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/dns.h"
#include "fuzz_check.h"

static void check_name(const char *n)
{
    CHECK(n != NULL);
    size_t len = strnlen(n, AS_DNS_MAX_NAME + 1);
    CHECK(len <= AS_DNS_MAX_NAME);
    for (size_t i = 0; i < len; i++)
        CHECK(!(n[i] >= 'A' && n[i] <= 'Z'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t types[] = {
        AUTHSCORE_QTYPE_A, AUTHSCORE_QTYPE_AAAA, AUTHSCORE_QTYPE_MX,
        AUTHSCORE_QTYPE_TXT, AUTHSCORE_QTYPE_PTR};
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        as_arena a;
        as_arena_init(&a, 1u << 24);
        as_dns_answer ans;
        int rc = as_dns_parse_packet(&a, types[t], data, size, &ans);
        CHECK(rc == 0 || rc == AUTHSCORE_ENOMEM);
        if (rc == 0) {
            CHECK(ans.status >= AUTHSCORE_DNS_OK &&
                  ans.status <= AUTHSCORE_DNS_TIMEOUT);
            CHECK(ans.count <= AS_DNS_MAX_RECORDS);
            CHECK(ans.count == 0 || ans.status == AUTHSCORE_DNS_OK);
            CHECK(ans.status != AUTHSCORE_DNS_OK || ans.count > 0);
            for (size_t i = 0; i < ans.count; i++) {
                const as_dns_rr *rr = &ans.rr[i];
                CHECK(rr->type == types[t]);
                CHECK(rr->ttl <= 0x7fffffffu);
                if (rr->type == AUTHSCORE_QTYPE_MX)
                    check_name(rr->u.mx.name);
                else if (rr->type == AUTHSCORE_QTYPE_PTR)
                    check_name(rr->u.ptr.name);
                else if (rr->type == AUTHSCORE_QTYPE_TXT) {
                    CHECK(rr->u.txt.p != NULL);
                    CHECK(rr->u.txt.len <= size);
                    CHECK(rr->u.txt.len <= AS_DNS_MAX_TXT);
                    CHECK(rr->u.txt.p[rr->u.txt.len] == '\0');
                }
            }
        }
        as_arena_free(&a);
    }
    return 0;
}
