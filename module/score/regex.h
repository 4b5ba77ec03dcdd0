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
/* KiB of backtracking frames per match (interpreter only; JIT uses its
 * stack).  Far below the message arena's 8 MiB the frames come from, so a
 * hostile subject hits this limit, never the arena (which would refuse
 * the whole message as out of memory). */
#define AS_REGEX_HEAP_LIMIT 1024u

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
/* 1 on a match; 0 on no match (also invalid UTF-8 in a subject under /u,
 * which PCRE2_MATCH_INVALID_UTF makes a plain mismatch); AUTHSCORE_ELIMIT
 * when PCRE2 gave up (match, depth or heap limit, JIT stack, or any other
 * error): the answer is unknown, never "no match"; AUTHSCORE_ENOMEM when
 * PCRE2 ran out of memory.  A pathological subject never hangs. */
int as_regex_match(const as_regex *re, as_regex_scratch *s, const char *p,
                   size_t len);
/* Why the last as_regex_match on `s` returned ELIMIT: "match_limit",
 * "depth_limit", "heap_limit", "jit_stack" or "pcre2_error"; static. */
const char *as_regex_scratch_why(const as_regex_scratch *s);
/* 1 the first time it is called for `re` (in any thread), 0 after: a
 * limit is logged once per regex per rule set, not once per message. */
int as_regex_claim_log(as_regex *re);

#endif
