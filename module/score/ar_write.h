/* ar_write.h - the Authentication-Results field value (RFC 8601).
 *
 * Writes only the field VALUE: no "Authentication-Results:" name, no CRLF,
 * no folding (the host folds).  Every string that came from the message or
 * DNS is hostile: control characters are replaced, values are capped and
 * quoted where they are not tokens.  docs/authentication-results.md. */
#ifndef AS_AR_WRITE_H
#define AS_AR_WRITE_H

#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "score/results.h"

/* Bytes of one value (domain, local-part@domain, reason, authserv-id)
 * before quoting; longer ones are cut at a UTF-8 boundary.  Ours: a domain
 * is at most 253 (RFC 1035), a mailbox at most 254 (RFC 5321 4.5.3.1). */
#define AS_AR_MAX_VALUE 256u
/* Bytes of the whole field value.  Trailing DKIM results are dropped (with
 * an "(N more dkim results)" comment) to stay within it.  RFC 5322 2.1.1
 * sets no limit on a folded field; 8 KiB keeps every host's buffer safe. */
#define AS_AR_MAX_HEADER 8192u

/* Write the field value for `r` into *out (NUL-terminated, in `a`).
 * `authserv_id` NULL or empty gives "localhost".  Returns 0 or
 * AUTHSCORE_ENOMEM. */
int as_ar_write(as_arena *a, const char *authserv_id, const as_results *r,
                const char **out, size_t *out_len);

/* Sanitize a hostile string for the header: HTAB becomes a space, other
 * control characters (C0, DEL) and bytes that are not valid UTF-8 become
 * '?', and the result is cut to `max` bytes at a character boundary.
 * Appends to `b`.  Exposed for tests and the fuzz target. */
void as_ar_clean(as_buf *b, const char *p, size_t len, size_t max);
/* The same into dst[cap] (cap <= AS_AR_MAX_VALUE is not required); returns
 * the length written (no NUL added). */
size_t as_ar_clean_to(char *dst, size_t cap, const char *p, size_t len);

/* The authserv-id used when none is configured: the host name
 * (gethostname, read once per process), or "localhost". */
const char *as_ar_default_authserv_id(void);

#endif
