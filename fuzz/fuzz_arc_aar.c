/* fuzz_arc_aar.c - libFuzzer target for ARC-Authentication-Results
 * (RFC 8617 4.1.1): the instance prefix (arc/aar.c), then the payload
 * through the A-R reader and the vouching test of the scoring layer
 * (score/arc_vouch.c), as a trusted sealer's AAR is read.  Invariants:
 * the instance is 0 or 1..50; with one, the payload lies inside the
 * input, follows a ';' and runs to its end; the reader and the vouching
 * give defined outcomes, and the same on a second run. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <authscore.h>
#include "arc/aar.h"
#include "arc/instance.h"
#include "score/arc_vouch.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    as_arc_aar a, b;
    as_arc_aar_parse(p, size, &a);
    as_arc_aar_parse(p, size, &b);
    CHECK(a.instance == b.instance && a.payload.p == b.payload.p &&
          a.payload.len == b.payload.len);
    CHECK(a.instance >= 0 && a.instance <= AS_ARC_MAX_SETS);
    if (a.instance == 0) {
        CHECK(a.payload.len == 0);
        return 0;
    }
    CHECK(a.payload.p > p && a.payload.p[-1] == ';');
    CHECK(a.payload.p + a.payload.len == p + size);

    as_arena ar;
    as_arena_init(&ar, 16u << 20);
    static const as_arc_vouch_for forms[] = {
        {"example.com", "example.com", 0, 0},
        {"mail.example.com", "example.com", 1, 1},
    };
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        const char *w1, *w2;
        int v1 = as_arc_vouches(&ar, a.payload, &forms[k], &w1);
        int v2 = as_arc_vouches(&ar, a.payload, &forms[k], &w2);
        CHECK(v1 == 0 || v1 == 1 || v1 == AUTHSCORE_ENOMEM);
        CHECK(v1 == v2);
        CHECK(v1 != 1 || (w1 && (!strcmp(w1, "dmarc=pass") || !strcmp(w1, "dkim=pass") ||
                                 !strcmp(w1, "spf=pass"))));
        CHECK(v1 != 1 || w1 == w2);
    }
    as_arena_free(&ar);
    return 0;
}
