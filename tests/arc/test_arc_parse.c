/* test_arc_parse.c - the ARC parsers and their defined results for
 * malformed input: ARC-Seal (RFC 8617 4.1.3), the AAR's instance prefix
 * (4.1.1) and an AMS read by the DKIM parser under ARC's rules (4.1.2);
 * including the shapes that crashed OpenDMARC's ARC parsing (no i=, i=0,
 * a huge i=, duplicate tags, an empty field). */
#include <criterion/criterion.h>
#include <string.h>

#include <authscore.h>
#include "arc/aar.h"
#include "arc/seal.h"
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/sig.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 16u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(arc_parse, .init = setup, .fini = teardown);

/* A header field "Name: value" (the value without its line break). */
static as_header_field field(const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *raw = as_arena_alloc(&A, nl + vl + 4);
    memcpy(raw, name, nl);
    raw[nl] = ':';
    memcpy(raw + nl + 1, value, vl);
    memcpy(raw + nl + 1 + vl, "\r\n", 2);
    as_header_field f;
    f.name = as_span_make(raw, nl);
    f.raw = as_span_make(raw, nl + vl + 3);
    f.value_raw = as_span_make(raw + nl + 1, vl);
    f.value = f.value_raw;
    return f;
}

static as_arc_seal seal(const char *value)
{
    as_header_field f = field("ARC-Seal", value);
    as_arc_seal s;
    cr_assert_eq(as_arc_seal_parse(&A, &A, &f, &s), 0, "%s", value);
    return s;
}

#define GOOD " i=2; a=rsa-sha256; cv=pass; d=example.com; s=sel; t=1700000000; b=dGVzdA=="

Test(arc_parse, a_usable_seal)
{
    as_arc_seal s = seal(GOOD);
    cr_assert_null(s.reason, "%s", s.reason);
    cr_expect_eq(s.instance, 2);
    cr_expect_eq(s.cv, AS_ARC_CV_PASS);
    cr_expect_eq(s.md, AS_MD_SHA256);
    cr_expect_eq(s.keytype, AS_KEY_RSA);
    cr_expect_str_eq(s.d, "example.com");
    cr_expect_str_eq(s.s, "sel");
    cr_expect_eq(s.t, 1700000000);
    cr_expect_eq(s.blen, 4);
    cr_expect(!memcmp(s.b, "test", 4));
    /* The b= value is removed, its tag kept (RFC 6376 3.7). */
    cr_expect_eq(s.pre[s.pre_len - 1], '=');
    cr_expect_eq(s.post_len, 0);
    cr_expect(s.pre_len > 2 && !memcmp(s.pre + s.pre_len - 2, "b=", 2));
    s = seal(" i=1; a=ed25519-sha256; cv=NONE; d=Example.COM; s=ed; b=dGVzdA==; x=unknown");
    cr_expect_null(s.reason, "unknown tags are ignored; cv without case");
    cr_expect_eq(s.keytype, AS_KEY_ED25519);
    cr_expect_str_eq(s.d, "example.com");
    cr_expect_eq(s.t, -1, "t= is optional");
}

Test(arc_parse, every_malformed_seal_has_its_reason)
{
    static const struct {
        const char *value, *reason;
        int instance;
    } t[] = {
        {"", "missing_tag:i", 0},  /* an empty field */
        {" ", "missing_tag:i", 0},
        {" a=rsa-sha256; cv=none; d=example.com; s=s; b=dGVzdA==", "missing_tag:i", 0},
        {" i=0; a=rsa-sha256; cv=none; d=example.com; s=s; b=dGVzdA==", "bad_tag:i", 0},
        {" i=51; a=rsa-sha256; cv=pass; d=example.com; s=s; b=dGVzdA==", "bad_tag:i", 0},
        {" i=001; a=rsa-sha256; cv=none; d=example.com; s=s; b=dGVzdA==", "bad_tag:i", 0},
        {" i=99999999999999999999999; a=rsa-sha256; cv=none; d=e.com; s=s; b=dGVzdA==",
         "bad_tag:i", 0},
        {" i=-1; a=rsa-sha256; cv=none; d=example.com; s=s; b=dGVzdA==", "bad_tag:i", 0},
        {" i=1; i=1; a=rsa-sha256; cv=none; d=example.com; s=s; b=dGVzdA==", "tag_syntax", 0},
        {" i=1;; a=rsa-sha256", "tag_syntax", 0},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=s", "missing_tag:b", 1},
        {" i=1; cv=none; d=example.com; s=s; b=dGVzdA==", "missing_tag:a", 1},
        {" i=1; a=rsa-sha256; d=example.com; s=s; b=dGVzdA==", "missing_tag:cv", 1},
        {" i=1; a=rsa-sha256; cv=none; s=s; b=dGVzdA==", "missing_tag:d", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; b=dGVzdA==", "missing_tag:s", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=s; h=from; b=dGVzdA==", "h_present", 1},
        {" i=1; a=rsa-md5; cv=none; d=example.com; s=s; b=dGVzdA==", "unsupported_algorithm", 1},
        {" i=1; a=rsa-sha1; cv=none; d=example.com; s=s; b=dGVzdA==", "weak_algorithm", 1},
        {" i=1; a=rsa-sha256; cv=maybe; d=example.com; s=s; b=dGVzdA==", "bad_tag:cv", 1},
        {" i=1; a=rsa-sha256; cv=; d=example.com; s=s; b=dGVzdA==", "bad_tag:cv", 1},
        {" i=1; a=rsa-sha256; cv=none; d=***; s=s; b=dGVzdA==", "bad_tag:d", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example; s=s; b=dGVzdA==", "bad_tag:d", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=; b=dGVzdA==", "bad_tag:s", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=s; t=soon; b=dGVzdA==", "bad_tag:t", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=s; b=", "bad_tag:b", 1},
        {" i=1; a=rsa-sha256; cv=none; d=example.com; s=s; b=!!!!", "bad_tag:b", 1},
    };
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        as_arc_seal s = seal(t[k].value);
        cr_expect_str_eq(s.reason ? s.reason : "(usable)", t[k].reason, "%s", t[k].value);
        cr_expect_eq(s.instance, t[k].instance, "%s", t[k].value);
    }
}

Test(arc_parse, aar_instance_prefix)
{
    static const struct {
        const char *value;
        int instance;
        const char *payload;
    } t[] = {
        {"i=1; lists.example.org; spf=pass", 1, " lists.example.org; spf=pass"},
        {" i = 12 ; x; none", 12, " x; none"},
        {"\r\n\ti=2;x", 2, "x"},
        {"(hop) i=(two)3 (c) ; x", 3, " x"},
        {"I=4; x", 4, " x"},
        {"i=01; x", 1, " x"},
        {"lists.example.org; i=1; spf=pass", 0, ""},  /* not prefixed */
        {"i=1 lists.example.org; spf=pass", 0, ""},    /* no ';' */
        {"i=0; x", 0, ""},
        {"i=51; x", 0, ""},
        {"i=100; x", 0, ""},
        {"i=; x", 0, ""},
        {"i=1", 0, ""},
        {"", 0, ""},
        {"(unterminated i=1; x", 0, ""},
        {"(((((((((deep))))))))) i=1; x", 0, ""},  /* nine levels */
        {"((((((((ok)))))))) i=1; x", 1, " x"},     /* eight */
    };
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        as_arc_aar a;
        as_arc_aar_parse(t[k].value, strlen(t[k].value), &a);
        cr_expect_eq(a.instance, t[k].instance, "%s", t[k].value);
        cr_expect_eq(a.payload.len, strlen(t[k].payload), "%s", t[k].value);
        cr_expect(!memcmp(a.payload.p, t[k].payload, a.payload.len), "%s", t[k].value);
    }
    as_arc_aar a;
    as_arc_aar_parse(NULL, 5, &a);
    cr_expect_eq(a.instance, 0);
}

static as_dkim_sig ams(const char *value, int kind)
{
    as_header_field f = field(kind == AS_DKIM_SIG_AMS ? "ARC-Message-Signature" : "DKIM-Signature",
                              value);
    as_dkim_sig s;
    cr_assert_eq(as_dkim_sig_parse_kind(&A, &A, &f, kind, &s), 0);
    return s;
}

#define AMS_TAIL "a=rsa-sha256; d=example.com; s=sel; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA=="

Test(arc_parse, an_ams_is_a_dkim_signature_under_arcs_rules)
{
    as_dkim_sig s = ams(" i=3; h=from:to; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_null(s.reason, "%s", s.reason);
    cr_expect_eq(s.instance, 3);
    cr_expect_null(s.i, "i= is the instance, not an AUID");
    cr_expect_eq(s.hcanon, AS_CANON_RELAXED, "no c=: relaxed/relaxed for an AMS");
    cr_expect_eq(s.bcanon, AS_CANON_RELAXED);
    s = ams(" i=1; h=; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_null(s.reason, "an empty h= is a list");
    cr_expect_eq(s.hcount, 0);
    s = ams(" i=1; h=to::date; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_null(s.reason, "empty entries select nothing; From is not required");
    s = ams(" i=1; h=from:ARC-Seal; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "arc_seal_signed");
    s = ams(" i=1; v=1; h=from; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_null(s.reason, "v= is ignored");
    s = ams(" h=from; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "missing_signature_tag:i");
    s = ams(" i=0; h=from; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "bad_signature_tag:i");
    cr_expect_eq(s.instance, 0);
    s = ams(" i=a; h=from; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "bad_signature_tag:i");
    s = ams(" i=1; i=1; h=from; " AMS_TAIL, AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "signature_syntax");
    s = ams(" i=1; h=from; a=rsa-sha256; d=***; s=sel; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==",
            AS_DKIM_SIG_AMS);
    cr_expect_str_eq(s.reason, "bad_signature_tag:d");

    /* A DKIM-Signature keeps DKIM's rules. */
    s = ams(" v=1; h=from; " AMS_TAIL, AS_DKIM_SIG_DKIM);
    cr_expect_null(s.reason);
    cr_expect_eq(s.hcanon, AS_CANON_SIMPLE, "no c=: simple/simple for DKIM");
    cr_expect_eq(s.instance, 0);
    s = ams(" v=1; h=; " AMS_TAIL, AS_DKIM_SIG_DKIM);
    cr_expect_str_eq(s.reason, "bad_signature_tag:h");
    s = ams(" v=1; h=to; " AMS_TAIL, AS_DKIM_SIG_DKIM);
    cr_expect_str_eq(s.reason, "from_not_signed");
    s = ams(" h=from; " AMS_TAIL, AS_DKIM_SIG_DKIM);
    cr_expect_str_eq(s.reason, "missing_signature_tag:v");
}
