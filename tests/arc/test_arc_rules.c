/* test_arc_rules.c - what ARC does to the score and the A-R header,
 * without DNS (results built by hand, tests/score/fixtures.h): the
 * symbols, the AAR's vouching, the rules' arc and arc_sealer conditions,
 * the dmarc_disposition override (RFC 7489 7.2) and its report, and that
 * ARC never turns a DMARC fail into a pass. */
#include <criterion/criterion.h>
#include <string.h>

#include <authscore.h>
#include "fixtures.h"
#include "score/ar_write.h"
#include "score/arc_vouch.h"
#include "score/rules.h"
#include "score/symbols.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 64u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(arc_rules, .init = setup, .fini = teardown);

/* ---- what a sealer's AAR vouches for ------------------------------------- */

static int vouch(const char *payload, const char *from, const char *org, int strict,
                 const char **what)
{
    as_arc_vouch_for v = {from, org, strict, strict};
    return as_arc_vouches(&A, as_span_make(payload, strlen(payload)), &v, what);
}

Test(arc_rules, an_aar_vouches_only_for_the_author_domain)
{
    static const struct {
        const char *payload;
        int strict, want;
        const char *what;
    } t[] = {
        {" lists.example.net; dmarc=pass header.from=example.com", 0, 1, "dmarc=pass"},
        {" lists.example.net; dmarc=pass", 0, 1, "dmarc=pass"},
        {" lists.example.net; dmarc=pass header.from=evil.example", 0, 0, NULL},
        {" lists.example.net; dmarc=fail header.from=example.com", 0, 0, NULL},
        {" l; dkim=pass header.d=mail.example.com", 0, 1, "dkim=pass"},
        {" l; dkim=pass header.d=mail.example.com", 1, 0, NULL},
        {" l; dkim=pass header.i=@example.com", 1, 1, "dkim=pass"},
        {" l; dkim=pass header.d=example.com.evil.example", 0, 0, NULL},
        {" l; dkim=pass header.d=notexample.com", 0, 0, NULL},
        {" l; spf=pass smtp.mailfrom=bounce@example.com", 0, 1, "spf=pass"},
        {" l; spf=pass smtp.mfrom=bounce@sub.example.com", 0, 1, "spf=pass"},
        {" l; spf=pass smtp.mailfrom=bounce@list.example.net", 0, 0, NULL},
        {" l; spf=pass smtp.helo=example.com", 0, 0, NULL},
        /* The strongest word is reported, wherever it stands. */
        {" l; spf=pass smtp.mailfrom=a@example.com; dkim=pass header.d=example.com; dmarc=pass",
         0, 1, "dmarc=pass"},
        /* Only a payload read whole vouches. */
        {" l; dmarc=pass; garbage ((", 0, 0, NULL},
        {"", 0, 0, NULL},
    };
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        const char *what;
        int got = vouch(t[k].payload, "example.com", "example.com", t[k].strict, &what);
        cr_expect_eq(got, t[k].want, "%s", t[k].payload);
        if (t[k].what)
            cr_expect_str_eq(what, t[k].what, "%s", t[k].payload);
    }
    const char *what;
    cr_expect_eq(vouch(" l; dmarc=pass", NULL, NULL, 0, &what), 0, "no author domain");
}

/* ---- results by hand ---------------------------------------------------- */

typedef struct arcfx {
    fx f;
    as_arc_instance inst[4];
    as_arc_result arc;
} arcfx;

/* A passing chain of n sets whose AARs are given, newest last. */
static void arc_chain(arcfx *x, int result, const char *const *sealers,
                      const char *const *aars, size_t n)
{
    memset(&x->arc, 0, sizeof x->arc);
    x->arc.result = result;
    x->arc.reason = result == AUTHSCORE_RES_PASS ? "ok" : "seal:signature_mismatch";
    x->arc.chain_length = (int)n;
    x->arc.oldest_pass = result == AUTHSCORE_RES_PASS ? 0 : -1;
    for (size_t j = 0; j < n; j++) {
        as_arc_instance *v = &x->inst[j];
        memset(v, 0, sizeof *v);
        v->i = (int)j + 1;
        v->d = sealers[j];
        v->s = "arc";
        v->seal = v->ams = AUTHSCORE_RES_PASS;
        v->dnssec = AUTHSCORE_DNSSEC_SECURE;
        v->aar = as_span_make(aars[j], strlen(aars[j]));
    }
    x->arc.inst = x->inst;
    x->arc.n_inst = n;
    x->arc.all_secure = 1;
    x->f.r.arc = &x->arc;
}

static const char *shipped_like =
    "symbols { DMARC_POLICY_REJECT { weight = 2; } R_SPF_FAIL { weight = 1; }\n"
    "          ARC_ALLOW { weight = -1; } }\n"
    "lists { arc_trusted_sealers { domains = [\"lists.example.net\"]; } }\n"
    "rules {\n"
    "  AS_ARC_TRUSTED_OVERRIDE { weight = 0; group = \"arc\"; dmarc = \"fail\";\n"
    "    arc_sealer { list = \"arc_trusted_sealers\"; }\n"
    "    cancel = [\"DMARC_POLICY_REJECT\"]; dmarc_disposition = \"none\"; }\n"
    "  AS_TRUSTED_FORWARDER { weight = 0; arc_sealer { list = \"arc_trusted_sealers\"; }\n"
    "    spf = [\"fail\", \"softfail\"]; cancel = [\"R_SPF_FAIL\"]; }\n"
    "  LOCAL_SOFTEN { weight = 0; dmarc = \"fail\"; from_domain = \"/^partner\\\\./\";\n"
    "    dmarc_disposition = \"quarantine\"; }\n"
    "  ARC_SAYS { weight = 0.5; arc = [\"fail\", \"temperror\"]; }\n"
    "}\n";

static as_rules *load(const char *text)
{
    char err[AS_RULES_ERROR_MAX];
    as_rules *r = NULL;
    int rc = as_rules_load_buffer("t.conf", text, strlen(text), &r, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    return r;
}

static as_scored score(const as_rules *r, arcfx *x, const char *from)
{
    as_symbol_list derived;
    cr_assert_eq(as_symbols_derive(&A, &x->f.r, &derived), 0);
    as_score_input in = {.results = &x->f.r, .derived = &derived, .from_domain = from};
    as_scored out;
    cr_assert_eq(as_rules_score(r, &A, &in, &out), 0);
    return out;
}

static const as_scored_symbol *find(const as_scored *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

static void dmarc_reject(arcfx *x, const char *from)
{
    fx_dmarc(&x->f, AUTHSCORE_RES_FAIL, from, AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_REJECT, "unaligned");
    x->f.dmarc.org_domain = from;
}

Test(arc_rules, a_trusted_sealer_that_saw_dmarc_pass_overrides_the_disposition)
{
    as_rules *r = load(shipped_like);
    arcfx x;
    fx_init(&x.f);
    dmarc_reject(&x, "example.com");
    const char *sealers[] = {"lists.example.net"};
    const char *aars[] = {" lists.example.net; spf=pass smtp.mailfrom=a@example.com; "
                          "dmarc=pass header.from=example.com"};
    arc_chain(&x, AUTHSCORE_RES_PASS, sealers, aars, 1);
    as_scored s = score(r, &x, "example.com");
    const as_scored_symbol *o = find(&s, "AS_ARC_TRUSTED_OVERRIDE");
    cr_assert_not_null(o);
    cr_expect_str_eq(o->options[0], "arc_sealer in arc_trusted_sealers");
    cr_expect_str_eq(o->options[1], "lists.example.net i=1 dmarc=pass");
    cr_expect_float_eq(find(&s, "DMARC_POLICY_REJECT")->weight, 0.0, 1e-9, "penalty cancelled");
    cr_expect_float_eq(s.score, -1.0, 1e-9, "ARC_ALLOW only");
    cr_expect(s.override.active);
    cr_expect_eq(s.override.disposition, AUTHSCORE_DMARC_POLICY_NONE);
    cr_expect_str_eq(s.override.type, "trusted_forwarder");
    cr_expect_str_eq(s.override.rule, "AS_ARC_TRUSTED_OVERRIDE");
    cr_expect_str_eq(s.override.sealer, "lists.example.net");
    cr_expect_eq(s.override.instance, 1);
    cr_expect_eq(x.f.dmarc.result, AUTHSCORE_RES_FAIL, "ARC never turns a fail into a pass");

    /* The A-R header says why, and keeps dmarc=fail. */
    x.f.r.override = &s.override;
    x.f.r.client_ip = "192.0.2.7";
    const char *ar;
    cr_assert_eq(as_ar_write(&A, "mx.example", &x.f.r, &ar, NULL), 0);
    cr_expect_not_null(strstr(ar, "; arc=pass (i=1, d=lists.example.net, DNSSEC secure) "
                                  "header.oldest-pass=0 smtp.remote-ip=192.0.2.7"), "%s", ar);
    cr_expect_not_null(strstr(ar, "; dmarc=fail reason=\"unaligned\" header.from=example.com "
                                  "policy.dmarc=reject (override=trusted_forwarder, "
                                  "disposition=none, sealer=lists.example.net i=1)"), "%s", ar);
    as_rules_free(r);
}

Test(arc_rules, no_override_without_a_trusted_vouching_sealer_on_a_passing_chain)
{
    as_rules *r = load(shipped_like);
    arcfx x;
    const char *trusted[] = {"lists.example.net"}, *stranger[] = {"relay.example.org"};
    const char *pass[] = {" l; dmarc=pass header.from=example.com"};
    const char *fail[] = {" l; dmarc=fail header.from=example.com"};
    struct {
        const char *why;
        const char *const *sealers, *const *aars;
        int chain;
    } t[] = {
        {"untrusted sealer", stranger, pass, AUTHSCORE_RES_PASS},
        {"the sealer saw DMARC fail", trusted, fail, AUTHSCORE_RES_PASS},
        {"the chain fails", trusted, pass, AUTHSCORE_RES_FAIL},
    };
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        fx_init(&x.f);
        dmarc_reject(&x, "example.com");
        arc_chain(&x, t[k].chain, t[k].sealers, t[k].aars, 1);
        as_scored s = score(r, &x, "example.com");
        cr_expect_null(find(&s, "AS_ARC_TRUSTED_OVERRIDE"), "%s", t[k].why);
        cr_expect(!s.override.active, "%s", t[k].why);
        cr_expect_float_eq(find(&s, "DMARC_POLICY_REJECT")->weight, 2.0, 1e-9, "%s", t[k].why);
    }
    /* DMARC passes: nothing to override, whatever the sealer says. */
    fx_init(&x.f);
    fx_dmarc(&x.f, AUTHSCORE_RES_PASS, "example.com", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_NONE, "aligned_dkim");
    arc_chain(&x, AUTHSCORE_RES_PASS, trusted, pass, 1);
    as_scored s = score(r, &x, "example.com");
    cr_expect_null(find(&s, "AS_ARC_TRUSTED_OVERRIDE"));
    cr_expect(!s.override.active);
    as_rules_free(r);
}

Test(arc_rules, only_the_newest_trusted_sealer_speaks)
{
    as_rules *r = load(shipped_like);
    arcfx x;
    fx_init(&x.f);
    dmarc_reject(&x, "example.com");
    /* i=1 trusted saw a pass; i=2, trusted too and newer, saw a fail. */
    const char *sealers[] = {"lists.example.net", "lists.example.net"};
    const char *aars[] = {" l; dmarc=pass", " l; dmarc=fail"};
    arc_chain(&x, AUTHSCORE_RES_PASS, sealers, aars, 2);
    as_scored s = score(r, &x, "example.com");
    cr_expect_null(find(&s, "AS_ARC_TRUSTED_OVERRIDE"));
    /* A stranger sealed after the trusted list: the list's word counts. */
    const char *sealers2[] = {"lists.example.net", "relay.example.org"};
    const char *aars2[] = {" l; dkim=pass header.d=example.com", " r; dmarc=fail"};
    arc_chain(&x, AUTHSCORE_RES_PASS, sealers2, aars2, 2);
    s = score(r, &x, "example.com");
    const as_scored_symbol *o = find(&s, "AS_ARC_TRUSTED_OVERRIDE");
    cr_assert_not_null(o);
    cr_expect_str_eq(o->options[1], "lists.example.net i=1 dkim=pass");
    cr_expect_eq(s.override.instance, 1);
    as_rules_free(r);
}

/* Fail closed: when the chain is temperror and the trusted sealer would
 * vouch (or the sets could not be read), the override is undetermined:
 * no override, and the disposition the hosts act on is not harsher than
 * none (core/getters.c), reported as a temperror. */
Test(arc_rules, a_temperror_chain_leaves_the_override_undetermined)
{
    as_rules *r = load(shipped_like);
    arcfx x;
    const char *trusted[] = {"lists.example.net"}, *stranger[] = {"relay.example.org"};
    const char *pass[] = {" l; dmarc=pass header.from=example.com"};
    const char *fail[] = {" l; dmarc=fail"};
    fx_init(&x.f);
    dmarc_reject(&x, "example.com");
    arc_chain(&x, AUTHSCORE_RES_TEMPERROR, trusted, pass, 1);
    x.arc.reason = "dns_timeout";
    as_scored s = score(r, &x, "example.com");
    cr_expect_null(find(&s, "AS_ARC_TRUSTED_OVERRIDE"));
    cr_expect_null(find(&s, "AS_REGEX_LIMIT"), "not a regex's limit");
    cr_expect(!s.override.active);
    cr_expect(s.override.undetermined);
    cr_expect_str_eq(s.override.rule, "AS_ARC_TRUSTED_OVERRIDE");
    x.f.r.override = &s.override;
    const char *ar;
    cr_assert_eq(as_ar_write(&A, "mx.example", &x.f.r, &ar, NULL), 0);
    cr_expect_not_null(strstr(ar, "arc=temperror reason=\"dns_timeout\" (i=1, "), "%s", ar);
    cr_expect_not_null(strstr(ar, "(override=temperror, arc temperror)"), "%s", ar);

    /* The sets could not be read at all (a fault at the start). */
    arc_chain(&x, AUTHSCORE_RES_TEMPERROR, trusted, pass, 1);
    x.arc.n_inst = 0;
    x.arc.inst = NULL;
    s = score(r, &x, "example.com");
    cr_expect(s.override.undetermined);

    /* A temperror that decides nothing: a stranger sealed, or the trusted
     * sealer saw DMARC fail; the reject stands. */
    arc_chain(&x, AUTHSCORE_RES_TEMPERROR, stranger, pass, 1);
    s = score(r, &x, "example.com");
    cr_expect(!s.override.undetermined && !s.override.active);
    arc_chain(&x, AUTHSCORE_RES_TEMPERROR, trusted, fail, 1);
    s = score(r, &x, "example.com");
    cr_expect(!s.override.undetermined && !s.override.active);

    /* DMARC passes: nothing to override. */
    fx_dmarc(&x.f, AUTHSCORE_RES_PASS, "example.com", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_NONE, "aligned_dkim");
    arc_chain(&x, AUTHSCORE_RES_TEMPERROR, trusted, pass, 1);
    s = score(r, &x, "example.com");
    cr_expect(!s.override.undetermined);
    as_rules_free(r);
}

Test(arc_rules, forwarder_and_local_policy_and_the_arc_condition)
{
    as_rules *r = load(shipped_like);
    arcfx x;
    fx_init(&x.f);
    fx_spf(&x.f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_FAIL, "a@example.com", "example.com",
           AUTHSCORE_DNSSEC_INSECURE);
    fx_dmarc(&x.f, AUTHSCORE_RES_PASS, "example.com", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_NONE, "aligned_dkim");
    const char *sealers[] = {"lists.example.net"};
    const char *aars[] = {" l; spf=pass smtp.mailfrom=a@example.com"};
    arc_chain(&x, AUTHSCORE_RES_PASS, sealers, aars, 1);
    as_scored s = score(r, &x, "example.com");
    cr_expect_not_null(find(&s, "AS_TRUSTED_FORWARDER"));
    cr_expect_float_eq(find(&s, "R_SPF_FAIL")->weight, 0.0, 1e-9);
    cr_expect(!s.override.active, "no dmarc_disposition on that rule");

    /* A rule without a sealer test lowers the disposition as local policy,
     * and only lowers it. */
    fx_init(&x.f);
    dmarc_reject(&x, "partner.example");
    s = score(r, &x, "partner.example");
    cr_expect(s.override.active);
    cr_expect_str_eq(s.override.type, "local_policy");
    cr_expect_eq(s.override.disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    cr_expect_null(s.override.sealer);
    fx_dmarc(&x.f, AUTHSCORE_RES_FAIL, "partner.example", AUTHSCORE_DMARC_POLICY_NONE,
             AUTHSCORE_DMARC_POLICY_NONE, "unaligned");
    s = score(r, &x, "partner.example");
    cr_expect(!s.override.active, "quarantine is not below none");

    /* The arc condition reads the chain's result. */
    arc_chain(&x, AUTHSCORE_RES_FAIL, sealers, aars, 1);
    s = score(r, &x, "partner.example");
    cr_expect_not_null(find(&s, "ARC_SAYS"));
    x.f.r.arc = NULL;
    s = score(r, &x, "partner.example");
    cr_expect_null(find(&s, "ARC_SAYS"), "ARC did not run: no result matches");
    as_rules_free(r);
}

Test(arc_rules, rule_file_errors_for_the_new_fields)
{
    static const struct {
        const char *text, *want;
    } t[] = {
        {"rules { X { weight = 1; dmarc = \"fail\"; dmarc_disposition = \"reject\"; } }",
         "t.conf:1: rule X: dmarc_disposition lowers a DMARC fail's disposition: \"none\" or "
         "\"quarantine\", not \"reject\""},
        {"rules { X { weight = 1; arc_sealer = 3; } }",
         "t.conf:1: rule X: \"arc_sealer\" takes \"/regex/\" or { regex = ...; } or { list = ...; }"},
        {"rules { X { weight = 1; arc = \"maybe\"; } }",
         "t.conf:1: rule X: unknown result \"maybe\" (pass, fail, softfail, neutral, none, "
         "temperror, permerror, policy)"},
        {"rules { X { weight = 1; group = \"arcs\"; arc = \"pass\"; } }",
         "t.conf:1: rule X: group must be spf, dkim, dmarc, arc, dnssec or policy, not \"arcs\""},
    };
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        char err[AS_RULES_ERROR_MAX];
        as_rules *r = NULL;
        int rc = as_rules_load_buffer("t.conf", t[k].text, strlen(t[k].text), &r, err, sizeof err);
        cr_expect_eq(rc, AUTHSCORE_ECONFIG, "%s", t[k].text);
        cr_expect_str_eq(err, t[k].want);
        as_rules_free(r);
    }
}

/* ---- the engine symbols -------------------------------------------------- */

static int fired(const as_symbol_list *l, int id, const char *opt)
{
    const as_symbol *s = as_symbol_list_get(l, id);
    if (!s)
        return 0;
    if (!opt)
        return 1;
    for (size_t i = 0; i < s->n_options; i++)
        if (!strcmp(s->options[i], opt))
            return 1;
    return 0;
}

Test(arc_rules, status_symbols_follow_rspamds_arc_module)
{
    arcfx x;
    as_symbol_list l;
    const char *sealers[] = {"a.example", "b.example"};
    const char *aars[] = {" a; none", " b; none"};
    fx_init(&x.f);
    arc_chain(&x, AUTHSCORE_RES_PASS, sealers, aars, 2);
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(fired(&l, AS_SYM_ARC_ALLOW, "b.example:s=arc:i=2"));
    cr_expect(fired(&l, AS_SYM_AS_ARC_DNSSEC, "b.example"));
    x.arc.all_secure = 0;
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(!fired(&l, AS_SYM_AS_ARC_DNSSEC, NULL));

    x.arc.result = AUTHSCORE_RES_FAIL;
    x.arc.reason = "seal:signature_mismatch";
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(fired(&l, AS_SYM_ARC_REJECT, "seal:signature_mismatch"));
    cr_expect(!fired(&l, AS_SYM_ARC_ALLOW, NULL));
    x.arc.invalid = 1;
    x.arc.reason = "instance_gap";
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(fired(&l, AS_SYM_ARC_INVALID, "instance_gap"));
    cr_expect(!fired(&l, AS_SYM_ARC_REJECT, NULL));

    x.arc.result = AUTHSCORE_RES_TEMPERROR;
    x.arc.reason = "dns_bogus";
    x.inst[0].dnssec = AUTHSCORE_DNSSEC_BOGUS;
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(fired(&l, AS_SYM_ARC_DNSFAIL, "dns_bogus"));
    cr_expect(fired(&l, AS_SYM_AS_DNSSEC_BOGUS, "arc:a.example"));

    x.arc.result = AUTHSCORE_RES_NONE;
    x.arc.n_inst = 0;
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(fired(&l, AS_SYM_ARC_NA, NULL));
    x.f.r.arc = NULL;
    cr_assert_eq(as_symbols_derive(&A, &x.f.r, &l), 0);
    cr_expect(!fired(&l, AS_SYM_ARC_NA, NULL), "ARC did not run");
}
