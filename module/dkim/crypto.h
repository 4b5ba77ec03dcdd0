/* crypto.h - the DKIM engine's whole view of the crypto library.
 *
 * crypto.c is the only file of the module that includes OpenSSL (brief,
 * DESIGN.md).  Everything here is thread-safe: digests are fetched once per
 * process, decoded keys are immutable and reference-counted, so one key may
 * verify in several threads at once.
 *
 * No object returned here outlives the call that uses it unless the caller
 * owns it explicitly (keys: as_crypto_key_free / as_crypto_key_ref). */
#ifndef AS_DKIM_CRYPTO_H
#define AS_DKIM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define AS_CRYPTO_MAX_DIGEST 32u  /* SHA-256 */

enum as_crypto_md { AS_MD_SHA1 = 1, AS_MD_SHA256 = 2 };
enum as_crypto_keytype { AS_KEY_RSA = 1, AS_KEY_ED25519 = 2 };

/* Incremental hash.  The struct is opaque; create/free per use. */
typedef struct as_crypto_hash as_crypto_hash;

/* NULL on allocation failure or an unknown md.  A failed update is
 * remembered: final() then returns 0. */
as_crypto_hash *as_crypto_hash_new(int md);
void as_crypto_hash_update(as_crypto_hash *h, const void *p, size_t len);
/* Writes the digest into out (AS_CRYPTO_MAX_DIGEST bytes), returns its
 * length or 0 on failure.  The hash can not be updated afterwards. */
size_t as_crypto_hash_final(as_crypto_hash *h, unsigned char *out);
void as_crypto_hash_free(as_crypto_hash *h);
/* Digest length of md (20 or 32), 0 if unknown. */
size_t as_crypto_md_len(int md);
/* One-shot digest; returns the length or 0. */
size_t as_crypto_digest(int md, const void *p, size_t len, unsigned char *out);

/* A decoded public key. */
typedef struct as_crypto_key as_crypto_key;

/* Results of key decoding and verification that are not the data's
 * fault: an allocation (ours or OpenSSL's) or an internal error of the
 * crypto library.  Never cached, never a verdict (temperror no_memory). */
#define AS_CRYPTO_ENOMEM (-2)
#define AS_CRYPTO_BAD (-1)   /* the data is not a key */

/* Decode the p= bytes (already base64-decoded) of a key of `type`:
 * RSA as SubjectPublicKeyInfo or, failing that, a PKCS#1 RSAPublicKey;
 * Ed25519 as the raw 32-byte key (RFC 8463 section 4.2).  Trailing bytes
 * after the DER structure are rejected.  Returns 0 with *out set,
 * AS_CRYPTO_BAD for malformed data, AS_CRYPTO_ENOMEM when the decoder
 * failed for a reason of its own (allocation, internal error: fatal codes
 * on OpenSSL's error queue, or a failure that left no reason at all,
 * which OpenSSL's decoders never do for bad data). */
int as_crypto_key_decode(int type, const unsigned char *der, size_t len,
                         as_crypto_key **out);
/* Modulus bits for RSA, 256 for Ed25519. */
int as_crypto_key_bits(const as_crypto_key *k);
int as_crypto_key_type(const as_crypto_key *k);
/* Take one more reference (thread-safe). */
void as_crypto_key_ref(as_crypto_key *k);
/* Drop a reference; the last one frees.  NULL is allowed. */
void as_crypto_key_free(as_crypto_key *k);

/* Verify `sig` over a message digest:
 *  RSA: PKCS#1 v1.5 signature of the digest `dig` made with md;
 *  Ed25519: the signature is over the bytes of `dig` themselves (RFC 8463
 *  section 3: Ed25519 signs the SHA-256 hash of the header data).
 * Returns 1 when valid, 0 when not (including malformed signatures),
 * AS_CRYPTO_ENOMEM when the check itself could not be done (allocation,
 * internal error): then nothing is known about the signature. */
int as_crypto_verify(const as_crypto_key *k, int md, const unsigned char *dig,
                     size_t diglen, const unsigned char *sig, size_t siglen);

/* Tests only: route OpenSSL's own allocations through this library's
 * malloc/realloc/free (so a test that wraps malloc can fail them too).
 * Must run before OpenSSL allocates anything; returns 1 when installed,
 * 0 when it is too late.  A library inside a host never calls it: the
 * allocator of the process belongs to the host. */
int as_crypto_route_allocations(void);

/* Tests only: the size in bits of the RSA key OpenSSL's own decoders
 * (d2i_PUBKEY, then d2i_PublicKey) make of der, 0 when they refuse it;
 * as_crypto_key_decode imports the keys der.c reads without them. */
int as_crypto_rsa_decoder_bits(const unsigned char *der, size_t len);

#endif
