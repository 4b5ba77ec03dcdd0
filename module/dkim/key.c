/* key.c - DKIM key record parser (RFC 6376 3.6.1). */
#include "dkim/key.h"

#include <string.h>

#include <authscore.h>
#include "msg/tagvalue.h"
#include "util/arena.h"
#include "dkim/base64.h"

/* The tag list of a record is small; a private arena keeps the parser
 * independent of any message. */
#define KEY_ARENA_MAX (64u * 1024u)

/* 1 when the colon-separated list v (elements trimmed of FWS) holds word. */
static int list_has(as_span v, const char *word)
{
    size_t i = 0;
    while (i <= v.len) {
        size_t j = i;
        while (j < v.len && v.p[j] != ':')
            j++;
        as_span e = as_span_trim(as_span_make(v.p + i, j - i));
        if (as_span_ieq_cstr(e, word))
            return 1;
        i = j + 1;
    }
    return 0;
}

void as_dkim_keyrec_clear(as_dkim_keyrec *k)
{
    as_crypto_key_free(k->key);
    k->key = NULL;
}

int as_dkim_keyrec_definitive(const as_dkim_keyrec *k)
{
    return !k->reason || (strcmp(k->reason, "no_memory") != 0 &&
                          strcmp(k->reason, "limit") != 0);
}

static void fail(as_dkim_keyrec *out, const char *reason)
{
    out->reason = reason;
}

void as_dkim_key_parse(const char *p, size_t len, as_dkim_keyrec *out,
                       int *decoded)
{
    memset(out, 0, sizeof *out);
    *decoded = 0;
    out->hash_mask = AS_DKIM_KEY_H_SHA1 | AS_DKIM_KEY_H_SHA256;
    if (len > AS_DKIM_MAX_KEY_RECORD) {
        fail(out, "key_syntax");
        return;
    }

    as_arena a;
    as_arena_init(&a, KEY_ARENA_MAX);
    as_taglist tl;
    int rc = as_taglist_parse(&a, p, len, 0, &tl, NULL);
    if (rc == AUTHSCORE_ENOMEM) {
        fail(out, a.limited ? "limit" : "no_memory");
        goto done;
    }
    if (rc != 0) {
        fail(out, "key_syntax");
        goto done;
    }

    /* v= is optional but, when present, must be first and exactly DKIM1. */
    const as_tag *v = as_taglist_get(&tl, "v");
    if (v && (v != &tl.tags[0] || v->value.len != 5 ||
              memcmp(v->value.p, "DKIM1", 5) != 0)) {
        fail(out, "key_syntax");
        goto done;
    }

    const as_tag *k = as_taglist_get(&tl, "k");
    if (!k || as_span_ieq_cstr(k->value, "rsa"))
        out->type = AS_KEY_RSA;
    else if (as_span_ieq_cstr(k->value, "ed25519"))
        out->type = AS_KEY_ED25519;

    const as_tag *h = as_taglist_get(&tl, "h");
    if (h) {
        /* Unknown hash names are ignored (3.6.1). */
        out->hash_mask = 0;
        if (list_has(h->value, "sha1"))
            out->hash_mask |= AS_DKIM_KEY_H_SHA1;
        if (list_has(h->value, "sha256"))
            out->hash_mask |= AS_DKIM_KEY_H_SHA256;
    }

    const as_tag *s = as_taglist_get(&tl, "s");
    if (s && !list_has(s->value, "*") && !list_has(s->value, "email")) {
        fail(out, "key_service");
        goto done;
    }

    const as_tag *t = as_taglist_get(&tl, "t");
    if (t) {
        out->testing = list_has(t->value, "y");
        out->strict = list_has(t->value, "s");
    }

    const as_tag *pk = as_taglist_get(&tl, "p");
    if (!pk) {
        fail(out, "key_syntax");
        goto done;
    }
    if (!out->type) {
        fail(out, "key_unknown_type");
        goto done;
    }
    as_span pv = as_span_trim(pk->value);
    if (pv.len == 0) {
        fail(out, "key_revoked");
        goto done;
    }
    unsigned char *der = as_arena_alloc(&a, AS_DKIM_MAX_KEY_DER);
    if (!der) {
        fail(out, a.limited ? "limit" : "no_memory");
        goto done;
    }
    size_t dlen;
    rc = as_b64_decode(pv.p, pv.len, der, AS_DKIM_MAX_KEY_DER, &dlen);
    if (rc == AS_B64_TOO_LONG) {
        fail(out, "key_too_large");
        goto done;
    }
    if (rc != AS_B64_OK || dlen == 0) {
        fail(out, "key_syntax");
        goto done;
    }
    *decoded = 1;
    /* Only bytes the decoder rejects are a syntax error of the record; a
     * decoder that failed on its own (memory) says nothing about them. */
    rc = as_crypto_key_decode(out->type, der, dlen, &out->key);
    if (rc == AS_CRYPTO_ENOMEM) {
        fail(out, "no_memory");
        goto done;
    }
    if (rc) {
        fail(out, "key_syntax");
        goto done;
    }
    out->bits = as_crypto_key_bits(out->key);
    if (out->type == AS_KEY_RSA && out->bits > AS_DKIM_RSA_MAX_BITS) {
        as_dkim_keyrec_clear(out);
        fail(out, "key_too_large");
    }
done:
    as_arena_free(&a);
}
