/* header.h - RFC 5322 section 2.2 header block parser.
 *
 * One pass over (p, len), no NUL needed.  Returns zero-copy views into the
 * input.  Accepts CRLF and bare LF line ends, obs-fold (continuation lines
 * starting with WSP), 8-bit bytes and a message without a body.
 *
 * Malformed input has a defined result (docs/parsing.md has the table):
 *  - a line without a colon ends the header block there: everything from
 *    that line on is the body (as DKIM verifiers and MTAs treat it), and
 *    status says AUTHSCORE_EPARSE with reason "line without colon";
 *  - a NUL byte inside the header block: parsing stops at that field,
 *    status AUTHSCORE_EPARSE, reason "NUL in header";
 *  - a first line that begins with whitespace: it is a continuation with
 *    nothing to continue; status AUTHSCORE_EPARSE, reason
 *    "continuation line before first field", no fields;
 *  - a cap reached: status AUTHSCORE_ELIMIT, the fields before the cap
 *    are kept;
 *  - a line whose field name is not ftext ("Bad Name: x", ": x") is
 *    treated like a line without colon, reason "bad field name".
 * After a NUL or a cap the end of the block is unknown: body_offset == len
 * and has_body == 0.  A leading-whitespace first line makes the whole
 * input the body (body_offset 0, has_body 1).
 * The fields parsed before any error are always returned. */
#ifndef AS_HEADER_H
#define AS_HEADER_H

#include <stddef.h>

#include "util/arena.h"
#include "util/span.h"

/* Default hard caps (configurable downward: a limit above the default, or
 * 0, means the default). */
#define AS_HEADER_MAX_FIELDS 1000u          /* fields per message */
#define AS_HEADER_MAX_FIELD_BYTES 65536u     /* one field with its folds */
#define AS_HEADER_MAX_BLOCK_BYTES 1048576u   /* the whole header block */

typedef struct as_header_limits {
    size_t max_fields;
    size_t max_field_bytes;
    size_t max_block_bytes;
} as_header_limits;

typedef struct as_header_field {
    as_span name;      /* field name, without trailing WSP before ':' */
    as_span raw;       /* the whole field from its first byte through its
                          final line break (CRLF or LF) inclusive: the
                          exact bytes DKIM "simple" canonicalization needs */
    as_span value_raw; /* after the ':' up to, not including, the final
                          line break; folds kept as they are */
    as_span value;     /* unfolded: each line break of a fold removed
                          (RFC 5322 2.2.3); points into the input when the
                          field is one line, else into the arena */
} as_header_field;

typedef struct as_header_block {
    as_header_field *fields;
    size_t count;
    size_t body_offset; /* first byte of the body; == len when none */
    int has_body;       /* a blank line (or a no-colon line) ended the block */
    int status;         /* 0, AUTHSCORE_EPARSE, AUTHSCORE_ELIMIT, AUTHSCORE_ENOMEM */
    const char *reason; /* static text when status != 0, else NULL */
} as_header_block;

/* Default limits. */
as_header_limits as_header_default_limits(void);
/* The limits a parse with `lim` applies: each nonzero field of lim lowers
 * the default, never raises it; NULL gives the defaults. */
as_header_limits as_header_effective_limits(const as_header_limits *lim);

/* Parse the header block of (p, len).  Always fills *out (fields allocated
 * from `a`).  Returns out->status.  `lim` may be NULL for the defaults. */
int as_header_parse(as_arena *a, const char *p, size_t len,
                    const as_header_limits *lim, as_header_block *out);

/* Index of the first field named `name` (case-insensitive) at or after
 * `from`, or (size_t)-1. */
size_t as_header_find(const as_header_block *h, const char *name, size_t from);

/* Index of the last field named (name, name_len) (case-insensitive, name
 * need not be NUL-terminated) strictly before index `before`, or
 * (size_t)-1.  DKIM (RFC 6376 5.4.2) takes h= instances from the bottom:
 * call with before = h->count, then with the index found. */
size_t as_header_rfind(const as_header_block *h, const char *name,
                       size_t name_len, size_t before);

#endif
