/* hindex.h - the header fields of a message indexed by lower-cased name,
 * for DKIM header selection (RFC 6376 5.4.2).
 *
 * A linear search costs h= names times header fields per signature (up to
 * 1,024 x 1,000); with the index, built once per message in
 * O(fields log fields), a signature costs O(h= names x log distinct names
 * + distinct names), whatever the names are. */
#ifndef AS_DKIM_HINDEX_H
#define AS_DKIM_HINDEX_H

#include <stddef.h>

#include "msg/header.h"
#include "util/arena.h"

#define AS_DKIM_HINDEX_NONE ((size_t)-1)

typedef struct as_dkim_hindex as_dkim_hindex;

/* Index hb's fields in `a` (about 40 bytes per field).  NULL when the
 * arena refuses (a->limited tells a cap from a failed malloc). */
as_dkim_hindex *as_dkim_hindex_new(as_arena *a, const as_header_block *hb);

/* Start the selection of one signature: no instance taken yet.  `self` is
 * the index of the DKIM-Signature field being verified, which is never
 * selected (3.7: a signature does not sign itself); AS_DKIM_HINDEX_NONE
 * when there is none. */
void as_dkim_hindex_begin(as_dkim_hindex *x, size_t self);

/* The next instance of the field named (name, len), case-insensitively,
 * from the bottom of the header up, not yet taken since begin(); its index
 * in hb->fields, or AS_DKIM_HINDEX_NONE when none is left (over-signing:
 * the listing signs the null string). */
size_t as_dkim_hindex_take(as_dkim_hindex *x, const char *name, size_t len);

#endif
