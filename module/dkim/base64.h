/* base64.h - RFC 6376 base64 values (b=, bh=, p=): FWS may appear
 * anywhere and is ignored (section 3.5, "b=" ABNF base64string). */
#ifndef AS_DKIM_BASE64_H
#define AS_DKIM_BASE64_H

#include <stddef.h>

enum { AS_B64_OK = 0, AS_B64_INVALID = -1, AS_B64_TOO_LONG = -2 };

/* Decode (p, len) into out (at most outmax bytes).  SP, TAB, CR and LF
 * are skipped; '=' padding may only end the data, and the data must be a
 * whole number of 4-character groups (as dkimpy and most verifiers demand).
 * Returns AS_B64_OK with *outlen set, AS_B64_INVALID or AS_B64_TOO_LONG
 * (decoding stops as soon as outmax would be passed). */
int as_b64_decode(const char *p, size_t len, unsigned char *out, size_t outmax,
                  size_t *outlen);

#endif
