/* tagvalue.h - RFC 6376 section 3.2 tag=value lists, shared by
 * DKIM-Signature, DKIM key records, DMARC records and ARC.
 *
 *   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  =  ALPHA *ALNUMPUNC   (ALNUMPUNC = ALPHA / DIGIT / "_")
 *   tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]   tval = 1*VALCHAR
 *
 * FWS may contain folds (CRLF or LF followed by WSP).  Values keep their
 * inner whitespace (DKIM b= and h= strip it themselves); leading and
 * trailing FWS is removed.  Tag names are case-sensitive (3.2).
 * Errors: a duplicate tag, an empty tag-spec other than a trailing ';',
 * a missing '=', a bad tag-name, a byte outside VALCHAR/WSP in a value,
 * more than max_tags tags (AUTHSCORE_ELIMIT).
 * Empty input (or FWS only) is a list of zero tags, status 0: the caller
 * decides whether required tags are missing.  On an error the tags parsed
 * before it stay in *out (for diagnostics; the list is not valid).
 * max_tags above AS_TAGLIST_MAX_TAGS is lowered to it. */
#ifndef AS_TAGVALUE_H
#define AS_TAGVALUE_H

#include <stddef.h>

#include "util/arena.h"
#include "util/span.h"

#define AS_TAGLIST_MAX_TAGS 64u

typedef struct as_tag {
    as_span name;
    as_span value;  /* zero-copy view into the input */
} as_tag;

typedef struct as_taglist {
    as_tag *tags;
    size_t count;
} as_taglist;

/* Parse (p, len).  Returns 0, AUTHSCORE_EPARSE (with *err set to static
 * text naming the problem), AUTHSCORE_ELIMIT or AUTHSCORE_ENOMEM.
 * `err` may be NULL.  max_tags 0 means AS_TAGLIST_MAX_TAGS. */
int as_taglist_parse(as_arena *a, const char *p, size_t len, size_t max_tags,
                     as_taglist *out, const char **err);

/* The tag named exactly `name`, or NULL. */
const as_tag *as_taglist_get(const as_taglist *t, const char *name);

#endif
