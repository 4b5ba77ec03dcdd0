/* DKIM fails closed: every allocation of a verification (ours, and
 * OpenSSL's, routed through malloc by as_crypto_route_allocations) is
 * failed in turn, and each time every signature keeps the verdict it has
 * without a fault or becomes temperror with reason no_memory / limit (or
 * the start refuses with AUTHSCORE_ENOMEM).  The key cache never keeps
 * such a failure: the same message right after, without a fault, gets
 * the fault-free verdicts (issue 15: a failed allocation while decoding a
 * key used to be cached as permerror key_syntax).
 *
 * The test allocator is tests/faults/alloc_fault.c (link-time wraps of
 * malloc and friends and of the message arena), armed only around the
 * DKIM engine's own calls. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dkim/crypto.h"
#include "dkim/dkim.h"
#include "dkim/keycache.h"
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "util/arena.h"
#include "faults/alloc_fault.h"

#define T0 1700000000  /* t= of the fixtures */
#define ARENA_MAX (64u << 20)

static as_memdns *dns;

static void setup(void)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/dkim/data/keys.zone",
             root ? root : ".");
    dns = as_memdns_new();
    unsigned line = 0;
    cr_assert_eq(as_memdns_load_file(dns, path, &line), 0, "%s:%u", path, line);
    cr_assert(fa_crypto_routed(), "OpenSSL allocated before the test could route it");
}

static void teardown(void)
{
    as_memdns_free(dns);
}

TestSuite(faults, .init = setup, .fini = teardown);

static char *fixture(const char *name, size_t *len)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/dkim/data/%s", root ? root : ".",
             name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot read %s", path);
    char *p = malloc(1 << 20); /* not armed: the test's own */
    cr_assert_not_null(p);
    *len = fread(p, 1, (1 << 20) - 1, f);
    fclose(f);
    p[*len] = 0;
    return p;
}

#define MAX_SIGS 16

typedef struct verdict {
    int rc;                  /* of as_dkim_start */
    size_t n;
    int result[MAX_SIGS];
    char reason[MAX_SIGS][48];
} verdict;

/* One message with faults armed only inside the DKIM engine: message
 * parsing and the memdns answers are the test's plumbing.  Answers come
 * first, so as_dkim_hash verifies every signature (key decode, header
 * hash, verify) while armed. */
static void run(const char *msg, size_t len, as_dkim_keycache *c, long at,
                verdict *v)
{
    memset(v, 0, sizeof *v);
    as_arena a;
    as_arena_init(&a, ARENA_MAX);
    as_message pm;
    cr_assert_geq(as_message_parse(&a, msg, len, NULL, &pm), 0);
    as_qtab *q = as_qtab_new(&a, 0);
    cr_assert_not_null(q);
    as_dkim_config cfg = {64, -1, 0};
    as_dkim *d = NULL;
    fa_arm(at);
    v->rc = as_dkim_start(&a, q, c, &pm, &cfg, T0, &d);
    fa_pause();
    if (v->rc == 0) {
        as_memdns_drive(dns, q, NULL);
        fa_resume();
        as_dkim_hash(d);
        as_dkim_finish(d);
        fa_pause();
        cr_assert(as_dkim_done(d));
        v->n = as_dkim_count(d);
        cr_assert_leq(v->n, MAX_SIGS);
        for (size_t i = 0; i < v->n; i++) {
            const as_dkim_sig_result *r = as_dkim_get_result(d, i);
            v->result[i] = r->result;
            snprintf(v->reason[i], sizeof v->reason[i], "%s", r->reason);
        }
    }
    fa_disarm();
    as_arena_free(&a);
}

static int temp_fault(const verdict *v, size_t i)
{
    return v->result[i] == AUTHSCORE_RES_TEMPERROR &&
           (strcmp(v->reason[i], "no_memory") == 0 ||
            strcmp(v->reason[i], "limit") == 0);
}

static void same(const verdict *got, const verdict *want, const char *what,
                 long n)
{
    cr_assert_eq(got->rc, 0, "%s, fault %ld: start refused", what, n);
    cr_assert_eq(got->n, want->n);
    for (size_t i = 0; i < want->n; i++)
        cr_assert(got->result[i] == want->result[i] &&
                      strcmp(got->reason[i], want->reason[i]) == 0,
                  "%s, fault %ld, sig %zu: %s (%s), want %s (%s)", what, n, i,
                  authscore_result_name(got->result[i]), got->reason[i],
                  authscore_result_name(want->result[i]), want->reason[i]);
}

typedef struct sweep_stats {
    long allocs;       /* in one fault-free run */
    long refused;      /* start returned AUTHSCORE_ENOMEM */
    long degraded;     /* some signature temperror no_memory/limit */
    long decode_fail;  /* of those: a key record was left out of the cache */
} sweep_stats;

/* Fail each allocation of a fresh-cache verification in turn; then the
 * same message again, no fault, same cache. */
static void sweep(const char *name, sweep_stats *st)
{
    size_t len;
    char *msg = fixture(name, &len);
    memset(st, 0, sizeof *st);
    verdict want, got, again;
    /* The first run pays OpenSSL's one-time set-up (providers, digests):
     * the count is that of every later run. */
    as_dkim_keycache *c = as_dkim_keycache_new(0);
    run(msg, len, c, -1, &want);
    as_dkim_keycache_free(c);
    c = as_dkim_keycache_new(0);
    run(msg, len, c, -1, &want);
    st->allocs = fa_seen();
    as_dkim_keycache_stats s0;
    as_dkim_keycache_get_stats(c, &s0);
    as_dkim_keycache_free(c);
    cr_assert_eq(want.rc, 0);
    cr_assert_gt(st->allocs, 0);
    /* Up to the first fault number past the last allocation. */
    for (long n = 0;; n++) {
        c = as_dkim_keycache_new(0);
        cr_assert_not_null(c);
        run(msg, len, c, n, &got);
        if (!fa_hit()) {
            cr_assert_geq(n, st->allocs, "%s: fault %ld not reached", name, n);
            same(&got, &want, name, n);
            as_dkim_keycache_free(c);
            break;
        }
        as_dkim_keycache_stats s1;
        as_dkim_keycache_get_stats(c, &s1);
        if (got.rc) {
            cr_assert_eq(got.rc, AUTHSCORE_ENOMEM, "%s, fault %ld", name, n);
            st->refused++;
        } else {
            int degraded = 0;
            cr_assert_eq(got.n, want.n);
            for (size_t i = 0; i < want.n; i++) {
                if (temp_fault(&got, i)) {
                    degraded = 1;
                    continue;
                }
                cr_assert(got.result[i] == want.result[i] &&
                              strcmp(got.reason[i], want.reason[i]) == 0,
                          "%s, fault %ld, sig %zu: %s (%s), want %s (%s)",
                          name, n, i, authscore_result_name(got.result[i]),
                          got.reason[i], authscore_result_name(want.result[i]),
                          want.reason[i]);
            }
            st->degraded += degraded;
            /* A record failed to parse (memory) and was not cached. */
            if (degraded && s1.entries < s0.entries)
                st->decode_fail++;
        }
        run(msg, len, c, -1, &again);
        same(&again, &want, name, n);
        as_dkim_keycache_free(c);
    }
    cr_log_info("%s: %ld allocations, each failed once: %ld refused, %ld "
                "degraded to temperror (%ld in a key record parse, not "
                "cached), the rest "
                "unchanged", name, st->allocs, st->refused, st->degraded,
                st->decode_fail);
    free(msg);
}

Test(faults, rsa_key_decode_failure_is_temperror_and_not_cached)
{
    sweep_stats st;
    sweep("rsa.eml", &st);
    /* Faults fell in the key decode (OpenSSL's and ours) and were seen. */
    cr_expect_gt(st.decode_fail, 0, "no fault hit the key parse");
}

Test(faults, ed25519_key_decode_failure_is_temperror_and_not_cached)
{
    sweep_stats st;
    sweep("ed.eml", &st);
    cr_expect_gt(st.decode_fail, 0, "no fault hit the key parse");
}

/* Fifteen signatures over every key outcome (PKCS#1, testing, strict,
 * sha1-only, wrong type, revoked, service, bad key, split, missing,
 * timeout, servfail): no fault turns one into another verdict. */
Test(faults, every_key_outcome_survives_every_fault)
{
    sweep_stats st;
    sweep("keys.eml", &st);
    cr_expect_gt(st.degraded, 0);
    cr_expect_gt(st.decode_fail, 0);
}

Test(faults, several_signatures_and_over_signing)
{
    sweep_stats st;
    sweep("cap.eml", &st);
    cr_expect_gt(st.degraded, 0);
    sweep("oversign.eml", &st);
    cr_expect_gt(st.degraded, 0);
    sweep("length.eml", &st);
    cr_expect_gt(st.degraded, 0);
    sweep("lengths.eml", &st);  /* body hashes beyond the inline ones */
    cr_expect_gt(st.degraded, 0);
}

/* The cache itself, one record at a time: a fault gives the usable key or
 * no_memory, and a no_memory is never stored. */
Test(faults, key_cache_stores_only_the_records_own_outcome)
{
    static const char *const recs[] = {
        "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAre0GwDa04/XB8c6xXqaEqIUieYlvvSOcs3ncyCtPPbtoF32rdSrLu9QYsquvEmCX3tC0FiG1VWHBpPdgq/jmlr7wacRVBndEHG3Eh47V6xO2TSKv8RtsoqvVRmgtgjXm+QvIIc4vCqrxMRYmbLxo4GyS72JJpgbh2xxZ81xj9ij71mngnAOKO4/u1aLCFm9wehYxzEUUDXMyfNHS05I1FjyONYiN42hRygeObnQmU9Yw3bTNoh6YeFGBlgqdOEUMTVYJXY6ASyeTnUPemDonyrxzw5aL1XRyIa0s3ToOui/7k9D81nL+h5AHGNRuS60nKEsbt3sCBpTA5sSeMYxzIQIDAQAB",
        /* PKCS#1 RSAPublicKey: decoded after SubjectPublicKeyInfo failed */
        "v=DKIM1; p=MIIBCgKCAQEAre0GwDa04/XB8c6xXqaEqIUieYlvvSOcs3ncyCtPPbtoF32rdSrLu9QYsquvEmCX3tC0FiG1VWHBpPdgq/jmlr7wacRVBndEHG3Eh47V6xO2TSKv8RtsoqvVRmgtgjXm+QvIIc4vCqrxMRYmbLxo4GyS72JJpgbh2xxZ81xj9ij71mngnAOKO4/u1aLCFm9wehYxzEUUDXMyfNHS05I1FjyONYiN42hRygeObnQmU9Yw3bTNoh6YeFGBlgqdOEUMTVYJXY6ASyeTnUPemDonyrxzw5aL1XRyIa0s3ToOui/7k9D81nL+h5AHGNRuS60nKEsbt3sCBpTA5sSeMYxzIQIDAQAB",
        "v=DKIM1; k=ed25519; p=EKROxVhCeunTkHIy6mkFHzQQxiXpGl6ABCabpsxvn9M=",
        "v=DKIM1; p=MIIBIjANBgkqhkiG9w0B",  /* truncated DER: key_syntax */
    };
    static const char *const want[] = {NULL, NULL, NULL, "key_syntax"};
    for (size_t r = 0; r < sizeof recs / sizeof *recs; r++) {
        size_t len = strlen(recs[r]);
        long total = -1;
        int saw_no_memory = 0;
        for (long n = 0; total < 0 || n <= total; n++) {
            as_dkim_keycache *c = as_dkim_keycache_new(0);
            as_dkim_keyrec kr;
            fa_arm(total < 0 ? -1 : n);
            as_dkim_keycache_get(c, recs[r], len, &kr);
            fa_disarm();
            as_dkim_keycache_stats st;
            as_dkim_keycache_get_stats(c, &st);
            if (total < 0) {  /* the fault-free count first */
                total = fa_seen();
                n = -1;
            } else if (kr.reason && strcmp(kr.reason, "no_memory") == 0) {
                saw_no_memory = 1;
                cr_assert_eq(st.entries, 0, "record %zu, fault %ld cached",
                             r, n);
            } else if (want[r]) {
                cr_assert_str_eq(kr.reason, want[r], "record %zu, fault %ld",
                                 r, n);
            } else {
                cr_assert_null(kr.reason, "record %zu, fault %ld: %s", r, n,
                               kr.reason);
                cr_assert_not_null(kr.key);
            }
            as_dkim_keyrec_clear(&kr);
            /* Without a fault the record gets its own outcome. */
            as_dkim_keycache_get(c, recs[r], len, &kr);
            if (want[r])
                cr_assert_str_eq(kr.reason, want[r]);
            else
                cr_assert(kr.reason == NULL && kr.key != NULL,
                          "record %zu after fault %ld: %s", r, n, kr.reason);
            as_dkim_keyrec_clear(&kr);
            as_dkim_keycache_free(c);
        }
        cr_assert_gt(total, 0);
        cr_expect(saw_no_memory, "record %zu: no fault was seen", r);
    }
}
