/* test_arc_engine.c - ARC chain validation (RFC 8617 5.2) end to end in
 * the engines, on the fixtures of data/ (sealed by data/make-fixtures.py,
 * each saying in its first line what it is for) with the DKIM fixtures'
 * key records: every result and reason, oldest-pass, the seal keys'
 * DNSSEC states, the caps, and fail closed (a fault never gives fail). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "arc_harness.h"

static dk_keys K;
static void setup(void)
{
    cr_assert_eq(dk_keys_open(&K), 0, "%s:%u: cannot load the key zone", K.path, K.line);
}
static void teardown(void) { dk_keys_close(&K); }
TestSuite(arc, .init = setup, .fini = teardown);

typedef struct fixture_case {
    const char *file;
    int result;
    const char *reason;
    int chain_length;
    int oldest_pass;   /* -1: not a pass */
    int invalid;       /* ARC_INVALID rather than ARC_REJECT */
} fixture_case;

static const fixture_case cases[] = {
    {"pass1.eml", AUTHSCORE_RES_PASS, "ok", 1, 0, 0},
    {"pass3.eml", AUTHSCORE_RES_PASS, "ok", 3, 0, 0},
    {"ed25519.eml", AUTHSCORE_RES_PASS, "ok", 1, 0, 0},
    {"oldest.eml", AUTHSCORE_RES_PASS, "ok", 3, 2, 0},
    {"secure.eml", AUTHSCORE_RES_PASS, "ok", 2, 0, 0},
    {"body.eml", AUTHSCORE_RES_FAIL, "ams:body_hash_mismatch", 1, -1, 0},
    {"seal-broken.eml", AUTHSCORE_RES_FAIL, "seal:signature_mismatch", 3, -1, 0},
    {"cv-fail.eml", AUTHSCORE_RES_FAIL, "cv_fail", 2, -1, 0},
    {"bad-cv.eml", AUTHSCORE_RES_FAIL, "bad_cv", 2, -1, 1},
    {"missing.eml", AUTHSCORE_RES_FAIL, "missing_header", 1, -1, 1},
    {"gap.eml", AUTHSCORE_RES_FAIL, "instance_gap", 2, -1, 1},
    {"dup.eml", AUTHSCORE_RES_FAIL, "duplicate_instance", 2, -1, 1},
    {"bad-instance.eml", AUTHSCORE_RES_FAIL, "bad_instance", 1, -1, 1},
    {"seal-nokey.eml", AUTHSCORE_RES_FAIL, "seal:key_not_found", 1, -1, 0},
    {"seal-revoked.eml", AUTHSCORE_RES_FAIL, "seal:key_revoked", 1, -1, 0},
    {"seal-rsa512.eml", AUTHSCORE_RES_FAIL, "seal:key_too_small", 1, -1, 0},
    {"seal-timeout.eml", AUTHSCORE_RES_TEMPERROR, "dns_timeout", 1, -1, 0},
    {"seal-servfail.eml", AUTHSCORE_RES_TEMPERROR, "dns_servfail", 1, -1, 0},
    {"bogus.eml", AUTHSCORE_RES_TEMPERROR, "dns_bogus", 1, -1, 0},
};

Test(arc, every_fixture_gives_its_result_and_reason)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const fixture_case *c = &cases[i];
        arc_run r;
        int rc = arc_run_fixture(&K, c->file, &r);
        cr_assert_eq(rc, 0, "%s: run failed (%d)", c->file, rc);
        cr_expect_eq(r.res->result, c->result, "%s: result %s", c->file,
                     authscore_result_name(r.res->result));
        cr_expect_str_eq(r.res->reason, c->reason, "%s", c->file);
        cr_expect_eq(r.res->chain_length, c->chain_length, "%s: chain length", c->file);
        cr_expect_eq(r.res->oldest_pass, c->oldest_pass, "%s: oldest-pass", c->file);
        if (c->result == AUTHSCORE_RES_FAIL)
            cr_expect_eq(r.res->invalid, c->invalid, "%s: invalid", c->file);
        arc_run_free(&r);
    }
}

Test(arc, instances_report_each_set)
{
    arc_run r;
    cr_assert_eq(arc_run_fixture(&K, "oldest.eml", &r), 0);
    cr_assert_eq(r.res->n_inst, 3);
    for (int i = 0; i < 3; i++) {
        const as_arc_instance *v = &r.res->inst[i];
        cr_expect_eq(v->i, i + 1);
        cr_expect_str_eq(v->d, "example.com");
        cr_expect_str_eq(v->s, "rsa2048");
        cr_expect_eq(v->seal, AUTHSCORE_RES_PASS, "every seal is verified");
        cr_expect_eq(v->dnssec, AUTHSCORE_DNSSEC_INSECURE);
    }
    /* The subject was tagged after i=1: its AMS no longer verifies, the
     * newer ones (which saw the tag) do; oldest-pass is 2. */
    cr_expect_eq(r.res->inst[0].ams, AUTHSCORE_RES_FAIL);
    cr_expect_str_eq(r.res->inst[0].ams_reason, "signature_mismatch");
    cr_expect_eq(r.res->inst[1].ams, AUTHSCORE_RES_PASS);
    cr_expect_eq(r.res->inst[2].ams, AUTHSCORE_RES_PASS);
    char want[64];
    snprintf(want, sizeof want, "hop%d.example.net;", 1);
    cr_expect(r.res->inst[0].aar.len > strlen(want) &&
                  !memcmp(r.res->inst[0].aar.p + 1, want, strlen(want)),
              "the AAR payload starts after \"i=1;\"");
    arc_run_free(&r);

    /* A broken seal: validation stops at the newest seal, which covers
     * the changed i=1 seal; the older ones are not looked at. */
    cr_assert_eq(arc_run_fixture(&K, "seal-broken.eml", &r), 0);
    cr_expect_eq(r.res->inst[2].seal, AUTHSCORE_RES_FAIL);
    cr_expect_eq(r.res->inst[1].seal, AUTHSCORE_RES_NOT_EVALUATED);
    cr_expect_eq(r.res->inst[2].ams, AUTHSCORE_RES_PASS, "the newest AMS came first");
    cr_expect_eq(r.res->inst[0].ams, AUTHSCORE_RES_NOT_EVALUATED, "no oldest-pass for a fail");
    arc_run_free(&r);

    cr_assert_eq(arc_run_fixture(&K, "secure.eml", &r), 0);
    cr_expect(r.res->all_secure);
    cr_expect_eq(r.res->inst[0].dnssec, AUTHSCORE_DNSSEC_SECURE);
    arc_run_free(&r);
    cr_assert_eq(arc_run_fixture(&K, "pass1.eml", &r), 0);
    cr_expect(!r.res->all_secure, "an insecure key is not DNSSEC's word");
    arc_run_free(&r);
    cr_assert_eq(arc_run_fixture(&K, "bogus.eml", &r), 0);
    cr_expect_eq(r.res->inst[0].dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_expect_eq(r.res->inst[0].seal, AUTHSCORE_RES_TEMPERROR);
    arc_run_free(&r);
}

Test(arc, no_arc_fields_is_none_and_asks_nothing)
{
    static const char msg[] = "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n";
    arc_run r = {0};
    cr_assert_eq(arc_run_bytes(&K, msg, sizeof msg - 1, 0, &r), 0);
    cr_expect_eq(r.res->result, AUTHSCORE_RES_NONE);
    cr_expect_null(r.res->reason);
    cr_expect_eq(r.res->chain_length, 0);
    cr_expect_eq(r.res->n_inst, 0);
    cr_expect_eq(as_qtab_count(r.q), 0, "no question for a message without ARC");
    arc_run_free(&r);
}

/* A header of n sets of (AAR, AMS, AS) fields, each well formed enough
 * to be placed, plus a From and a body. */
static char *many_sets(int n, size_t *len)
{
    size_t cap = (size_t)n * 400 + 256;
    char *m = malloc(cap);
    size_t o = 0;
    for (int i = n; i >= 1; i--)
        o += (size_t)snprintf(m + o, cap - o,
                              "ARC-Seal: i=%d; a=rsa-sha256; cv=%s; d=example.com; s=rsa2048; b=AAAA\r\n"
                              "ARC-Message-Signature: i=%d; a=rsa-sha256; d=example.com; s=rsa2048; "
                              "h=from; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AAAA\r\n"
                              "ARC-Authentication-Results: i=%d; x.example; none\r\n",
                              i, i == 1 ? "none" : "pass", i, i);
    o += (size_t)snprintf(m + o, cap - o, "From: a@example.com\r\n\r\nbody\r\n");
    *len = o;
    return m;
}

Test(arc, more_than_fifty_sets_fail_before_any_question)
{
    size_t len;
    char *m = many_sets(51, &len);
    arc_run r = {0};
    cr_assert_eq(arc_run_bytes(&K, m, len, 0, &r), 0);
    cr_expect_eq(r.res->result, AUTHSCORE_RES_FAIL);
    cr_expect_str_eq(r.res->reason, "too_many_sets");
    cr_expect(r.res->invalid);
    cr_expect_eq(r.res->chain_length, 51);
    cr_expect_eq(as_qtab_count(r.q), 0, "RFC 8617 5.2 step 1: no key is asked");
    arc_run_free(&r);
    free(m);

    /* Fifty is allowed: the structure holds and the keys are asked (one
     * question: every set names the same key). */
    m = many_sets(50, &len);
    cr_assert_eq(arc_run_bytes(&K, m, len, 0, &r), 0);
    cr_expect_eq(r.res->chain_length, 50);
    cr_expect_eq(r.res->n_inst, 50);
    cr_expect_eq(r.res->result, AUTHSCORE_RES_FAIL, "junk signatures");
    cr_expect_eq(as_qtab_count(r.q), 1);
    arc_run_free(&r);
    free(m);
}

/* Fail closed: with the message arena capped at every size from too small
 * to start up to what the run needs, each run ends as the fault-free one
 * did or in temperror (no_memory / limit), or the engines refuse to start;
 * never a fail that the data did not earn, never a pass it did not. */
Test(arc, a_capped_arena_never_changes_the_verdict)
{
    static const char *const files[] = {"pass3.eml", "seal-broken.eml", "oldest.eml", "gap.eml"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        arc_run r;
        cr_assert_eq(arc_run_fixture(&K, files[f], &r), 0);
        int want = r.res->result, want_op = r.res->oldest_pass;
        char reason[AS_ARC_REASON_MAX];
        snprintf(reason, sizeof reason, "%s", r.res->reason);
        size_t used = r.arena.used, len;
        arc_run_free(&r);
        char *msg = arc_fixture(files[f], &len);
        unsigned temp = 0, same = 0;
        for (size_t cap = 1024; cap < used + 4096; cap += 512) {
            memset(&r, 0, sizeof r);
            int rc = arc_run_bytes(&K, msg, len, cap, &r);
            if (rc == 0) {
                int got = r.res->result;
                if (got == AUTHSCORE_RES_TEMPERROR) {
                    /* no_memory / limit; memdns keeps its answers in the
                     * same arena, so an answer lost to the cap is a
                     * dns_timeout here (core/msg.c refuses the message). */
                    cr_expect_not_null(r.res->reason, "%s cap %zu", files[f], cap);
                    temp++;
                } else {
                    cr_expect_eq(got, want, "%s cap %zu: %s, not %s", files[f], cap,
                                 authscore_result_name(got), authscore_result_name(want));
                    cr_expect_str_eq(r.res->reason, reason, "%s cap %zu", files[f], cap);
                    if (got == AUTHSCORE_RES_PASS)
                        cr_expect(r.res->oldest_pass == want_op ||
                                      r.res->oldest_pass > want_op,
                                  "%s cap %zu: oldest-pass may only stop early", files[f], cap);
                    same++;
                }
            } else {
                cr_expect(rc == AUTHSCORE_ENOMEM || rc == AUTHSCORE_ELIMIT, "%s cap %zu: rc %d",
                          files[f], cap, rc);
            }
            arc_run_free(&r);
        }
        cr_expect_gt(same, 0, "%s: some cap is enough", files[f]);
        cr_expect_gt(temp, 0, "%s: some cap hits ARC or DKIM after they started", files[f]);
        free(msg);
    }
}

Test(arc, the_key_cache_serves_seals_too)
{
    arc_run r;
    cr_assert_eq(arc_run_fixture(&K, "pass3.eml", &r), 0);
    arc_run_free(&r);
    as_dkim_keycache_stats before, after;
    as_dkim_keycache_get_stats(K.cache, &before);
    cr_assert_eq(arc_run_fixture(&K, "pass3.eml", &r), 0);
    cr_expect_eq(r.res->result, AUTHSCORE_RES_PASS);
    arc_run_free(&r);
    as_dkim_keycache_get_stats(K.cache, &after);
    cr_expect_eq(after.decodes, before.decodes, "no key decoded twice");
    cr_expect_gt(after.hits, before.hits);
}
