/* der.h - the shape of an RSA public key in DER (RFC 5280 4.1
 * SubjectPublicKeyInfo with rsaEncryption, RFC 8017 A.1.1 RSAPublicKey).
 *
 * OpenSSL 3.0 reports some of its own allocation failures while decoding
 * a key as a decoding error of the data; crypto.c asks this checker
 * whether bytes OpenSSL refused really are malformed before it calls them
 * so (a verdict, cached), rather than a failure of ours (temperror). */
#ifndef AS_DKIM_DER_H
#define AS_DKIM_DER_H

#include <stddef.h>

/* 1 when (p, len) is, in strict DER with nothing after it, either a
 * SubjectPublicKeyInfo whose algorithm is rsaEncryption (parameters NULL
 * or absent) and whose key is an RSAPublicKey, or a bare RSAPublicKey;
 * the modulus and exponent positive and minimally encoded.  0 otherwise. */
int as_der_rsa_pubkey_ok(const unsigned char *p, size_t len);

/* An unsigned big-endian integer inside the DER bytes, without its sign
 * byte (borrowed: valid while the bytes are). */
typedef struct as_der_uint {
    const unsigned char *p;
    size_t len;
} as_der_uint;

typedef struct as_der_rsa {
    as_der_uint n, e;  /* modulus, public exponent */
} as_der_rsa;

/* As as_der_rsa_pubkey_ok, and on 1 the key's modulus and exponent. */
int as_der_rsa_pubkey(const unsigned char *p, size_t len, as_der_rsa *out);

#endif
