/* crypto.c - the only file of libauthscore that includes OpenSSL.
 *
 * Digests are fetched once per process, on first use (an implicit fetch
 * through EVP_sha256() costs a provider lookup on every init in OpenSSL 3).
 * Keys are decoded once and shared: EVP_PKEY is immutable after decoding
 * and OpenSSL 3 allows concurrent verifies with one EVP_PKEY, each with its
 * own context, copied from one the key keeps set up (see as_crypto_key).
 * Failures leave entries on OpenSSL's per-thread error queue; the host
 * (Exim's TLS) shares that queue, so every failure path drains it.  Every
 * failure is sorted into the data's fault (a bad key, a bad signature: a
 * verdict, cacheable) or ours (an allocation or an internal error:
 * AS_CRYPTO_ENOMEM, temperror, never cached); where OpenSSL 3.0 does not
 * tell them apart, see decode_rsa and as_crypto_verify. */
#include "dkim/crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dkim/der.h"

/* Moduli up to 8192 bits (AS_DKIM_RSA_MAX_BITS) are imported from their
 * parts; a larger one takes OpenSSL's decoder, and key.c refuses it. */
#define AS_CRYPTO_RSA_IMPORT_MAX 1024u

struct as_crypto_hash {
    EVP_MD_CTX *ctx;
    int failed;  /* an update failed: the digest would be wrong */
};

struct as_crypto_key {
    EVP_PKEY *pkey;
    /* RSA: a verify context set up once per digest (padding, md) and
     * duplicated for each verify, which saves OpenSSL 3's method fetch and
     * set-up (about 4 us of a 24 us verify).  Published once with a CAS,
     * never changed after: threads only read it. */
    void *rsa_tmpl[2];  /* EVP_PKEY_CTX: [0] sha1, [1] sha256; atomic */
    void *ed_tmpl;      /* EVP_MD_CTX, Ed25519: the same (35 of 155 us) */
    int type;
    int bits;
    int refs;  /* atomic */
};

/* Fetched on first use; a failed fetch (allocation) is retried next time
 * instead of leaving the process without SHA-256 for good. */
static pthread_mutex_t md_mu = PTHREAD_MUTEX_INITIALIZER;
static EVP_MD *md_sha1, *md_sha256;

static const EVP_MD *get_md(int md)
{
    EVP_MD **slot = md == AS_MD_SHA1 ? &md_sha1
                  : md == AS_MD_SHA256 ? &md_sha256 : NULL;
    if (!slot)
        return NULL;
    EVP_MD *m = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (m)
        return m;
    pthread_mutex_lock(&md_mu);
    m = *slot;
    if (!m) {
        m = EVP_MD_fetch(NULL, md == AS_MD_SHA1 ? "SHA1" : "SHA256", NULL);
        if (m)
            __atomic_store_n(slot, m, __ATOMIC_RELEASE);
        else
            ERR_clear_error();
    }
    pthread_mutex_unlock(&md_mu);
    return m;
}

/* Drain the error queue after a failed check; 1 when the failure was
 * ours: an allocation or internal error (OpenSSL marks those reason codes
 * fatal) or a system error. */
static int drain_errors(void)
{
    unsigned long e;
    int ours = 0;
    while ((e = ERR_get_error()) != 0)
        if (ERR_SYSTEM_ERROR(e) || ERR_FATAL_ERROR(e))
            ours = 1;
    return ours;
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
    h->failed = 0;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex2(h->ctx, m, NULL) != 1) {
        ERR_clear_error();
        EVP_MD_CTX_free(h->ctx);
        free(h);
        return NULL;
    }
    return h;
}

void as_crypto_hash_update(as_crypto_hash *h, const void *p, size_t len)
{
    if (len && !h->failed && EVP_DigestUpdate(h->ctx, p, len) != 1) {
        ERR_clear_error();
        h->failed = 1;
    }
}

size_t as_crypto_hash_final(as_crypto_hash *h, unsigned char *out)
{
    unsigned int n = 0;
    if (h->failed || EVP_DigestFinal_ex(h->ctx, out, &n) != 1) {
        ERR_clear_error();
        return 0;
    }
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
    if (!m || EVP_Digest(p, len, out, &n, m, NULL) != 1) {
        ERR_clear_error();
        return 0;
    }
    return n;
}

/* OpenSSL's BN parameters are native-endian: DER's big-endian bytes are
 * copied in that order into out (at least len bytes). */
static void native_order(const as_der_uint *v, unsigned char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    memcpy(out, v->p, v->len);
#else
    for (size_t i = 0; i < v->len; i++)
        out[i] = v->p[v->len - 1 - i];
#endif
}

/* The key from its modulus and exponent, through the provider's import:
 * OpenSSL 3.0's DER decoder (d2i_PUBKEY) sets up a decoder chain for each
 * key, 150 us where this takes 5, and every Exim connection decodes the
 * keys it meets anew.  Returns 0 or AS_CRYPTO_ENOMEM (the parts are
 * well-formed: a failure is ours). */
static int import_rsa(const as_der_rsa *parts, EVP_PKEY **out)
{
    unsigned char n[AS_CRYPTO_RSA_IMPORT_MAX], e[AS_CRYPTO_RSA_IMPORT_MAX];
    native_order(&parts->n, n);
    native_order(&parts->e, e);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n, parts->n.len),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e, parts->e.len),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *k = NULL;
    int ok = c && EVP_PKEY_fromdata_init(c) == 1 &&
             EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(c);
    if (!ok) {
        ERR_clear_error();
        EVP_PKEY_free(k);
        return AS_CRYPTO_ENOMEM;
    }
    *out = k;
    return 0;
}

/* OpenSSL's decoders alone: the key, or NULL when they refuse the bytes
 * (AS_CRYPTO_BAD in *rc when they took it but left bytes over or found
 * another algorithm).  DER decoders advance the pointer; anything left
 * over is a malformed record, not a key with a trailer. */
static EVP_PKEY *openssl_decode_rsa(const unsigned char *der, size_t len, int *rc)
{
    *rc = 0;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    if (k && (p != der + len || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)) {
        EVP_PKEY_free(k);
        *rc = AS_CRYPTO_BAD;
        return NULL;
    }
    if (!k) {
        ERR_clear_error();
        p = der;
        k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
        if (k && p != der + len) {
            EVP_PKEY_free(k);
            *rc = AS_CRYPTO_BAD;
            return NULL;
        }
    }
    if (!k)
        ERR_clear_error();
    return k;
}

/* Returns 0, AS_CRYPTO_BAD or AS_CRYPTO_ENOMEM.  A key der.c reads
 * (every key in strict DER) is imported from its parts; anything else
 * goes to OpenSSL's decoders, and what they accept is the key.  When they
 * refuse, the bytes are bad only if der.c agrees: OpenSSL 3.0 reports
 * some of its own allocation failures as decoding errors (the fault test
 * found them), and a well-formed key it could not build is our failure. */
static int decode_rsa(const unsigned char *der, size_t len, EVP_PKEY **out)
{
    *out = NULL;
    if (len > (size_t)INT32_MAX)
        return AS_CRYPTO_BAD;
    as_der_rsa parts;
    if (as_der_rsa_pubkey(der, len, &parts) &&
        parts.n.len <= AS_CRYPTO_RSA_IMPORT_MAX &&
        parts.e.len <= AS_CRYPTO_RSA_IMPORT_MAX)
        return import_rsa(&parts, out);
    int rc;
    EVP_PKEY *k = openssl_decode_rsa(der, len, &rc);
    if (rc)
        return rc;
    if (!k)
        return as_der_rsa_pubkey_ok(der, len) ? AS_CRYPTO_ENOMEM
                                               : AS_CRYPTO_BAD;
    *out = k;
    return 0;
}

int as_crypto_key_decode(int type, const unsigned char *der, size_t len,
                         as_crypto_key **out)
{
    *out = NULL;
    EVP_PKEY *pk = NULL;
    int bits = 0, rc;
    if (type == AS_KEY_RSA) {
        rc = decode_rsa(der, len, &pk);
        if (rc)
            return rc;
        /* Asks the provider, which may allocate: a decoded key without a
         * size is a failure of ours, not a small key. */
        bits = EVP_PKEY_get_bits(pk);
        if (bits <= 0) {
            ERR_clear_error();
            EVP_PKEY_free(pk);
            return AS_CRYPTO_ENOMEM;
        }
    } else if (type == AS_KEY_ED25519) {
        if (len != 32)
            return AS_CRYPTO_BAD;
        /* Any 32 bytes are an Ed25519 public key to OpenSSL: a failure
         * here is never the data's. */
        pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
        if (!pk) {
            ERR_clear_error();
            return AS_CRYPTO_ENOMEM;
        }
        bits = 256;
    } else {
        return AS_CRYPTO_BAD;
    }
    as_crypto_key *k = malloc(sizeof *k);
    if (!k) {
        EVP_PKEY_free(pk);
        return AS_CRYPTO_ENOMEM;
    }
    k->pkey = pk;
    k->rsa_tmpl[0] = k->rsa_tmpl[1] = NULL;
    k->ed_tmpl = NULL;
    k->type = type;
    k->bits = bits;
    k->refs = 1;
    *out = k;
    return 0;
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
    EVP_PKEY_CTX_free(k->rsa_tmpl[0]);
    EVP_PKEY_CTX_free(k->rsa_tmpl[1]);
    EVP_MD_CTX_free(k->ed_tmpl);
    EVP_PKEY_free(k->pkey);
    free(k);
}

static void free_pkey_ctx(void *c) { EVP_PKEY_CTX_free(c); }
static void free_md_ctx(void *c) { EVP_MD_CTX_free(c); }

/* Publish a template made for an empty slot: the slot's template from
 * then on, or the one another thread published first (t is freed). */
static void *publish(void **slot, void *t, void (*free_t)(void *))
{
    void *none = NULL;
    if (__atomic_compare_exchange_n(slot, &none, t, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return t;
    free_t(t);
    return none;
}

/* The key's verify template for md, made on first use.  NULL: no memory
 * (or OpenSSL failed inside, which is ours too: the key decoded). */
static EVP_PKEY_CTX *rsa_template(const as_crypto_key *k, int md, const EVP_MD *m)
{
    /* A cache inside an immutable key (always malloc'd, never const). */
    void **slot = (void **)&k->rsa_tmpl[md == AS_MD_SHA1 ? 0 : 1];
    EVP_PKEY_CTX *t = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (t)
        return t;
    t = EVP_PKEY_CTX_new(k->pkey, NULL);
    if (!t || EVP_PKEY_verify_init(t) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(t, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(t, m) != 1) {
        ERR_clear_error();
        EVP_PKEY_CTX_free(t);
        return NULL;
    }
    return publish(slot, t, free_pkey_ctx);
}

/* Set-up calls cannot fail for the data (the key decoded, md is known):
 * a failure there is ours.  Only the final check speaks about the
 * signature, and then only when the error queue does not say otherwise. */
static int verify_rsa(const as_crypto_key *k, int md, const unsigned char *dig,
                      size_t diglen, const unsigned char *sig, size_t siglen)
{
    const EVP_MD *m = get_md(md);
    if (!m)
        return AS_CRYPTO_ENOMEM;
    if (diglen != as_crypto_md_len(md))
        return 0;
    EVP_PKEY_CTX *t = rsa_template(k, md, m);
    /* Each verify has its own copy: a context is not for two threads. */
    EVP_PKEY_CTX *c = t ? EVP_PKEY_CTX_dup(t) : NULL;
    if (!c) {
        ERR_clear_error();
        return AS_CRYPTO_ENOMEM;
    }
    int rc;
    if (EVP_PKEY_verify(c, sig, siglen, dig, diglen) == 1)
        rc = 1;
    else
        rc = drain_errors() ? AS_CRYPTO_ENOMEM : 0;
    EVP_PKEY_CTX_free(c);
    return rc;
}

/* The key's Ed25519 verify template, as rsa_template. */
static EVP_MD_CTX *ed25519_template(const as_crypto_key *k)
{
    void **slot = (void **)&k->ed_tmpl;
    EVP_MD_CTX *t = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (t)
        return t;
    t = EVP_MD_CTX_new();
    if (!t || EVP_DigestVerifyInit_ex(t, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1) {
        ERR_clear_error();
        EVP_MD_CTX_free(t);
        return NULL;
    }
    return publish(slot, t, free_md_ctx);
}

static int verify_ed25519(const as_crypto_key *k, const unsigned char *dig,
                          size_t diglen, const unsigned char *sig,
                          size_t siglen)
{
    if (siglen != 64)
        return 0;
    EVP_MD_CTX *t = ed25519_template(k);
    EVP_MD_CTX *c = t ? EVP_MD_CTX_new() : NULL;
    if (!c || EVP_MD_CTX_copy_ex(c, t) != 1) {
        ERR_clear_error();
        EVP_MD_CTX_free(c);
        return AS_CRYPTO_ENOMEM;
    }
    int rc;
    if (EVP_DigestVerify(c, sig, siglen, dig, diglen) == 1)
        rc = 1;
    else
        rc = drain_errors() ? AS_CRYPTO_ENOMEM : 0;
    EVP_MD_CTX_free(c);
    return rc;
}

/* RFC 8032 7.1, TEST 1: a known-good Ed25519 signature of the empty
 * message. */
static const unsigned char ed_test_pub[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
    0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
    0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
static const unsigned char ed_test_sig[64] = {
    0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2,
    0xcc, 0x80, 0x6e, 0x82, 0x8a, 0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5,
    0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55, 0x5f,
    0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70,
    0x1c, 0xf9, 0xb4, 0x6b, 0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe,
    0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b};

/* 1 when OpenSSL verifies a known-good Ed25519 signature right now. */
static int ed25519_works(void)
{
    as_crypto_key k = {NULL, {NULL, NULL}, NULL, AS_KEY_ED25519, 256, 1};
    k.pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, ed_test_pub,
                                         sizeof ed_test_pub);
    if (!k.pkey) {
        ERR_clear_error();
        return 0;
    }
    static const unsigned char empty[1] = {0};
    int ok = verify_ed25519(&k, empty, 0, ed_test_sig, sizeof ed_test_sig) == 1;
    EVP_MD_CTX_free(k.ed_tmpl);
    EVP_PKEY_free(k.pkey);
    return ok;
}

int as_crypto_verify(const as_crypto_key *k, int md, const unsigned char *dig,
                     size_t diglen, const unsigned char *sig, size_t siglen)
{
    if (!k || !sig || !siglen)
        return 0;
    if (k->type == AS_KEY_RSA)
        return verify_rsa(k, md, dig, diglen, sig, siglen);
    if (k->type != AS_KEY_ED25519 || md != AS_MD_SHA256)
        return 0;
    int rc = verify_ed25519(k, dig, diglen, sig, siglen);
    /* OpenSSL 3.0's Ed25519 check answers "bad signature", with nothing
     * on the error queue, when it cannot allocate its own digest context
     * (the fault test found it).  So a bad result is checked again (a
     * passing fault), and stands only if a known-good signature verifies
     * right after (a lasting one).  Only failing signatures pay. */
    if (rc == 0)
        rc = verify_ed25519(k, dig, diglen, sig, siglen);
    if (rc == 0 && !ed25519_works())
        rc = AS_CRYPTO_ENOMEM;
    return rc;
}

/* ---- tests only --------------------------------------------------------- */

static void *route_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return malloc(n);
}

static void *route_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return realloc(p, n);
}

static void route_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

int as_crypto_route_allocations(void)
{
    return CRYPTO_set_mem_functions(route_malloc, route_realloc, route_free);
}

int as_crypto_rsa_decoder_bits(const unsigned char *der, size_t len)
{
    int rc;
    EVP_PKEY *k = len <= (size_t)INT32_MAX ? openssl_decode_rsa(der, len, &rc) : NULL;
    int bits = k ? EVP_PKEY_get_bits(k) : 0;
    EVP_PKEY_free(k);
    ERR_clear_error();
    return bits > 0 ? bits : 0;
}
