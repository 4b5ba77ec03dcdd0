/* sansio_drive.c - see sansio_drive.h. */
#include "sansio_drive.h"

#include <criterion/criterion.h>

#include "util/arena.h"

void sansio_drive(authscore_msg *m, const as_memdns *dns, unsigned flags)
{
    uint32_t id;
    const char *qname;
    int qtype, rc;
    /* Each answer is given before the next question is asked for, so the
     * questions it raises (an SPF include, the DMARC walk) come out of
     * this same loop. */
    while ((rc = authscore_msg_next_query(m, &id, &qname, &qtype)) == 1) {
        as_arena a;
        as_arena_init(&a, 1u << 20);
        as_dns_answer ans;
        cr_assert_eq(as_memdns_lookup(dns, &a, qname, (uint16_t)qtype, &ans), 0, "%s", qname);
        const char *rd[8];
        size_t rl[8], n = 0;
        for (size_t i = 0; qtype == AUTHSCORE_QTYPE_TXT && i < ans.count && n < 8; i++) {
            rd[n] = ans.rr[i].u.txt.p;
            rl[n++] = ans.rr[i].u.txt.len;
        }
        int status = qtype == AUTHSCORE_QTYPE_TXT ? ans.status : AUTHSCORE_DNS_NXDOMAIN;
        if (status != AUTHSCORE_DNS_TIMEOUT || !(flags & SANSIO_TIMEOUTS_UNANSWERED))
            cr_assert_eq(authscore_msg_answer(m, id, status, ans.dnssec, ans.why_bogus, 300, rd,
                                              rl, status == AUTHSCORE_DNS_OK ? n : 0),
                         0, "%s type %d", qname, qtype);
        as_arena_free(&a);
    }
    cr_assert_eq(rc, 0, "authscore_msg_next_query: %s", authscore_strerror(rc));
    cr_assert_eq(authscore_msg_result(m), 0);
}
