/* fuzz_ar.c - Authentication-Results writer and reader.
 *
 * 1. The raw input goes to the reader alone: it must return a defined code
 *    and, on success, respect its caps.
 * 2. The input also builds a result set (hostile domains, selectors,
 *    reasons, authserv-id): the writer's output must be free of control
 *    characters, within AS_AR_MAX_HEADER, readable by the reader, and give
 *    back the same method/result sequence (DKIM possibly cut, with the
 *    "(N more" comment), the same reasons and the same property values
 *    (as cleaned: control characters replaced, capped). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/ar_read.h"
#include "score/ar_write.h"
#include "fuzz_check.h"

#define MAX_SIGS 40

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static unsigned u8(in *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

/* A C string of up to ~1 KB from the input (it ends at a NUL, as the
 * engines' strings do); NULL one time in eight. */
static const char *str(in *s, as_arena *a)
{
    unsigned sel = u8(s);
    if ((sel & 7) == 7)
        return NULL;
    size_t len = (size_t)(sel >> 3) * ((sel & 4) ? 32 : 1);
    if (len > s->n)
        len = s->n;
    char *d = as_arena_strndup(a, (const char *)s->p, len);
    s->p += len;
    s->n -= len;
    return d;
}

static void check(int cond)
{
    if (!cond)
        abort();
}

static const char *word(int r)
{
    static const char *w[] = {NULL, "none", "pass", "fail", "softfail", "neutral",
                              "temperror", "permerror", "policy"};
    return r > 0 && r <= AUTHSCORE_RES_POLICY ? w[r] : NULL;
}

/* The cleaned form the header must carry for a C string. */
static void cleaned(as_buf *b, const char *s)
{
    as_buf_reset(b);
    as_ar_clean(b, s, strlen(s), AS_AR_MAX_VALUE);
}

static const as_ar_prop *prop(const as_ar_resinfo *r, const char *t, const char *name)
{
    for (size_t i = 0; i < r->n_props; i++)
        if (!strcmp(r->props[i].ptype, t) && !strcmp(r->props[i].property, name))
            return &r->props[i];
    return NULL;
}

/* A property present in the input must come back as cleaned; a value
 * that starts with '"' may have been a quoted local-part, which the
 * writer re-encodes from its meaning, so only its presence is checked. */
static void check_prop(as_buf *b, const as_ar_resinfo *r, const char *t, const char *name,
                       const char *v)
{
    const as_ar_prop *p = prop(r, t, name);
    if (!v) {
        check(p == NULL);
        return;
    }
    check(p != NULL);
    cleaned(b, v);
    if (b->len && b->p[0] == '"')
        return;
    check(p->value_len == b->len && !memcmp(p->value, b->p ? b->p : "", b->len));
}

static void check_reason(as_buf *b, const as_ar_resinfo *r, int result, const char *reason)
{
    if (result == AUTHSCORE_RES_PASS || !reason || !*reason) {
        check(r->reason == NULL);
        return;
    }
    cleaned(b, reason);
    check(r->reason && strlen(r->reason) == b->len && !memcmp(r->reason, b->p ? b->p : "", b->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_arena a;
    as_arena_init(&a, 32u << 20);

    /* 1. Reader alone. */
    as_ar_parsed rp;
    int rc = as_ar_read(&a, (const char *)data, size, &rp);
    check(rc == 0 || rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ELIMIT);
    check(rp.n_res <= AS_AR_READ_MAX_RESINFOS);
    if (rc == 0) {
        check(rp.authserv_id != NULL && (rp.none || rp.n_res > 0));
        for (size_t i = 0; i < rp.n_res; i++) {
            check(rp.res[i].method && rp.res[i].result);
            check(rp.res[i].n_props <= AS_AR_READ_MAX_PROPS);
        }
    }

    /* 2. Writer -> reader. */
    in s = {data, size};
    unsigned flags = u8(&s);
    as_spf_result spf[2];
    as_dkim_sig_result sig[MAX_SIGS];
    const as_dkim_sig_result *sigp[MAX_SIGS];
    as_dmarc_result dm;
    as_results r;
    memset(&r, 0, sizeof r);
    memset(spf, 0, sizeof spf);
    memset(&dm, 0, sizeof dm);
    const char *authserv = str(&s, &a);
    for (int i = 0; i < 2; i++) {
        if (!(flags & (1u << i)))
            continue;
        spf[i].result = (int)(u8(&s) % 9);
        spf[i].dnssec = (int)(u8(&s) % 4);
        spf[i].identity = str(&s, &a);
        spf[i].domain = str(&s, &a);
        spf[i].reason = str(&s, &a);
        r.spf[i] = &spf[i];
    }
    r.dkim_evaluated = (flags >> 2) & 1;
    if (r.dkim_evaluated) {
        r.n_dkim = u8(&s) % MAX_SIGS;
        for (size_t i = 0; i < r.n_dkim; i++) {
            memset(&sig[i], 0, sizeof sig[i]);
            sig[i].result = (int)(u8(&s) % 9);
            sig[i].dnssec = (int)(u8(&s) % 4);
            sig[i].flags = u8(&s) & 15;
            sig[i].key_bits = (int)(u8(&s) * 64);
            sig[i].d = str(&s, &a);
            sig[i].s = str(&s, &a);
            sig[i].a = str(&s, &a);
            sig[i].reason = str(&s, &a);
            sigp[i] = &sig[i];
        }
        r.dkim = sigp;
    }
    if (flags & 8) {
        dm.result = (int)(u8(&s) % 9);
        dm.dnssec = (int)(u8(&s) % 4);
        dm.policy = (int)(u8(&s) % 4);
        dm.downgraded = (int)(u8(&s) & 1);
        dm.mode = (int)(u8(&s) & 1);
        dm.policy_tag = (flags & 16) ? "sp" : (flags & 32) ? "np" : "p";
        dm.from_domain = str(&s, &a);
        dm.reason = str(&s, &a);
        r.dmarc = &dm;
    }

    const char *out;
    size_t len;
    rc = as_ar_write(&a, authserv, &r, &out, &len);
    if (rc == AUTHSCORE_ENOMEM) {
        as_arena_free(&a);
        return 0;
    }
    check(rc == 0);
    check(len <= AS_AR_MAX_HEADER && strlen(out) == len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        check(c >= 0x20 && c != 0x7f);
    }
    as_ar_parsed p;
    check(as_ar_read(&a, out, len, &p) == 0);

    as_buf b;
    as_buf_init(&b, 4096);
    size_t k = 0;
    for (int i = 0; i < 2; i++) {
        if (!r.spf[i] || !word(spf[i].result))
            continue;
        check(k < p.n_res && !strcmp(p.res[k].method, "spf") &&
              !strcmp(p.res[k].result, word(spf[i].result)));
        check_reason(&b, &p.res[k], spf[i].result, spf[i].reason);
        if (i == 0)
            check_prop(&b, &p.res[k], "smtp", "mailfrom", spf[i].identity);
        else
            check_prop(&b, &p.res[k], "smtp", "helo", spf[i].domain);
        k++;
    }
    if (r.dkim_evaluated && r.n_dkim == 0) {
        check(k < p.n_res && !strcmp(p.res[k].method, "dkim") && !strcmp(p.res[k].result, "none"));
        k++;
    }
    int cut = 0;
    for (size_t i = 0; i < r.n_dkim; i++) {
        if (!word(sig[i].result))
            continue;
        if (cut || k >= p.n_res || strcmp(p.res[k].method, "dkim")) {
            cut = 1; /* dropped for the size cap: never a gap */
            continue;
        }
        check(!strcmp(p.res[k].result, word(sig[i].result)));
        check_reason(&b, &p.res[k], sig[i].result, sig[i].reason);
        check_prop(&b, &p.res[k], "header", "d", sig[i].d);
        check_prop(&b, &p.res[k], "header", "s", sig[i].s);
        check_prop(&b, &p.res[k], "header", "a", sig[i].a);
        k++;
    }
    if (cut)
        check(strstr(out, " more dkim results") != NULL); /* alone or before ", N not evaluated)" */
    if (r.dmarc && word(dm.result)) {
        check(k < p.n_res && !strcmp(p.res[k].method, "dmarc") &&
              !strcmp(p.res[k].result, word(dm.result)));
        check_reason(&b, &p.res[k], dm.result, dm.reason);
        check_prop(&b, &p.res[k], "header", "from", dm.from_domain);
        k++;
    }
    check(k == p.n_res);
    check(p.none == (k == 0));
    as_buf_free(&b);
    as_arena_free(&a);
    return 0;
}
