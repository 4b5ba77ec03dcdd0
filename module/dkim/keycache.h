/* keycache.h - the decoded-key cache of an authscore_ctx.
 *
 * Keyed by the exact key record bytes (hashed, then compared in full, so
 * a hash collision can never hand out the wrong key).  Parse results that
 * carry no key (revoked, syntax errors) are cached too, but never our own
 * failures (no_memory, limit: as_dkim_keyrec_definitive).  Bounded: the
 * least recently used entry goes first.  One mutex guards the table; keys
 * are decoded outside it, so threads never queue behind a decode. */
#ifndef AS_DKIM_KEYCACHE_H
#define AS_DKIM_KEYCACHE_H

#include "dkim/dkim.h"
#include "dkim/key.h"

/* Fill *out with the parsed record, holding its own reference to the key
 * (release with as_dkim_keyrec_clear).  c may be NULL: parse uncached. */
void as_dkim_keycache_get(as_dkim_keycache *c, const char *rec, size_t len,
                          as_dkim_keyrec *out);

#endif
