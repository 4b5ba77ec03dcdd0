/* record.h - DMARC policy record parser (RFC 9989 section 4.7 and 4.8,
 * RFC 7489 section 6.3 for pct/rf/ri).
 *
 * The record is a tag=value list (RFC 6376 3.2 syntax).  RFC 9989 4.8
 * says syntax errors in the remainder of the record are discarded in
 * favour of defaults, so the list is split on ';' (a dmarc-value never
 * holds one) and each tag-spec is parsed on its own with
 * as_taglist_parse(): a broken tag-spec costs only that tag.
 *
 * Tag names and keyword values are ABNF literals, hence case-insensitive
 * (RFC 5234 2.3); only the version value is case-sensitive (%s"DMARC1"). */
#ifndef AS_DMARC_RECORD_H
#define AS_DMARC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/span.h"

/* Tag-specs looked at per record; the rest is ignored.  The registry of
 * RFC 9989 9.3 has 14 tags, so 64 leaves ample room for unknown ones. */
#define AS_DMARC_MAX_TAGS 64u

enum as_dmarc_psd { AS_DMARC_PSD_U = 0, AS_DMARC_PSD_Y = 1, AS_DMARC_PSD_N = 2 };

/* Validity of a policy tag: absent, valid or present with a bad value. */
enum as_dmarc_tagstate { AS_DMARC_TAG_ABSENT = 0, AS_DMARC_TAG_VALID = 1,
                         AS_DMARC_TAG_INVALID = 2 };

typedef struct as_dmarc_record {
    /* p, sp, np: enum authscore_dmarc_policy, UNSET unless state VALID. */
    int p, sp, np;
    int p_state, sp_state, np_state;   /* enum as_dmarc_tagstate */
    int psd;                           /* enum as_dmarc_psd */
    int testing;                       /* t=y (RFC 9989) */
    int adkim_strict, aspf_strict;     /* adkim=s, aspf=s */
    int pct;                           /* 0..100; 100 when absent/invalid */
    int pct_present;                   /* a valid pct tag was given */
    uint32_t ri;                       /* RFC 7489 ri=, 86400 by default */
    as_span fo;                        /* validated dmarc-fo, or "0" */
    as_span rf;                        /* RFC 7489 rf=, or "afrf" */
    as_span rua, ruf;                  /* raw URI lists (len 0: absent) */
    int rua_valid;                     /* rua holds >= 1 valid URI */
    unsigned ignored;                  /* tag-specs dropped (bad syntax,
                                          duplicates, past the cap) */
} as_dmarc_record;

/* Parse one TXT record.  Returns 1 and fills *out when the record is a
 * DMARC record (its first tag-spec is v=DMARC1), 0 when it is not (then
 * *out holds defaults), AUTHSCORE_ENOMEM on allocation failure.  Spans
 * point into (p, len). */
int as_dmarc_record_parse(as_arena *a, const char *p, size_t len,
                          as_dmarc_record *out);

/* Quick test used to count DMARC records at one name: does the record
 * start with the v=DMARC1 tag-spec?  No allocation. */
int as_dmarc_record_is_dmarc(const char *p, size_t len);

/* RFC 3986 scheme ":" rest, with the obsolete "!size" suffix allowed
 * (RFC 9989 4.8 obs-dmarc-uri); exposed for tests. */
int as_dmarc_uri_valid(const char *p, size_t len);

#endif
