/* regex.h - PCRE2 regexes for rule conditions, written "/pattern/flags".
 *
 * Compiled once at load (JIT where the platform has it); matching needs a
 * per-message scratch whose match data lives in the message's arena, so a
 * compiled regex is shared read-only by every thread. */
#ifndef AS_REGEX_H
#define AS_REGEX_H

#include <stddef.h>

#include "util/arena.h"

#define AS_REGEX_MAX_PATTERN 4096u    /* bytes between the slashes */
#define AS_REGEX_MATCH_LIMIT 200000u  /* backtracking steps per match */
#define AS_REGEX_DEPTH_LIMIT 10000u

typedef struct as_regex as_regex;
typedef struct as_regex_scratch as_regex_scratch;

/* Compile spec[0..len): "/pattern/flags", flags from "imsxu" (caseless,
 * multiline, dotall, extended, UTF).  Returns 0, AUTHSCORE_EPARSE with a
 * message such as "missing closing parenthesis at offset 4" in err, or
 * AUTHSCORE_ENOMEM. */
int as_regex_compile(const char *spec, size_t len, as_regex **out, char *err,
                     size_t errcap);
void as_regex_free(as_regex *re);
/* The spec as written, for messages and options. */
const char *as_regex_spec(const as_regex *re);

/* Scratch for one message, from `a`; NULL on ENOMEM. */
as_regex_scratch *as_regex_scratch_new(as_arena *a);
/* 1 on a match, 0 otherwise: no match, a bad UTF-8 subject under /u, or
 * the match limit (a pathological subject never matches, never hangs). */
int as_regex_match(const as_regex *re, as_regex_scratch *s, const char *p,
                   size_t len);

#endif
