/* fuzz_arc_chain.c - libFuzzer target for ARC chain collection (RFC 8617
 * 5.2 steps 1 to 3) over a whole message: header parse, the DKIM engine
 * (which takes the AMSes), the ARC engine, no DNS answer at all (every
 * key times out), both finishes.  Invariants: a defined result that is
 * never pass (no key ever arrived) and a reason for every word but none;
 * at most 50 instances, as many as the chain length when there are any;
 * a temperror only for DNS or a fault. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <authscore.h>
#include "arc/arc.h"
#include "dkim/dkim.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (2u << 20))
        return 0;
    as_arena a;
    as_arena_init(&a, 32u << 20);
    as_message m;
    as_qtab *q = NULL;
    as_dkim *d = NULL;
    as_arc *arc = NULL;
    if (as_message_parse(&a, (const char *)data, size, NULL, &m) == AUTHSCORE_ENOMEM ||
        !(q = as_qtab_new(&a, 0)) ||
        as_dkim_start(&a, q, NULL, &m, NULL, 1700000000, &d) < 0 ||
        as_arc_start(&a, q, NULL, d, &m, &arc) < 0) {
        as_arena_free(&a);
        return 0;
    }
    as_dkim_hash(d);
    as_qtab_expire(q);
    as_dkim_finish(d);
    as_arc_finish(arc);
    as_arc_finish(arc); /* idempotent */
    const as_arc_result *r = as_arc_get_result(arc);
    CHECK(r->result == AUTHSCORE_RES_NONE || r->result == AUTHSCORE_RES_FAIL ||
          r->result == AUTHSCORE_RES_TEMPERROR);
    CHECK((r->result == AUTHSCORE_RES_NONE) == (r->reason == NULL));
    CHECK((r->result == AUTHSCORE_RES_NONE) == (r->chain_length == 0));
    CHECK(r->oldest_pass == -1);
    CHECK(r->n_inst <= AS_ARC_MAX_SETS);
    CHECK(r->n_inst == 0 || (size_t)r->chain_length == r->n_inst);
    if (r->result == AUTHSCORE_RES_TEMPERROR)
        CHECK(!strncmp(r->reason, "dns_", 4) || !strcmp(r->reason, "no_memory") ||
              !strcmp(r->reason, "limit"));
    for (size_t j = 0; j < r->n_inst; j++) {
        CHECK(r->inst[j].i == (int)j + 1);
        CHECK(r->inst[j].seal != AUTHSCORE_RES_PASS);
    }
    as_arena_free(&a);
    return 0;
}
