/* ucl_lex.h - the tokens of the rule-file UCL subset (grammar in ucl.h):
 * blanks and comments, quoted strings with their escapes, bare words,
 * booleans and numbers, over a (pointer, length) cursor with a sticky
 * first error.  Only the parser (ucl_parse.c) uses it. */
#ifndef AS_UCL_LEX_H
#define AS_UCL_LEX_H

#include <locale.h>
#include <stddef.h>

#include "score/ucl.h"
#include "util/arena.h"

/* The cursor over one input.  The parser reads pos and moves it past
 * punctuation and past words it measured with as_ucl_lex_word_len; line
 * only changes in as_ucl_lex_skip_space, the one place line ends pass. */
typedef struct as_ucl_lex {
    as_arena *a;          /* strings are copied here */
    const char *p;
    size_t len;
    size_t pos;
    unsigned line;        /* 1-based line of pos */
    as_ucl_error *err;
    int failed;           /* the first error is kept, later ones dropped */
    locale_t c_locale;    /* created at the first number */
} as_ucl_lex;

/* Start at the first byte of p[0..len); as_ucl_lex_done frees the rest. */
void as_ucl_lex_init(as_ucl_lex *lx, as_arena *a, const char *p, size_t len,
                     as_ucl_error *err);
void as_ucl_lex_done(as_ucl_lex *lx);

/* ---- errors: every function returns rc, after recording the message ---- */

/* Only our own text and as_ucl_lex_show()n names may reach the format. */
int as_ucl_lex_fail(as_ucl_lex *lx, int rc, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The arena is full (ELIMIT) or malloc failed (ENOMEM). */
int as_ucl_lex_oom(as_ucl_lex *lx);
/* A name for a message: printable ASCII kept, quote and backslash escaped,
 * other bytes as \xNN, cut with "..." (at most 51 bytes and the NUL). */
const char *as_ucl_lex_show(char out[64], const char *k, size_t n);
/* The byte at the cursor, for "found X" messages ("end of input", "'x'"). */
const char *as_ucl_lex_what(char out[24], const as_ucl_lex *lx);

/* ---- bytes ---- */

static inline int as_ucl_lex_is_digit(int c) { return c >= '0' && c <= '9'; }

/* Bare keys: [A-Za-z0-9_.-]. */
static inline int as_ucl_lex_is_key_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           as_ucl_lex_is_digit(c) || c == '_' || c == '.' || c == '-';
}

/* The byte at the cursor (+ off), or -1 past the end. */
static inline int as_ucl_lex_peek_at(const as_ucl_lex *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char)lx->p[lx->pos + off] : -1;
}

static inline int as_ucl_lex_peek(const as_ucl_lex *lx)
{
    return as_ucl_lex_peek_at(lx, 0);
}

/* ---- tokens ---- */

/* Skip spaces, tabs, comments and (when nl is not NULL) line ends, setting
 * *nl when a line end was crossed.  With nl NULL it stops before a line
 * end.  A CR must start a CRLF. */
int as_ucl_lex_skip_space(as_ucl_lex *lx, int *nl);

/* The quoted string at the cursor ('"' or '\''), decoded into the arena,
 * NUL-terminated; the cursor moves past the closing quote. */
int as_ucl_lex_quoted(as_ucl_lex *lx, char **out, size_t *out_len);

/* Length of the bare word at the cursor: key characters when key is set,
 * otherwise value words (which also take '@', '+' and ':'). */
size_t as_ucl_lex_word_len(const as_ucl_lex *lx, int key);

/* Copy the next n bytes (a bare word) into the arena and move past them. */
int as_ucl_lex_copy_word(as_ucl_lex *lx, size_t n, char **out);

/* 1 with *v set when w[0..n) is true/yes/on or false/no/off (any case). */
int as_ucl_lex_bool(const char *w, size_t n, int *v);

/* Whether a bare word is meant as a number: a digit, a sign, or ".5". */
int as_ucl_lex_looks_numeric(const char *w, size_t n);

/* The decimal number w[0..n), finite, read in the C locale whatever the
 * host process set (its decimal point may not be '.'). */
int as_ucl_lex_number(as_ucl_lex *lx, const char *w, size_t n, double *out);

#endif
