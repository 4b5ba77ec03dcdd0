/* test_symbols.c - each symbol fires on its trigger and not elsewhere. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "score/symbols.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 16u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(symbols, .init = setup, .fini = teardown);

static as_symbol_list derive(fx *f)
{
    as_symbol_list l;
    cr_assert_eq(as_symbols_derive(&A, &f->r, &l), 0);
    /* Invariants: catalog order, each at most once, names match ids. */
    for (size_t i = 0; i < l.count; i++) {
        cr_assert_str_eq(l.items[i].name, as_symbol_name(l.items[i].id));
        if (i)
            cr_assert_lt(l.items[i - 1].id, l.items[i].id);
        cr_assert_leq(l.items[i].n_options, AS_SYM_MAX_OPTIONS);
    }
    return l;
}

static int has(const as_symbol_list *l, int id) { return as_symbol_list_get(l, id) != NULL; }

static void assert_opt(const as_symbol_list *l, int id, const char *opt)
{
    const as_symbol *s = as_symbol_list_get(l, id);
    cr_assert_not_null(s, "%s did not fire", as_symbol_name(id));
    for (size_t i = 0; i < s->n_options; i++)
        if (!strcmp(s->options[i], opt))
            return;
    cr_assert_fail("%s lacks option %s", as_symbol_name(id), opt);
}

/* Exactly the symbols in `ids` (terminated by -1) fired. */
static void assert_only(const as_symbol_list *l, const int *ids)
{
    size_t n = 0;
    for (; ids[n] >= 0; n++)
        cr_assert(has(l, ids[n]), "%s missing", as_symbol_name(ids[n]));
    if (l->count != n) {
        char got[1024] = "";
        for (size_t i = 0; i < l->count; i++) {
            strncat(got, l->items[i].name, sizeof got - strlen(got) - 2);
            strncat(got, " ", sizeof got - strlen(got) - 1);
        }
        cr_assert_fail("expected %zu symbols, got %zu: %s", n, l->count, got);
    }
}

Test(symbols, catalog_is_consistent)
{
    for (int i = 0; i < AS_SYM_COUNT; i++) {
        cr_assert_not_null(as_symbol_name(i));
        cr_assert_eq(as_symbol_find(as_symbol_name(i)), i);
        cr_assert_not_null(as_symbol_group_name(as_symbol_group(i)));
    }
    cr_assert_null(as_symbol_name(AS_SYM_COUNT));
    cr_assert_null(as_symbol_name(-1));
    cr_assert_eq(as_symbol_find("NOPE"), -1);
    cr_assert_eq(as_symbol_group(AS_SYM_AS_DNSSEC_BOGUS), AS_SYM_GROUP_DNSSEC);
    cr_assert_str_eq(as_symbol_group_name(AS_SYM_GROUP_POLICY), "policy");
}

Test(symbols, docs_list_every_symbol)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    if (!root)
        cr_skip_test("AUTHSCORE_SOURCE_ROOT not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/symbols.md", root);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof doc - 1, fp);
    fclose(fp);
    doc[n] = '\0';
    for (int i = 0; i < AS_SYM_COUNT; i++) {
        char want[64];
        snprintf(want, sizeof want, "`%s`", as_symbol_name(i));
        cr_assert(strstr(doc, want), "docs/symbols.md lacks %s", want);
    }
}

Test(symbols, nothing_evaluated_gives_nothing)
{
    fx f;
    fx_init(&f);
    as_symbol_list l = derive(&f);
    cr_assert_eq(l.count, 0);
}

Test(symbols, spf_result_symbols)
{
    static const struct {
        int res;
        int sym;
    } map[] = {
        {AUTHSCORE_RES_PASS, AS_SYM_R_SPF_ALLOW},       {AUTHSCORE_RES_FAIL, AS_SYM_R_SPF_FAIL},
        {AUTHSCORE_RES_SOFTFAIL, AS_SYM_R_SPF_SOFTFAIL}, {AUTHSCORE_RES_NEUTRAL, AS_SYM_R_SPF_NEUTRAL},
        {AUTHSCORE_RES_NONE, AS_SYM_R_SPF_NA},          {AUTHSCORE_RES_TEMPERROR, AS_SYM_R_SPF_DNSFAIL},
        {AUTHSCORE_RES_PERMERROR, AS_SYM_R_SPF_PERMFAIL},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        fx f;
        fx_init(&f);
        as_spf_result *s = fx_spf(&f, AUTHSCORE_SPF_MFROM, map[i].res, "a@example.com",
                                  "example.com", AUTHSCORE_DNSSEC_INSECURE);
        s->mechanism = "ip4:192.0.2.0/24";
        s->reason = "because";
        /* A HELO result never gives the MAIL FROM symbols. */
        fx_spf(&f, AUTHSCORE_SPF_HELO, AUTHSCORE_RES_FAIL, NULL, "mx.example.com", 0);
        as_symbol_list l = derive(&f);
        int only[] = {map[i].sym, -1};
        assert_only(&l, only);
        if (map[i].res == AUTHSCORE_RES_NONE)
            assert_opt(&l, map[i].sym, "example.com");
        else if (map[i].res >= AUTHSCORE_RES_TEMPERROR)
            assert_opt(&l, map[i].sym, "because");
        else
            assert_opt(&l, map[i].sym, "ip4:192.0.2.0/24");
    }
}

Test(symbols, spf_limit)
{
    fx f;
    fx_init(&f);
    as_spf_result *s = fx_spf(&f, 0, AUTHSCORE_RES_PERMERROR, "a@example.com", "example.com", 0);
    s->limit_hit = AS_SPF_LIMIT_VOID;
    as_symbol_list l = derive(&f);
    assert_opt(&l, AS_SYM_AS_SPF_LIMIT, "void_lookups");
    s->limit_hit = AS_SPF_LIMIT_LOOKUPS;
    l = derive(&f);
    assert_opt(&l, AS_SYM_AS_SPF_LIMIT, "lookups");
    s->limit_hit = AS_SPF_LIMIT_NONE;
    l = derive(&f);
    cr_assert(!has(&l, AS_SYM_AS_SPF_LIMIT));
    cr_assert(has(&l, AS_SYM_R_SPF_PERMFAIL));
}

Test(symbols, spf_dnssec_only_when_secure_and_not_an_error)
{
    int results[] = {AUTHSCORE_RES_PASS, AUTHSCORE_RES_FAIL, AUTHSCORE_RES_SOFTFAIL,
                     AUTHSCORE_RES_NEUTRAL, AUTHSCORE_RES_NONE, AUTHSCORE_RES_TEMPERROR,
                     AUTHSCORE_RES_PERMERROR};
    for (size_t i = 0; i < sizeof results / sizeof *results; i++) {
        for (int st = AUTHSCORE_DNSSEC_INDETERMINATE; st <= AUTHSCORE_DNSSEC_BOGUS; st++) {
            fx f;
            fx_init(&f);
            fx_spf(&f, 0, results[i], "a@example.com", "example.com", st);
            as_symbol_list l = derive(&f);
            int want = st == AUTHSCORE_DNSSEC_SECURE && results[i] != AUTHSCORE_RES_TEMPERROR &&
                       results[i] != AUTHSCORE_RES_PERMERROR;
            cr_assert_eq(has(&l, AS_SYM_AS_SPF_DNSSEC), want, "result %d dnssec %d", results[i], st);
            cr_assert_eq(has(&l, AS_SYM_AS_DNSSEC_BOGUS), st == AUTHSCORE_DNSSEC_BOGUS);
        }
    }
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_NONE, "a@example.com", "example.com", AUTHSCORE_DNSSEC_SECURE);
    as_symbol_list l = derive(&f);
    assert_opt(&l, AS_SYM_AS_SPF_DNSSEC, "none");
}

Test(symbols, helo_bogus_counts_as_bogus)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 1, AUTHSCORE_RES_TEMPERROR, NULL, "mx.example.com", AUTHSCORE_DNSSEC_BOGUS);
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_AS_DNSSEC_BOGUS, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_AS_DNSSEC_BOGUS, "spf_helo:mx.example.com");
}

Test(symbols, dkim_na_only_when_evaluated_without_signature)
{
    fx f;
    fx_init(&f);
    as_symbol_list l = derive(&f);
    cr_assert(!has(&l, AS_SYM_R_DKIM_NA), "DKIM not run: no symbol");
    f.r.dkim_evaluated = 1;
    l = derive(&f);
    int only[] = {AS_SYM_R_DKIM_NA, -1};
    assert_only(&l, only);
}

Test(symbols, dkim_results_all_reported_per_signature)
{
    fx f;
    fx_init(&f);
    fx_sig(&f, AUTHSCORE_RES_PASS, "a.example", "s1", "rsa-sha256", "ok");
    fx_sig(&f, AUTHSCORE_RES_PASS, "b.example", "s2", "rsa-sha256", "ok");
    fx_sig(&f, AUTHSCORE_RES_FAIL, "c.example", "s3", "rsa-sha256", "body_hash_mismatch");
    fx_sig(&f, AUTHSCORE_RES_TEMPERROR, "d.example", "s4", "rsa-sha256", "dns_timeout");
    fx_sig(&f, AUTHSCORE_RES_PERMERROR, NULL, NULL, NULL, "signature_syntax");
    fx_sig(&f, AUTHSCORE_RES_NOT_EVALUATED, "e.example", "s", "rsa-sha256", "not_evaluated_cap");
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_R_DKIM_ALLOW, AS_SYM_R_DKIM_REJECT, AS_SYM_R_DKIM_TEMPFAIL,
                  AS_SYM_R_DKIM_PERMFAIL, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_R_DKIM_ALLOW, "a.example:s=s1");
    assert_opt(&l, AS_SYM_R_DKIM_ALLOW, "b.example:s=s2");
    assert_opt(&l, AS_SYM_R_DKIM_REJECT, "c.example:s=s3");
    assert_opt(&l, AS_SYM_R_DKIM_TEMPFAIL, "d.example:s=s4");
    assert_opt(&l, AS_SYM_R_DKIM_PERMFAIL, "signature_syntax");
    cr_assert_eq(as_symbol_list_get(&l, AS_SYM_R_DKIM_ALLOW)->n_options, 2);
}

Test(symbols, dkim_weak_testing_unsigned_content)
{
    fx f;
    fx_init(&f);
    as_dkim_sig_result *g = fx_sig(&f, AUTHSCORE_RES_PASS, "a.example", "s", "rsa-sha1", "ok");
    g->flags = AUTHSCORE_DKIM_WEAK_ALGORITHM;
    as_symbol_list l = derive(&f);
    int only1[] = {AS_SYM_R_DKIM_ALLOW, AS_SYM_AS_DKIM_WEAK, -1};
    assert_only(&l, only1);
    assert_opt(&l, AS_SYM_AS_DKIM_WEAK, "a.example");

    g->flags = AUTHSCORE_DKIM_TESTING_KEY;
    l = derive(&f);
    int only2[] = {AS_SYM_R_DKIM_ALLOW, AS_SYM_AS_DKIM_TESTING, -1};
    assert_only(&l, only2);

    g->flags = AUTHSCORE_DKIM_UNSIGNED_CONTENT;
    g->l = 10;
    l = derive(&f);
    int only3[] = {AS_SYM_R_DKIM_ALLOW, AS_SYM_AS_DKIM_UNSIGNED_CONTENT, -1};
    assert_only(&l, only3);

    /* On a failing signature: weak and unsigned content mean nothing
     * (nothing is credited); a testing key still says "treat as unsigned". */
    g->result = AUTHSCORE_RES_FAIL;
    g->flags = AUTHSCORE_DKIM_WEAK_ALGORITHM | AUTHSCORE_DKIM_UNSIGNED_CONTENT |
               AUTHSCORE_DKIM_TESTING_KEY;
    l = derive(&f);
    int only4[] = {AS_SYM_R_DKIM_REJECT, AS_SYM_AS_DKIM_TESTING, -1};
    assert_only(&l, only4);
}

Test(symbols, dkim_dnssec_and_bogus)
{
    fx f;
    fx_init(&f);
    fx_sig(&f, AUTHSCORE_RES_PASS, "a.example", "s", "rsa-sha256", "ok")->dnssec = AUTHSCORE_DNSSEC_SECURE;
    fx_sig(&f, AUTHSCORE_RES_FAIL, "b.example", "s", "rsa-sha256", "signature_mismatch")->dnssec =
        AUTHSCORE_DNSSEC_SECURE;
    fx_sig(&f, AUTHSCORE_RES_PASS, "c.example", "s", "rsa-sha256", "ok")->dnssec = AUTHSCORE_DNSSEC_INSECURE;
    fx_sig(&f, AUTHSCORE_RES_TEMPERROR, "d.example", "s", "rsa-sha256", "dns_bogus")->dnssec =
        AUTHSCORE_DNSSEC_BOGUS;
    as_symbol_list l = derive(&f);
    const as_symbol *s = as_symbol_list_get(&l, AS_SYM_AS_DKIM_DNSSEC);
    cr_assert_not_null(s);
    cr_assert_eq(s->n_options, 1, "only the passing secure signature");
    cr_assert_str_eq(s->options[0], "a.example");
    assert_opt(&l, AS_SYM_AS_DNSSEC_BOGUS, "dkim:d.example");
}

Test(symbols, dmarc_policy_symbols)
{
    static const struct {
        int res, disp;
        const char *reason;
        int sym;
    } map[] = {
        {AUTHSCORE_RES_PASS, AUTHSCORE_DMARC_POLICY_NONE, "aligned_dkim", AS_SYM_DMARC_POLICY_ALLOW},
        {AUTHSCORE_RES_FAIL, AUTHSCORE_DMARC_POLICY_REJECT, "unaligned", AS_SYM_DMARC_POLICY_REJECT},
        {AUTHSCORE_RES_FAIL, AUTHSCORE_DMARC_POLICY_QUARANTINE, "unaligned", AS_SYM_DMARC_POLICY_QUARANTINE},
        {AUTHSCORE_RES_FAIL, AUTHSCORE_DMARC_POLICY_NONE, "unaligned", AS_SYM_DMARC_POLICY_SOFTFAIL},
        {AUTHSCORE_RES_NONE, AUTHSCORE_DMARC_POLICY_NONE, "no_policy", AS_SYM_DMARC_NA},
        {AUTHSCORE_RES_TEMPERROR, AUTHSCORE_DMARC_POLICY_UNSET, "dns_error", AS_SYM_DMARC_DNSFAIL},
        {AUTHSCORE_RES_PERMERROR, AUTHSCORE_DMARC_POLICY_NONE, "invalid_policy", AS_SYM_DMARC_BAD_POLICY},
        {AUTHSCORE_RES_PERMERROR, AUTHSCORE_DMARC_POLICY_NONE, "multiple_from_domains", AS_SYM_AS_DMARC_BAD_FROM},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        fx f;
        fx_init(&f);
        fx_dmarc(&f, map[i].res, "example.com", AUTHSCORE_DMARC_POLICY_REJECT, map[i].disp,
                 map[i].reason);
        as_symbol_list l = derive(&f);
        int only[] = {map[i].sym, -1};
        assert_only(&l, only);
    }
    fx f;
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "example.com", AUTHSCORE_DMARC_POLICY_QUARANTINE, 1, "aligned_spf");
    as_symbol_list l = derive(&f);
    assert_opt(&l, AS_SYM_DMARC_POLICY_ALLOW, "example.com");
    assert_opt(&l, AS_SYM_DMARC_POLICY_ALLOW, "quarantine");
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "example.com", 3, 3, "unaligned");
    l = derive(&f);
    assert_opt(&l, AS_SYM_DMARC_POLICY_REJECT, "unaligned");
}

Test(symbols, dmarc_alignment)
{
    fx f;
    fx_init(&f);
    as_dmarc_result *d = fx_dmarc(&f, AUTHSCORE_RES_PASS, "example.com", 1, 1, "aligned_both");
    d->dkim_aligned = 1;
    d->dkim_domain = "mail.example.com";
    d->spf_aligned = 1;
    d->spf_domain = "example.com";
    d->unaligned_pass = 1; /* an extra passing signature of another domain */
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_DMARC_POLICY_ALLOW, AS_SYM_AS_DMARC_ALIGNED_DKIM,
                  AS_SYM_AS_DMARC_ALIGNED_SPF, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_AS_DMARC_ALIGNED_DKIM, "mail.example.com");
    assert_opt(&l, AS_SYM_AS_DMARC_ALIGNED_SPF, "example.com");

    fx_init(&f);
    d = fx_dmarc(&f, AUTHSCORE_RES_FAIL, "example.com", 3, 3, "unaligned");
    d->unaligned_pass = 2;
    l = derive(&f);
    int only2[] = {AS_SYM_DMARC_POLICY_REJECT, AS_SYM_AS_DMARC_UNALIGNED_PASS, -1};
    assert_only(&l, only2);

    d->unaligned_pass = 0;
    l = derive(&f);
    cr_assert(!has(&l, AS_SYM_AS_DMARC_UNALIGNED_PASS));
}

Test(symbols, dmarc_testing_np_dnssec_bogus)
{
    fx f;
    fx_init(&f);
    as_dmarc_result *d = fx_dmarc(&f, AUTHSCORE_RES_FAIL, "x.example.com", 3, 2, "unaligned");
    d->downgraded = 1;
    d->policy_tag = "np";
    d->dnssec = AUTHSCORE_DNSSEC_SECURE;
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_DMARC_POLICY_QUARANTINE, AS_SYM_AS_DMARC_TESTING, AS_SYM_AS_DMARC_NP,
                  AS_SYM_AS_DMARC_DNSSEC, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_AS_DMARC_TESTING, "t=y");
    assert_opt(&l, AS_SYM_AS_DMARC_NP, "x.example.com");
    assert_opt(&l, AS_SYM_AS_DMARC_DNSSEC, "fail");
    d->mode = AS_DMARC_RFC7489;
    l = derive(&f);
    assert_opt(&l, AS_SYM_AS_DMARC_TESTING, "pct");

    fx_init(&f);
    d = fx_dmarc(&f, AUTHSCORE_RES_TEMPERROR, "example.com", 0, 0, "dns_bogus");
    d->dnssec = AUTHSCORE_DNSSEC_BOGUS;
    l = derive(&f);
    int only2[] = {AS_SYM_DMARC_DNSFAIL, AS_SYM_AS_DNSSEC_BOGUS, -1};
    assert_only(&l, only2);
    assert_opt(&l, AS_SYM_AS_DNSSEC_BOGUS, "dmarc:example.com");
    assert_opt(&l, AS_SYM_DMARC_DNSFAIL, "dns_bogus");

    /* A secure temperror is not rewarded. */
    d->dnssec = AUTHSCORE_DNSSEC_SECURE;
    l = derive(&f);
    cr_assert(!has(&l, AS_SYM_AS_DMARC_DNSSEC));
    /* sp applied: not np. */
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "x.example.com", 3, 3, "unaligned")->policy_tag = "sp";
    l = derive(&f);
    cr_assert(!has(&l, AS_SYM_AS_DMARC_NP));
}

Test(symbols, from_missing_and_multiple)
{
    fx f;
    fx_init(&f);
    f.r.from_fields = 0;
    f.r.from_mailboxes = 0;
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_AS_FROM_MISSING, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_AS_FROM_MISSING, "no_field");

    f.r.from_fields = 1;
    l = derive(&f);
    assert_opt(&l, AS_SYM_AS_FROM_MISSING, "no_mailbox");

    f.r.from_fields = 2;
    f.r.from_mailboxes = 2;
    l = derive(&f);
    int only2[] = {AS_SYM_AS_FROM_MULTIPLE, -1};
    assert_only(&l, only2);
    assert_opt(&l, AS_SYM_AS_FROM_MULTIPLE, "fields=2");
    assert_opt(&l, AS_SYM_AS_FROM_MULTIPLE, "mailboxes=2");

    f.r.from_fields = 1;
    f.r.from_mailboxes = 3;
    l = derive(&f);
    assert_opt(&l, AS_SYM_AS_FROM_MULTIPLE, "mailboxes=3");
    cr_assert_eq(as_symbol_list_get(&l, AS_SYM_AS_FROM_MULTIPLE)->n_options, 1);

    f.r.from_mailboxes = 1;
    l = derive(&f);
    cr_assert_eq(l.count, 0);
}

Test(symbols, hostile_options_are_cleaned_and_capped)
{
    static char big[2000];
    memset(big, 'z', sizeof big - 1);
    fx f;
    fx_init(&f);
    as_spf_result *s = fx_spf(&f, 0, AUTHSCORE_RES_PERMERROR, "a@x", "x", 0);
    s->reason = "bad\r\nterm\x01";
    for (int i = 0; i < 40; i++)
        fx_sig(&f, AUTHSCORE_RES_PASS, big, "s", "rsa-sha256", "ok");
    for (int i = 0; i < 40; i++) {
        static char d[40][16];
        snprintf(d[i], sizeof d[i], "d%d.example", i);
        fx_sig(&f, AUTHSCORE_RES_FAIL, d[i], "s", "rsa-sha256", "x");
    }
    as_symbol_list l = derive(&f);
    assert_opt(&l, AS_SYM_R_SPF_PERMFAIL, "bad??term?");
    const as_symbol *a = as_symbol_list_get(&l, AS_SYM_R_DKIM_ALLOW);
    cr_assert_eq(a->n_options, 1, "duplicates kept once");
    cr_assert_leq(strlen(a->options[0]), AS_SYM_MAX_OPTION_BYTES);
    cr_assert_eq(as_symbol_list_get(&l, AS_SYM_R_DKIM_REJECT)->n_options, AS_SYM_MAX_OPTIONS);
}

Test(symbols, pass_example_end_to_end_shape)
{
    /* What examples/pass.eml gives: every record secure, all aligned. */
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "alice@good.example", "good.example", AUTHSCORE_DNSSEC_SECURE)
        ->mechanism = "mx";
    fx_spf(&f, 1, AUTHSCORE_RES_NONE, NULL, "mx.good.example", AUTHSCORE_DNSSEC_SECURE);
    as_dkim_sig_result *g = fx_sig(&f, AUTHSCORE_RES_PASS, "good.example", "sel2026", "rsa-sha256", "ok");
    g->dnssec = AUTHSCORE_DNSSEC_SECURE;
    g->key_bits = 2048;
    as_dmarc_result *d = fx_dmarc(&f, AUTHSCORE_RES_PASS, "good.example", 3, 1, "aligned_both");
    d->dkim_aligned = d->spf_aligned = 1;
    d->dkim_domain = d->spf_domain = "good.example";
    d->dnssec = AUTHSCORE_DNSSEC_SECURE;
    as_symbol_list l = derive(&f);
    int only[] = {AS_SYM_R_SPF_ALLOW, AS_SYM_R_DKIM_ALLOW, AS_SYM_DMARC_POLICY_ALLOW,
                  AS_SYM_AS_DMARC_ALIGNED_DKIM, AS_SYM_AS_DMARC_ALIGNED_SPF, AS_SYM_AS_SPF_DNSSEC,
                  AS_SYM_AS_DKIM_DNSSEC, AS_SYM_AS_DMARC_DNSSEC, -1};
    assert_only(&l, only);
    assert_opt(&l, AS_SYM_R_SPF_ALLOW, "mx");
    assert_opt(&l, AS_SYM_R_DKIM_ALLOW, "good.example:s=sel2026");
}

/* The message's DKIM result (docs/dkim.md) over hand-built signatures,
 * including the RFC 8601 words the engine does not produce today (policy,
 * neutral) and signatures beyond the cap; tests/api/test_dkim_overall.c
 * checks the engine's own results through the public API. */
Test(symbols, dkim_overall_order)
{
    enum { NE = AUTHSCORE_RES_NOT_EVALUATED, PA = AUTHSCORE_RES_PASS, FA = AUTHSCORE_RES_FAIL,
           TE = AUTHSCORE_RES_TEMPERROR, PE = AUTHSCORE_RES_PERMERROR,
           PO = AUTHSCORE_RES_POLICY, NU = AUTHSCORE_RES_NEUTRAL, END = -1 };
    static const struct {
        int sigs[8];
        int want;
    } t[] = {
        {{END}, AUTHSCORE_RES_NONE},
        {{NE, END}, NE},             /* every signature beyond the cap */
        {{NE, FA, END}, FA},
        {{NU, PE, END}, PE},
        {{PE, NU, END}, PE},
        {{NU, END}, NU},
        {{PO, PE, NU, END}, PO},
        {{PE, PO, END}, PO},
        {{PO, FA, END}, FA},
        {{FA, PO, END}, FA},
        {{PO, TE, END}, TE},
        {{TE, FA, PO, PE, NU, END}, TE},
        {{NU, PO, PE, FA, TE, PA, END}, PA},
        {{PA, TE, END}, PA},
    };
    for (size_t c = 0; c < sizeof t / sizeof *t; c++) {
        fx f;
        fx_init(&f);
        f.r.dkim_evaluated = 1;
        for (size_t i = 0; t[c].sigs[i] != END; i++)
            fx_sig(&f, t[c].sigs[i], "example.com", "s", "rsa-sha256", NULL);
        int got = as_results_dkim_overall(&f.r);
        cr_expect_eq(got, t[c].want, "case %zu: %s, want %s", c, authscore_result_name(got),
                     authscore_result_name(t[c].want));
        /* The fold is order-free: the same set reversed. */
        int acc = NE;
        for (size_t i = f.r.n_dkim; i-- > 0;)
            acc = as_dkim_overall_add(acc, f.sigp[i]->result);
        cr_expect_eq(f.r.n_dkim ? acc : AUTHSCORE_RES_NONE, t[c].want, "case %zu reversed", c);
    }
    fx f;
    fx_init(&f);
    cr_expect_eq(as_results_dkim_overall(&f.r), NE, "DKIM did not run");
}
