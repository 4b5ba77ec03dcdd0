/* fuzz_dns_answer - as_dns_answer_decode (the shared answer cache's
 * slots, written by other processes) on arbitrary bytes; the first byte
 * picks the question type.  Invariants: the call returns 0, EPARSE or an
 * arena fault; a decoded answer has records exactly when it is OK, at
 * most AS_DNS_MAX_RECORDS, all of the asked type; and encoding it again
 * gives back exactly the bytes read (one form per answer, so nothing the
 * decoder accepts is lost or altered). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/answer_codec.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t types[] = {
        AUTHSCORE_QTYPE_A, AUTHSCORE_QTYPE_AAAA, AUTHSCORE_QTYPE_MX,
        AUTHSCORE_QTYPE_TXT, AUTHSCORE_QTYPE_PTR};
    if (size < 1 || size > 4096)
        return 0;
    uint16_t qtype = types[data[0] % 5];
    as_arena a;
    as_arena_init(&a, 1u << 20);
    as_dns_answer ans;
    int rc = as_dns_answer_decode(data + 1, size - 1, qtype, &a, &ans);
    CHECK(rc == 0 || rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ENOMEM || rc == AUTHSCORE_ELIMIT);
    if (rc == 0) {
        CHECK(ans.status >= AUTHSCORE_DNS_OK && ans.status <= AUTHSCORE_DNS_TIMEOUT);
        CHECK(ans.count <= AS_DNS_MAX_RECORDS);
        CHECK((ans.status == AUTHSCORE_DNS_OK) == (ans.count > 0));
        for (size_t i = 0; i < ans.count; i++)
            CHECK(ans.rr[i].type == qtype);
        static unsigned char again[4096];
        size_t n = as_dns_answer_encode(qtype, &ans, again, sizeof again);
        CHECK(n == size - 1 && memcmp(again, data + 1, n) == 0);
    }
    as_arena_free(&a);
    return 0;
}
