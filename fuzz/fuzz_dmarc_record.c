/* fuzz_dmarc_record.c - libFuzzer target for the DMARC record parser and
 * the tree-walk target computation.
 *
 * Invariants: parsed values stay inside their domains (policies are valid
 * enums and VALID exactly when set, pct 0..100, flags 0/1), spans point
 * into the input (or at static defaults), the parse agrees with the quick
 * v=DMARC1 test, and a walk has at most 8 targets, each a suffix of the
 * start with strictly fewer labels, ending at the TLD. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dmarc/record.h"
#include "dmarc/walk.h"
#include "dns/dns.h"
#include "fuzz_check.h"


static int in_input(as_span s, const uint8_t *d, size_t n)
{
    return s.len == 0 ||
           ((const char *)s.p >= (const char *)d && s.p + s.len <= (const char *)d + n);
}

static int policy_ok(int pol, int st)
{
    if (pol < AUTHSCORE_DMARC_POLICY_UNSET || pol > AUTHSCORE_DMARC_POLICY_REJECT)
        return 0;
    if (st == AS_DMARC_TAG_VALID)
        return pol != AUTHSCORE_DMARC_POLICY_UNSET;
    return (st == AS_DMARC_TAG_ABSENT || st == AS_DMARC_TAG_INVALID) &&
           pol == AUTHSCORE_DMARC_POLICY_UNSET;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_arena a;
    as_arena_init(&a, 1u << 22);
    const char *p = (const char *)data;
    as_dmarc_record r;
    int rc = as_dmarc_record_parse(&a, p, size, &r);
    CHECK(rc == 0 || rc == 1 || rc == AUTHSCORE_ENOMEM);
    if (rc >= 0) {
        CHECK(rc == as_dmarc_record_is_dmarc(p, size));
        CHECK(policy_ok(r.p, r.p_state));
        CHECK(policy_ok(r.sp, r.sp_state));
        CHECK(policy_ok(r.np, r.np_state));
        CHECK(r.psd >= AS_DMARC_PSD_U && r.psd <= AS_DMARC_PSD_N);
        CHECK(r.testing == 0 || r.testing == 1);
        CHECK(r.adkim_strict == 0 || r.adkim_strict == 1);
        CHECK(r.aspf_strict == 0 || r.aspf_strict == 1);
        CHECK(r.pct >= 0 && r.pct <= 100);
        CHECK(r.pct_present || r.pct == 100);
        CHECK(r.rua_valid == 0 || (r.rua_valid == 1 && r.rua.len > 0));
        CHECK(in_input(r.rua, data, size) && in_input(r.ruf, data, size));
        CHECK(r.fo.len > 0 && r.rf.len > 0);
        CHECK((r.fo.len == 1 && r.fo.p[0] == '0') || in_input(r.fo, data, size));
        CHECK(r.ignored <= size);
        if (rc == 0)
            CHECK(r.p_state == AS_DMARC_TAG_ABSENT && r.pct == 100 && r.ignored == 0);
    }

    /* The input as a domain name: the walk targets. */
    char norm[AS_DNS_MAX_NAME + 1];
    int n = as_dns_name_normalize(p, size, norm);
    as_dmarc_walk w;
    if (n > 0 && !as_dmarc_name_ok(norm, (size_t)n)) {
        as_dmarc_walk_init(&w, norm, (size_t)n);
        CHECK(w.count == 0);
    } else if (n > 0) {
        as_dmarc_walk_init(&w, norm, (size_t)n);
        size_t labels = as_dmarc_label_count(norm, (size_t)n);
        CHECK(w.count >= 1 && w.count <= AS_DMARC_WALK_MAX_QUERIES);
        CHECK(w.off[0] == 0);
        size_t prev = labels + 1;
        for (size_t i = 0; i < w.count; i++) {
            CHECK(w.off[i] < (size_t)n);
            CHECK(w.off[i] == 0 || norm[w.off[i] - 1] == '.');
            size_t l = as_dmarc_label_count(norm + w.off[i], (size_t)n - w.off[i]);
            CHECK(l < prev);
            CHECK(i == 0 || l <= AS_DMARC_WALK_SHORTEN_TO);
            prev = l;
        }
        CHECK(prev == 1);
        CHECK(w.count == (labels > 8 ? 8 : labels));
    }
    as_arena_free(&a);
    return 0;
}
