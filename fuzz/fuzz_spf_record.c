/* fuzz_spf_record.c - libFuzzer target for the SPF record parser and the
 * macro checker / expander.
 *
 * Invariants checked (abort on violation, so libFuzzer reports them):
 * - every span of a parsed record (term text, domain-spec, modifiers, the
 *   error's term) lies inside the input;
 * - CIDR lengths are within their family, mechanisms and qualifiers valid;
 * - as_spf_macro_expand succeeds on every string as_spf_macro_check
 *   accepts (it checks only macro syntax itself, the caller checks first);
 * - an expansion is NUL-terminated, never longer than its cap, and a
 *   domain longer than 253 bytes has no dot left to truncate at (7.3);
 * - the input served as the TXT record of a small in-memory zone is
 *   evaluated to the end, with counts inside their limits, and the same
 *   outcome with prefetch as strictly in order (speculation never changes
 *   a result). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "spf/spf.h"
#include "spf/spf_macro.h"
#include "spf/spf_record.h"
#include "fuzz_check.h"

static const uint8_t *lo, *hi;

static void in_input(as_span s)
{
    if (s.len == 0)
        return;
    if ((const uint8_t *)s.p < lo || (const uint8_t *)s.p + s.len > hi)
        abort();
}

static char out[AS_SPF_MACRO_WINDOW + AS_SPF_MAX_EXPLANATION + 8];

static void macro(const char *p, size_t len, int mode)
{
    static char lpart[700];
    if (!lpart[0]) {
        memset(lpart, 'a', sizeof lpart);
        for (size_t k = 40; k < sizeof lpart; k += 41)
            lpart[k] = '.';
    }
    as_spf_macro_vars v;
    v.s = as_span_make(lpart, sizeof lpart);
    v.l = as_span_make(lpart, 300);
    v.o = as_span_make("example.com", 11);
    v.d = as_span_make("sub.example.com", 15);
    v.i = as_span_make("192.0.2.3", 9);
    v.p = as_span_make("unknown", 7);
    v.v = as_span_make("in-addr", 7);
    v.h = as_span_make("mx.example.org", 14);
    v.c = as_span_make("192.0.2.3", 9);
    v.r = as_span_make("mx.example.net", 14);
    v.t = as_span_make("1700000000", 10);
    unsigned flags;
    const char *why;
    size_t off;
    int ok = as_spf_macro_check(p, len, mode, &flags, &why, &off) == 0;
    if (!ok && (!why || off > len))
        abort();
    int n = as_spf_macro_expand(p, len, mode, &v, out, sizeof out);
    if (ok && n < 0)
        abort();
    if (n < 0)
        return;
    if (out[n] != '\0')
        abort();
    if (mode == AS_SPF_MACRO_EXPLAIN) {
        if ((size_t)n > AS_SPF_MAX_EXPLANATION)
            abort();
    } else {
        if ((size_t)n > AS_SPF_MACRO_WINDOW)
            abort();
        if (mode == AS_SPF_MACRO_DOMAIN && (size_t)n > AS_SPF_MAX_DOMAIN)
            for (size_t q = (size_t)n - AS_SPF_MAX_DOMAIN; q < (size_t)n; q++)
                if (out[q - 1] == '.')
                    abort(); /* could have been truncated there */
    }
}

static void add(as_memdns *m, const char *n, int t, const char *d)
{
    as_memdns_add(m, n, (uint16_t)t, d, strlen(d));
}

static void evaluate(const char *p, size_t size)
{
    as_memdns *m = as_memdns_new();
    if (!m)
        return;
    as_memdns_add(m, "example.com", AUTHSCORE_QTYPE_TXT, p, size);
    add(m, "inc.example.com", AUTHSCORE_QTYPE_TXT,
        "v=spf1 include:example.com ip4:192.0.2.0/25 -all");
    add(m, "r.example.com", AUTHSCORE_QTYPE_TXT, "v=spf1 redirect=example.com");
    add(m, "a.example.com", AUTHSCORE_QTYPE_A, "192.0.2.1");
    add(m, "a.example.com", AUTHSCORE_QTYPE_AAAA, "2001:db8::1");
    add(m, "example.com", AUTHSCORE_QTYPE_MX, "10 a.example.com");
    add(m, "example.com", AUTHSCORE_QTYPE_MX, "20 b.example.com");
    add(m, "1.2.0.192.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "a.example.com");
    add(m, "exp.example.com", AUTHSCORE_QTYPE_TXT, "%{i} %{p} %{C} %{l}");
    as_memdns_set_status(m, "t.example.com", 0, AUTHSCORE_DNS_TIMEOUT);
    as_spf_result res[2];
    const char *mech[2], *expl[2];
    for (int pass = 0; pass < 2; pass++) {
        as_arena a;
        as_arena_init(&a, 1u << 24);
        as_qtab *q = as_qtab_new(&a, 0);
        as_spf_request req = {0};
        req.client_ip = "192.0.2.1";
        req.sender = "a-b.c@example.com";
        req.domain = "example.com";
        req.helo = "a.example.com";
        req.now = 1;
        req.no_prefetch = pass;
        as_spf *s = NULL;
        if (!q || as_spf_start(&a, q, &req, &s) != 0)
            abort();
        as_memdns_drive(m, q, NULL);
        if (!as_spf_done(s))
            abort();
        res[pass] = *as_spf_get_result(s);
        const as_spf_result *r = &res[pass];
        if (r->result < AUTHSCORE_RES_NONE || r->result > AUTHSCORE_RES_PERMERROR ||
            r->lookups > AS_SPF_MAX_LOOKUPS + 1 ||
            r->void_lookups > AS_SPF_MAX_VOID_LOOKUPS + 1 || !r->reason)
            abort();
        if (r->explanation && strlen(r->explanation) > AS_SPF_MAX_EXPLANATION)
            abort();
        /* compare strings after the arena is gone: keep hashes of them */
        mech[pass] = r->mechanism ? "m" : "";
        expl[pass] = r->explanation ? "e" : "";
        if (pass == 1 && ((r->mechanism != NULL) != (*mech[0] != 0)))
            abort();
        as_arena_free(&a);
    }
    if (res[0].result != res[1].result || res[0].lookups != res[1].lookups ||
        res[0].void_lookups != res[1].void_lookups ||
        res[0].dnssec != res[1].dnssec || res[0].limit_hit != res[1].limit_hit ||
        strcmp(mech[0], mech[1]) || strcmp(expl[0], expl[1]))
        abort();
    as_memdns_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lo = data;
    hi = data + size;
    const char *p = (const char *)data;
    as_arena a;
    as_arena_init(&a, 1u << 24);
    as_spf_record rec;
    as_spf_parse_error err;
    int rc = as_spf_record_parse(&a, p, size, &rec, &err);
    if (rc == 0) {
        if (!as_spf_record_is_spf(p, size))
            abort();
        for (unsigned k = 0; k < rec.nterms; k++) {
            const as_spf_term *t = &rec.terms[k];
            in_input(t->text);
            in_input(t->spec);
            if (t->mech > AS_SPF_EXISTS || t->cidr4 > 32 || t->cidr6 > 128)
                abort();
            if (t->qual != AUTHSCORE_RES_PASS && t->qual != AUTHSCORE_RES_FAIL &&
                t->qual != AUTHSCORE_RES_SOFTFAIL && t->qual != AUTHSCORE_RES_NEUTRAL)
                abort();
            if (t->spec.len)
                macro(t->spec.p, t->spec.len, AS_SPF_MACRO_DOMAIN);
        }
        in_input(rec.redirect);
        in_input(rec.redirect_text);
        in_input(rec.exp);
    } else if (rc == AUTHSCORE_EPARSE) {
        in_input(err.term);
        if (!err.why)
            abort();
    }
    as_arena_free(&a);
    if (rc == 0)
        evaluate(p, size);
    /* the raw input as a domain-spec, an explain-string, a macro-string */
    macro(p, size, AS_SPF_MACRO_DOMAIN);
    macro(p, size, AS_SPF_MACRO_EXPLAIN);
    macro(p, size, AS_SPF_MACRO_STRING);
    return 0;
}
