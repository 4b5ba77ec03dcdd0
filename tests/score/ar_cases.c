/* ar_cases.c - print A-R field values for a set of constructed results,
 * one JSON object per line: {"name", "value", "authserv_id", "expect":
 * [{"method", "result", "reason", "props": [[ptype, property, value]]}]}.
 * check_authres.py parses each value with Debian's python3-authres and
 * compares it with "expect", which is derived here from the INPUT (not
 * from our reader).  Cases stay inside what authres's grammar handles
 * (ASCII; a quoted pvalue only as the last property). */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "score/ar_write.h"
#include "util/buf.h"

static as_arena A;

static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* The value as the header carries it: cleaned and capped. */
static const char *cleaned(const char *s)
{
    as_buf b;
    as_buf_init(&b, 4096);
    as_ar_clean(&b, s, strlen(s), AS_AR_MAX_VALUE);
    const char *r = as_arena_strndup(&A, b.p ? b.p : "", b.len);
    as_buf_free(&b);
    return r;
}

static const char *word(int r)
{
    static const char *w[] = {NULL, "none", "pass", "fail", "softfail", "neutral",
                              "temperror", "permerror", "policy"};
    return r > 0 && r <= AUTHSCORE_RES_POLICY ? w[r] : NULL;
}

static int first;
static void begin_res(const char *method, int result, const char *reason)
{
    printf("%s{\"method\":\"%s\",\"result\":\"%s\",\"reason\":", first ? "" : ",", method,
           word(result));
    first = 0;
    if (reason && result != AUTHSCORE_RES_PASS)
        json_str(cleaned(reason));
    else
        printf("null");
    printf(",\"props\":[");
}

static int pfirst;
static void prop(const char *t, const char *p, const char *v)
{
    if (!v)
        return;
    printf("%s[\"%s\",\"%s\",", pfirst ? "" : ",", t, p);
    pfirst = 0;
    json_str(cleaned(v));
    putchar(']');
}

static const char *policy_word(int p)
{
    static const char *w[] = {NULL, "none", "quarantine", "reject"};
    return p > 0 && p <= 3 ? w[p] : NULL;
}

static void emit(const char *name, const char *id, fx *f)
{
    const char *v;
    if (as_ar_write(&A, id, &f->r, &v, NULL) != 0) {
        fprintf(stderr, "%s: write failed\n", name);
        return;
    }
    printf("{\"name\":\"%s\",\"authserv_id\":", name);
    json_str(id);
    printf(",\"value\":");
    json_str(v);
    printf(",\"expect\":[");
    first = 1;
    for (int i = 0; i < 2; i++) {
        const as_spf_result *s = f->r.spf[i];
        if (!s || !word(s->result))
            continue;
        begin_res("spf", s->result, s->reason);
        pfirst = 1;
        prop("smtp", i ? "helo" : "mailfrom", i ? s->domain : s->identity);
        printf("]}");
    }
    if (f->r.dkim_evaluated && !f->r.n_dkim) {
        begin_res("dkim", AUTHSCORE_RES_NONE, NULL);
        printf("]}");
    }
    for (size_t i = 0; i < f->r.n_dkim; i++) {
        const as_dkim_sig_result *g = f->r.dkim[i];
        if (!word(g->result))
            continue;
        begin_res("dkim", g->result, g->reason);
        pfirst = 1;
        prop("header", "d", g->d);
        prop("header", "s", g->s);
        prop("header", "a", g->a);
        printf("]}");
    }
    const as_dmarc_result *d = f->r.dmarc;
    if (d && word(d->result)) {
        begin_res("dmarc", d->result, d->reason);
        pfirst = 1;
        prop("header", "from", d->from_domain);
        int applied = d->policy - (d->downgraded && d->policy > 1);
        prop("policy", "dmarc", policy_word(applied));
        printf("]}");
    }
    printf("]}\n");
}

int main(void)
{
    as_arena_init(&A, 64u << 20);
    fx f;
    static const int spf_words[] = {AUTHSCORE_RES_PASS, AUTHSCORE_RES_FAIL, AUTHSCORE_RES_SOFTFAIL,
                                    AUTHSCORE_RES_NEUTRAL, AUTHSCORE_RES_NONE,
                                    AUTHSCORE_RES_TEMPERROR, AUTHSCORE_RES_PERMERROR};
    static const int dkim_words[] = {AUTHSCORE_RES_PASS, AUTHSCORE_RES_FAIL,
                                     AUTHSCORE_RES_TEMPERROR, AUTHSCORE_RES_PERMERROR};
    static const int dmarc_words[] = {AUTHSCORE_RES_PASS, AUTHSCORE_RES_FAIL, AUTHSCORE_RES_NONE,
                                      AUTHSCORE_RES_TEMPERROR, AUTHSCORE_RES_PERMERROR};
    static const int dnssec[] = {AUTHSCORE_DNSSEC_INDETERMINATE, AUTHSCORE_DNSSEC_INSECURE,
                                 AUTHSCORE_DNSSEC_SECURE, AUTHSCORE_DNSSEC_BOGUS};

    fx_init(&f);
    emit("none", "mx.example.org", &f);

    /* Every combination of SPF x DKIM x DMARC result words. */
    char name[64];
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t k = 0; k < 5; k++) {
                fx_init(&f);
                as_spf_result *s = fx_spf(&f, 0, spf_words[i], "alice@good.example",
                                          "good.example", dnssec[(i + j) % 4]);
                s->reason = "matched -all in good.example";
                fx_spf(&f, 1, spf_words[(i + 3) % 7], "postmaster@mx.good.example",
                       "mx.good.example", dnssec[k % 4])->reason = "helo check";
                as_dkim_sig_result *g = fx_sig(&f, dkim_words[j], "good.example", "sel2026",
                                               "rsa-sha256", "body_hash_mismatch");
                g->key_bits = j ? 1024 : 2048;
                g->dnssec = dnssec[(j + k) % 4];
                g->flags = (unsigned)(i % 3 == 0 ? AUTHSCORE_DKIM_WEAK_ALGORITHM : 0);
                as_dmarc_result *d = fx_dmarc(&f, dmarc_words[k], "good.example",
                                              (int)(k % 4), (int)(j % 4), "unaligned");
                d->dnssec = dnssec[i % 4];
                d->downgraded = (int)(i & 1);
                d->policy_tag = k & 1 ? "sp" : "p";
                snprintf(name, sizeof name, "combo-%zu-%zu-%zu", i, j, k);
                emit(name, "mx.receiver.example", &f);
            }

    fx_init(&f);
    f.r.dkim_evaluated = 1;
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "postmaster@mx.example.com", "mx.example.com", 0);
    emit("null-mail-from-no-dkim", "mx.example.org", &f);

    fx_init(&f);
    for (int i = 0; i < 5; i++)
        fx_sig(&f, dkim_words[i % 4], i & 1 ? "a.example" : "b.example", "s", "ed25519-sha256",
               "signature_mismatch");
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "a.example", 2, 1, "aligned_dkim");
    emit("several-signatures", "mx.example.org", &f);

    /* Hostile values authres can still read. */
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_FAIL, "a\"b\\c;d(e)f@example.com", "example.com", 0)->reason =
        "bad \"term\" \\ ; (x) ) (";
    emit("hostile-local-part-and-reason", "mx.example.org", &f);

    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_TEMPERROR, "x@example.com", "example.com", 0)->reason =
        "dns\r\nX-Injected: yes; dkim=pass";
    fx_dmarc(&f, AUTHSCORE_RES_TEMPERROR, "evil\r\n.example; spf=pass", 0, 0, "dns_error");
    emit("crlf-injection", "mx.example.org", &f);

    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PERMERROR, "user name@example.com", "example.com", 0)->reason =
        "term 'a:%{z}' is invalid";
    emit("space-in-local-part", "mx.example.org", &f);

    fx_init(&f);
    static char big[10241];
    memset(big, 'q', sizeof big - 1);
    fx_spf(&f, 0, AUTHSCORE_RES_FAIL, big, "example.com", 0)->reason = big;
    emit("ten-kilobytes", "mx.example.org", &f);

    as_arena_free(&A);
    return 0;
}
