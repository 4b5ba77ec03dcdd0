/* der.c - a strict DER reader for the two RSA public key forms (der.h):
 * the judge of "the data is bad" when OpenSSL's decoder fails, and the
 * source of n and e for building a key without that decoder (OpenSSL
 * 3.0's d2i_PUBKEY takes 150 us a key, the import 5 us). */
#include "dkim/der.h"

#include <string.h>

enum { T_INTEGER = 0x02, T_BITSTRING = 0x03, T_NULL = 0x05, T_OID = 0x06,
       T_SEQUENCE = 0x30 };

/* rsaEncryption, 1.2.840.113549.1.1.1 */
static const unsigned char rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x01, 0x01};

/* One TLV of the expected tag at *p: definite length, minimally encoded,
 * inside [*p, end).  Sets *v, *vlen and moves *p past it. */
static int tlv(const unsigned char **p, const unsigned char *end, int tag,
               const unsigned char **v, size_t *vlen)
{
    const unsigned char *q = *p;
    if (end - q < 2 || q[0] != tag)
        return 0;
    size_t n = q[1];
    q += 2;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 4 || (size_t)(end - q) < k || q[0] == 0)
            return 0;  /* indefinite, too long, or not minimal */
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | q[i];
        q += k;
        if (n < 0x80)
            return 0;  /* the short form was required */
    }
    if ((size_t)(end - q) < n)
        return 0;
    *v = q;
    *vlen = n;
    *p = q + n;
    return 1;
}

/* A positive INTEGER in minimal two's complement; its magnitude (without
 * the sign byte) in *out. */
static int positive_int(const unsigned char **p, const unsigned char *end,
                        as_der_uint *out)
{
    const unsigned char *v;
    size_t n;
    if (!tlv(p, end, T_INTEGER, &v, &n) || n == 0 || (v[0] & 0x80))
        return 0;
    if (n > 1 && v[0] == 0 && !(v[1] & 0x80))
        return 0;  /* a needless leading zero */
    if (v[0] == 0) {
        v++;
        n--;
    }
    out->p = v;
    out->len = n;
    for (size_t i = 0; i < n; i++)
        if (v[i])
            return 1;
    return 0;  /* zero */
}

static int rsa_public_key(const unsigned char *p, size_t len, as_der_rsa *k)
{
    const unsigned char *end = p + len, *v;
    size_t n;
    if (!tlv(&p, end, T_SEQUENCE, &v, &n) || p != end)
        return 0;
    const unsigned char *q = v, *qe = v + n;
    return positive_int(&q, qe, &k->n) && positive_int(&q, qe, &k->e) && q == qe;
}

static int spki(const unsigned char *p, size_t len, as_der_rsa *k)
{
    const unsigned char *end = p + len, *v, *a, *o, *bits;
    size_t n, an, on, bn;
    if (!tlv(&p, end, T_SEQUENCE, &v, &n) || p != end)
        return 0;
    const unsigned char *q = v, *qe = v + n;
    if (!tlv(&q, qe, T_SEQUENCE, &a, &an))
        return 0;
    const unsigned char *ae = a + an;
    if (!tlv(&a, ae, T_OID, &o, &on) || on != sizeof rsa_oid ||
        memcmp(o, rsa_oid, on) != 0)
        return 0;
    if (a != ae) {
        const unsigned char *nv;
        size_t nn;
        if (!tlv(&a, ae, T_NULL, &nv, &nn) || nn != 0 || a != ae)
            return 0;
    }
    if (!tlv(&q, qe, T_BITSTRING, &bits, &bn) || q != qe || bn < 1 ||
        bits[0] != 0)
        return 0;
    return rsa_public_key(bits + 1, bn - 1, k);
}

int as_der_rsa_pubkey(const unsigned char *p, size_t len, as_der_rsa *out)
{
    return spki(p, len, out) || rsa_public_key(p, len, out);
}

int as_der_rsa_pubkey_ok(const unsigned char *p, size_t len)
{
    as_der_rsa k;
    return as_der_rsa_pubkey(p, len, &k);
}
