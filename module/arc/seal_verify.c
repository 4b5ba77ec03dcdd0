/* seal_verify.c - one ARC-Seal against its key (see seal_verify.h). */
#include "arc/seal_verify.h"

#include <authscore.h>
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/key_answer.h"

static void hash_sink(void *arg, const char *p, size_t n)
{
    as_crypto_hash_update(arg, p, n);
}

/* One whole field, relaxed (RFC 6376 3.4.2), with its CRLF. */
static void put_field(as_canon_out *out, const as_header_field *f)
{
    as_hcanon hc;
    as_hcanon_init(&hc, AS_CANON_RELAXED, out);
    size_t len = (size_t)(f->value_raw.p + f->value_raw.len - f->raw.p);
    as_hcanon_feed(&hc, f->raw.p, len);
    as_hcanon_end(&hc, 1);
}

/* The seal's digest into dig; 0 when the hash could not be made. */
static size_t seal_digest(const as_arc_fields *sets, size_t k, const as_arc_seal *seal,
                          unsigned char *dig)
{
    as_crypto_hash *h = as_crypto_hash_new(seal->md);
    if (!h)
        return 0;
    as_canon_out out;
    as_canon_out_init(&out, hash_sink, h);
    for (size_t j = 0; j < k; j++) {
        put_field(&out, sets[j].aar);
        put_field(&out, sets[j].ams);
        if (j + 1 < k)
            put_field(&out, sets[j].as);
    }
    as_hcanon hc;
    as_hcanon_init(&hc, AS_CANON_RELAXED, &out);
    as_hcanon_feed(&hc, seal->pre, seal->pre_len);
    as_hcanon_feed(&hc, seal->post, seal->post_len);
    as_hcanon_end(&hc, 0);
    as_canon_out_flush(&out);
    size_t n = as_crypto_hash_final(h, dig);
    as_crypto_hash_free(h);
    return n;
}

const char *as_arc_seal_verify(as_dkim_keycache *cache, const as_arc_fields *sets,
                               size_t k, const as_arc_seal *seal,
                               const as_dns_answer *ans, int *result, int *key_bits)
{
    *key_bits = 0;
    const char *why = as_dkim_key_answer_status(ans, result);
    if (why)
        return why;
    as_dkim_keyrec kr;
    if ((why = as_dkim_key_pick(cache, ans, &kr, result)) != NULL)
        return why;
    *key_bits = kr.bits;
    why = as_dkim_key_judge(&kr, seal->keytype, seal->md, result);
    if (!why && as_dkim_key_too_small(&kr)) {
        *result = AUTHSCORE_RES_FAIL;
        why = "key_too_small";
    }
    if (!why) {
        unsigned char dig[AS_CRYPTO_MAX_DIGEST];
        size_t dl = seal_digest(sets, k, seal, dig);
        int ok = dl ? as_crypto_verify(kr.key, seal->md, dig, dl, seal->b, seal->blen) : -1;
        *result = ok > 0 ? AUTHSCORE_RES_PASS
                  : ok == 0 ? AUTHSCORE_RES_FAIL : AUTHSCORE_RES_TEMPERROR;
        why = ok > 0 ? "ok" : ok == 0 ? "signature_mismatch" : "no_memory";
    }
    as_dkim_keyrec_clear(&kr);
    return why;
}
