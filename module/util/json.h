/* json.h - a small bounded JSON writer (RFC 8259) into a util/buf.h buffer.
 *
 * Own code, not a library: Debian's libjansson and json-c build a heap
 * tree per value; the module writes one object per message straight into
 * a capped buffer (its cap is the buffer's max), with the escaping of
 * util/json_esc.h and numbers from util/num.h (locale-free).
 *
 * Values are written in order; each takes the key it has inside an object
 * and NULL inside an array or at the top.  Keys are the module's own
 * words (letters, digits, '_'), written as they are; values are escaped.
 * Commas are the writer's.
 * Errors are sticky, like the buffer's: check as_json_finish() once at
 * the end (it also moves the last gathered bytes into the buffer).  Nesting deeper than AS_JSON_MAX_DEPTH, or a close that does
 * not match, is an error, never a crash. */
#ifndef AS_JSON_H
#define AS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Levels of nesting (objects and arrays); the module's objects use 4. */
#define AS_JSON_MAX_DEPTH 16u

typedef struct as_json {
    as_buf *b;
    unsigned depth;
    uint32_t opened; /* bit d: something was written at depth d */
    uint32_t arrays; /* bit d: depth d is an array */
    int err;         /* sticky AUTHSCORE_E* (0: fine) */
    size_t npend;
    char pend[256];  /* bytes not yet in b (as_json_finish moves them) */
} as_json;

void as_json_init(as_json *j, as_buf *b);
void as_json_object_begin(as_json *j, const char *key);
void as_json_object_end(as_json *j);
void as_json_array_begin(as_json *j, const char *key);
void as_json_array_end(as_json *j);
/* A string (p, n), escaped; p NULL gives null. */
void as_json_strn(as_json *j, const char *key, const char *p, size_t n);
/* A NUL-terminated string, or null for NULL. */
void as_json_str(as_json *j, const char *key, const char *s);
void as_json_int(as_json *j, const char *key, int64_t v);
void as_json_bool(as_json *j, const char *key, int v);
void as_json_null(as_json *j, const char *key);
/* A weight or score: up to six decimals, trailing zeros dropped ("1.5",
 * "-0.2", "2"); never NaN or inf (util/num.h). */
void as_json_num(as_json *j, const char *key, double v);
/* Move what is gathered into the buffer and say how it went: 0;
 * AUTHSCORE_ENOMEM or AUTHSCORE_ELIMIT from the buffer; AUTHSCORE_ELIMIT
 * for nesting too deep; AUTHSCORE_EINVAL for unbalanced or keyless use,
 * also while objects are still open.  May be called more than once. */
int as_json_finish(as_json *j);

#endif
