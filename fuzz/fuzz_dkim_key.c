/* fuzz_dkim_key.c - libFuzzer target for the DKIM key record parser and
 * the decoded-key cache.  Invariants: a usable record has a key of a known
 * type and sane size and vice versa; every refusal is a documented reason;
 * parsing is deterministic; the cache gives the same answer as a direct
 * parse and decodes a record at most once. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dkim/keycache.h"
#include "fuzz_check.h"

static const char *const reasons[] = {
    "key_syntax", "key_revoked", "key_unknown_type", "key_service",
    "key_too_large", "no_memory",
};

static as_dkim_keycache *cache;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    if (!cache)
        cache = as_dkim_keycache_new(64);
    as_dkim_keyrec k, k2, c1, c2;
    int dec, dec2;
    as_dkim_key_parse(p, size, &k, &dec);
    as_dkim_key_parse(p, size, &k2, &dec2);

    CHECK((k.reason == NULL) == (k.key != NULL));
    if (k.reason) {
        int known = 0;
        for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
            known |= strcmp(k.reason, reasons[i]) == 0;
        CHECK(known);
    } else {
        CHECK(k.type == AS_KEY_RSA || k.type == AS_KEY_ED25519);
        CHECK(as_crypto_key_type(k.key) == k.type);
        CHECK(k.bits == as_crypto_key_bits(k.key));
        if (k.type == AS_KEY_ED25519)
            CHECK(k.bits == 256);
        else
            CHECK(k.bits > 0 && k.bits <= AS_DKIM_RSA_MAX_BITS);
        CHECK(dec);
    }
    CHECK(dec == dec2 && k.bits == k2.bits && k.type == k2.type &&
          k.hash_mask == k2.hash_mask && k.testing == k2.testing &&
          k.strict == k2.strict);
    CHECK((k.reason == NULL) == (k2.reason == NULL));
    CHECK(!k.reason || strcmp(k.reason, k2.reason) == 0);

    as_dkim_keycache_stats before, after;
    as_dkim_keycache_get_stats(cache, &before);
    as_dkim_keycache_get(cache, p, size, &c1);
    as_dkim_keycache_get(cache, p, size, &c2);
    as_dkim_keycache_get_stats(cache, &after);
    CHECK(after.decodes - before.decodes <= 1);
    CHECK(c1.key == c2.key);
    CHECK((c1.reason == NULL) == (k.reason == NULL) && c1.bits == k.bits);

    as_dkim_keyrec_clear(&c1);
    as_dkim_keyrec_clear(&c2);
    as_dkim_keyrec_clear(&k);
    as_dkim_keyrec_clear(&k2);
    return 0;
}
