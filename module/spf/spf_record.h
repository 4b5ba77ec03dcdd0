/* spf_record.h - parser for one "v=spf1" record (RFC 7208 sections 4.5,
 * 4.6, 5, 6, 12).  The result references the input bytes (spans), it
 * copies nothing but the term table, which lives in the arena. */
#ifndef AS_SPF_RECORD_H
#define AS_SPF_RECORD_H

#include <stddef.h>

#include "util/arena.h"
#include "util/span.h"

/* Hard cap on terms in one record.  RFC 7208 sets none; a TXT record of
 * 64 KiB could hold 32k terms, real ones hold under 100.  More is a
 * permerror (documented in docs/spf.md). */
#define AS_SPF_MAX_TERMS 2048u

enum as_spf_mech {
    AS_SPF_ALL = 0,
    AS_SPF_INCLUDE,
    AS_SPF_A,
    AS_SPF_MX,
    AS_SPF_PTR,
    AS_SPF_IP4,
    AS_SPF_IP6,
    AS_SPF_EXISTS
};

typedef struct as_spf_term {
    unsigned char mech;      /* enum as_spf_mech */
    unsigned char qual;      /* enum authscore_result: PASS, FAIL, ... */
    unsigned char cidr4;     /* 0..32 (default 32) */
    unsigned char cidr6;     /* 0..128 (default 128) */
    unsigned macro_flags;    /* AS_SPF_MACRO_* of the domain-spec */
    as_span text;            /* the whole term as written */
    as_span spec;            /* domain-spec, empty = <domain> */
    unsigned char addr[16];  /* ip4 / ip6 network */
} as_spf_term;

typedef struct as_spf_record {
    as_spf_term *terms;      /* mechanisms, in order */
    unsigned nterms;
    int has_redirect, has_exp;
    as_span redirect;        /* domain-spec of redirect= */
    as_span redirect_text;   /* the whole modifier */
    unsigned redirect_flags;
    as_span exp;             /* domain-spec of exp= */
    unsigned exp_flags;
} as_spf_record;

typedef struct as_spf_parse_error {
    as_span term;            /* the offending term (or the whole record) */
    const char *why;         /* static text */
} as_spf_parse_error;

/* Is this TXT string an SPF record: "v=spf1" (any case) then SP or end
 * (RFC 7208 4.5)? */
int as_spf_record_is_spf(const char *p, size_t len);

/* Parse a record that as_spf_record_is_spf accepted.  Returns 0, or
 * AUTHSCORE_EPARSE with *err filled (the record is a permerror), or
 * AUTHSCORE_ENOMEM. */
int as_spf_record_parse(as_arena *a, const char *p, size_t len,
                        as_spf_record *out, as_spf_parse_error *err);

/* Write a printable, bounded copy of untrusted bytes for reason strings:
 * bytes outside 0x20-0x7e become \xHH, the copy is cut at max bytes with
 * "...".  out must hold max + 8 bytes.  Returns out. */
char *as_spf_printable(const char *p, size_t len, char *out, size_t max);

#endif
