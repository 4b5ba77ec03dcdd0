/* ucl.h - a strict parser for the subset of UCL that rule files use.
 *
 * Debian 12 does not package vstakhov's libucl (its libucl-dev is an
 * unrelated compression library), so rule files are read by this parser:
 * the same syntax Rspamd administrators write, minus the parts rule files
 * never need (macros other than .include, heredocs, variables, number
 * suffixes, implicit arrays from repeated keys).
 *
 * Accepted (docs/rules.md):
 *   - comments: '#' to end of line, '/' '*' ... '*' '/' (not nested)
 *   - the top level is an object, with or without surrounding braces
 *   - members: KEY [= | :] VALUE, separated by ';' ',' or newlines;
 *     KEY is a bare word [A-Za-z0-9_.-]+ or a quoted string; before '{'
 *     the '=' or ':' is optional
 *   - values: { object }, [ array ], "double" or 'single' quoted strings,
 *     numbers (decimal, optional sign, fraction, exponent), true/false/
 *     yes/no/on/off, and bare words (taken as strings)
 *   - escapes in double quotes: \" \\ \/ \n \t \r \b \f \uXXXX (UTF-8 out,
 *     no NUL, no lone surrogates)
 *   - .include [(priority=N, try=true)] "path" at the top level only:
 *     returned in `includes`, not followed (the loader reads files)
 * Refused with a line number: duplicate keys in one object, trailing
 * garbage, unterminated strings or comments, control bytes outside
 * strings, NUL anywhere, depth or size beyond the caps below.
 *
 * Pure: no I/O, no globals; every node lives in the caller's arena.
 * ucl_lex.c reads the tokens, ucl_parse.c builds the tree; the tests'
 * canonical dump is tests/score/ucl_dump.h. */
#ifndef AS_UCL_H
#define AS_UCL_H

#include <stddef.h>

#include "util/arena.h"

#define AS_UCL_MAX_INPUT (1u << 20)  /* bytes per file */
#define AS_UCL_MAX_DEPTH 16u         /* nested objects/arrays */
#define AS_UCL_MAX_NODES 65536u      /* values per file */
#define AS_UCL_MAX_STRING 65536u     /* bytes of one string after escapes */
#define AS_UCL_MAX_INCLUDES 64u      /* .include directives per file */
#define AS_UCL_MAX_PRIORITY 15       /* .include(priority=0..15), as Rspamd */

enum as_ucl_type {
    AS_UCL_OBJECT = 0,
    AS_UCL_ARRAY,
    AS_UCL_STRING,
    AS_UCL_NUMBER,
    AS_UCL_BOOL
};

typedef struct as_ucl_node as_ucl_node;
struct as_ucl_node {
    int type;             /* enum as_ucl_type */
    unsigned line;        /* 1-based line where the value starts */
    const char *key;      /* member name (NUL-terminated) or NULL */
    size_t key_len;
    const char *str;      /* STRING: bytes, NUL-terminated, no NUL inside */
    size_t str_len;
    double num;           /* NUMBER */
    int boolean;          /* BOOL: 0 or 1 */
    as_ucl_node **items;  /* OBJECT members in file order / ARRAY elements */
    size_t n_items;
};

typedef struct as_ucl_include {
    const char *path;     /* NUL-terminated, as written */
    int priority;         /* 0 when not given */
    int try_only;         /* try=true: a missing file is not an error */
    unsigned line;
    size_t position;      /* index in root->items where it stood */
} as_ucl_include;

typedef struct as_ucl_doc {
    as_ucl_node *root;    /* always an OBJECT */
    as_ucl_include *includes;
    size_t n_includes;
} as_ucl_doc;

typedef struct as_ucl_error {
    unsigned line;        /* 0 when not about a position */
    char message[160];    /* "unterminated string", ... (no file name) */
} as_ucl_error;

/* Parse p[0..len).  Returns 0 with *out filled, AUTHSCORE_EPARSE or
 * AUTHSCORE_ELIMIT with *err filled, or AUTHSCORE_ENOMEM. */
int as_ucl_parse(as_arena *a, const char *p, size_t len, as_ucl_doc *out,
                 as_ucl_error *err);

/* Member `key` of an OBJECT, or NULL. */
const as_ucl_node *as_ucl_get(const as_ucl_node *obj, const char *key);

#endif
