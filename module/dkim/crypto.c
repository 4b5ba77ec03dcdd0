/* crypto.c - the only file of libauthscore that includes OpenSSL.
 *
 * Digests are fetched once per process (an implicit fetch through
 * EVP_sha256() costs a provider lookup on every init in OpenSSL 3).
 * Keys are decoded once and shared: EVP_PKEY is immutable after decoding
 * and OpenSSL 3 allows concurrent verifies with one EVP_PKEY, each with its
 * own EVP_PKEY_CTX.  Failures leave entries on OpenSSL's per-thread error
 * queue; the host (Exim's TLS) shares that queue, so every failure path
 * clears it. */
#include "dkim/crypto.h"

#include <pthread.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct as_crypto_hash {
    EVP_MD_CTX *ctx;
};

struct as_crypto_key {
    EVP_PKEY *pkey;
    int type;
    int bits;
    int refs;  /* atomic */
};

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha1, *md_sha256;

static void fetch_digests(void)
{
    md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *get_md(int md)
{
    pthread_once(&md_once, fetch_digests);
    switch (md) {
    case AS_MD_SHA1:
        return md_sha1;
    case AS_MD_SHA256:
        return md_sha256;
    default:
        return NULL;
    }
}

size_t as_crypto_md_len(int md)
{
    return md == AS_MD_SHA1 ? 20u : md == AS_MD_SHA256 ? 32u : 0u;
}

as_crypto_hash *as_crypto_hash_new(int md)
{
    const EVP_MD *m = get_md(md);
    if (!m)
        return NULL;
    as_crypto_hash *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex2(h->ctx, m, NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        free(h);
        return NULL;
    }
    return h;
}

void as_crypto_hash_update(as_crypto_hash *h, const void *p, size_t len)
{
    if (len)
        EVP_DigestUpdate(h->ctx, p, len);
}

size_t as_crypto_hash_final(as_crypto_hash *h, unsigned char *out)
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1)
        return 0;
    return n;
}

void as_crypto_hash_free(as_crypto_hash *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

size_t as_crypto_digest(int md, const void *p, size_t len, unsigned char *out)
{
    const EVP_MD *m = get_md(md);
    unsigned int n = 0;
    if (!m || EVP_Digest(p, len, out, &n, m, NULL) != 1)
        return 0;
    return n;
}

/* DER decoders advance the pointer; anything left over is a malformed
 * record, not a key with a trailer. */
static EVP_PKEY *decode_rsa(const unsigned char *der, size_t len)
{
    if (len > (size_t)INT32_MAX)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    if (k && (p != der + len || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)) {
        EVP_PKEY_free(k);
        return NULL;
    }
    if (k)
        return k;
    p = der;
    k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    if (k && p != der + len) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

as_crypto_key *as_crypto_key_decode(int type, const unsigned char *der,
                                    size_t len)
{
    EVP_PKEY *pk = NULL;
    int bits = 0;
    if (type == AS_KEY_RSA) {
        pk = decode_rsa(der, len);
        if (pk)
            bits = EVP_PKEY_get_bits(pk);
    } else if (type == AS_KEY_ED25519) {
        if (len == 32)
            pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
        bits = 256;
    }
    if (!pk) {
        ERR_clear_error();
        return NULL;
    }
    as_crypto_key *k = malloc(sizeof *k);
    if (!k) {
        EVP_PKEY_free(pk);
        return NULL;
    }
    k->pkey = pk;
    k->type = type;
    k->bits = bits;
    k->refs = 1;
    return k;
}

int as_crypto_key_bits(const as_crypto_key *k) { return k->bits; }
int as_crypto_key_type(const as_crypto_key *k) { return k->type; }

void as_crypto_key_ref(as_crypto_key *k)
{
    __atomic_add_fetch(&k->refs, 1, __ATOMIC_RELAXED);
}

void as_crypto_key_free(as_crypto_key *k)
{
    if (!k)
        return;
    if (__atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

static int verify_rsa(const as_crypto_key *k, int md, const unsigned char *dig,
                      size_t diglen, const unsigned char *sig, size_t siglen)
{
    const EVP_MD *m = get_md(md);
    if (!m || diglen != as_crypto_md_len(md))
        return 0;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
    if (!c)
        return 0;
    int ok = EVP_PKEY_verify_init(c) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(c, m) == 1 &&
             EVP_PKEY_verify(c, sig, siglen, dig, diglen) == 1;
    EVP_PKEY_CTX_free(c);
    if (!ok)
        ERR_clear_error();
    return ok;
}

static int verify_ed25519(const as_crypto_key *k, const unsigned char *dig,
                          size_t diglen, const unsigned char *sig,
                          size_t siglen)
{
    if (siglen != 64)
        return 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return 0;
    int ok = EVP_DigestVerifyInit_ex(c, NULL, NULL, NULL, NULL, k->pkey,
                                     NULL) == 1 &&
             EVP_DigestVerify(c, sig, siglen, dig, diglen) == 1;
    EVP_MD_CTX_free(c);
    if (!ok)
        ERR_clear_error();
    return ok;
}

int as_crypto_verify(const as_crypto_key *k, int md, const unsigned char *dig,
                     size_t diglen, const unsigned char *sig, size_t siglen)
{
    if (!k || !sig || !siglen)
        return 0;
    if (k->type == AS_KEY_RSA)
        return verify_rsa(k, md, dig, diglen, sig, siglen);
    if (k->type == AS_KEY_ED25519)
        return md == AS_MD_SHA256 &&
               verify_ed25519(k, dig, diglen, sig, siglen);
    return 0;
}
