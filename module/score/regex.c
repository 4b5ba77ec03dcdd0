/* regex.c - the only file that includes pcre2.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "score/regex.h"

#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>

struct as_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
    char *spec;
    atomic_int limit_logged; /* the one mutable field: see claim_log */
};

struct as_regex_scratch {
    pcre2_general_context *gctx;
    pcre2_match_data *md;
    const char *why; /* of the last ELIMIT */
};

static int fail(char *err, size_t cap, const char *msg)
{
    snprintf(err, cap, "%s", msg);
    return AUTHSCORE_EPARSE;
}

int as_regex_compile(const char *spec, size_t len, as_regex **out, char *err,
                     size_t errcap)
{
    *out = NULL;
    if (len < 2 || spec[0] != '/')
        return fail(err, errcap, "a regex is written /pattern/flags");
    size_t close = len - 1;
    while (close > 0 && spec[close] != '/')
        close--;
    if (close == 0)
        return fail(err, errcap, "a regex is written /pattern/flags (no closing '/')");
    if (close - 1 > AS_REGEX_MAX_PATTERN)
        return fail(err, errcap, "regex pattern longer than 4096 bytes");
    uint32_t opts = 0;
    for (size_t i = close + 1; i < len; i++) {
        switch (spec[i]) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'u': opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF; break;
        default: {
            char m[64];
            unsigned char c = (unsigned char)spec[i];
            snprintf(m, sizeof m, "unknown regex flag '%c' (flags are imsxu)",
                     c > 0x20 && c < 0x7f ? c : '?');
            return fail(err, errcap, m);
        }
        }
    }
    /* Subjects are hostile bytes: a pattern may not switch on UTF from
     * inside ((*UTF) without /u would make invalid UTF-8 an error), and \C
     * could split a character. */
    if (!(opts & PCRE2_UTF))
        opts |= PCRE2_NEVER_UTF;
    opts |= PCRE2_NEVER_BACKSLASH_C;
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(spec + 1), close - 1, opts, &ecode,
                                     &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(ecode, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", ecode);
        snprintf(err, errcap, "%s at offset %zu", (char *)msg, (size_t)eoff);
        return AUTHSCORE_EPARSE;
    }
    /* JIT is an optimisation: where it is missing, the interpreter runs. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    as_regex *re = calloc(1, sizeof *re);
    if (re)
        re->mctx = pcre2_match_context_create(NULL);
    if (re)
        re->spec = malloc(len + 1);
    if (!re || !re->mctx || !re->spec) {
        if (re) {
            pcre2_match_context_free(re->mctx);
            free(re->spec);
        }
        free(re);
        pcre2_code_free(code);
        return AUTHSCORE_ENOMEM;
    }
    pcre2_set_match_limit(re->mctx, AS_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, AS_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(re->mctx, AS_REGEX_HEAP_LIMIT);
    atomic_init(&re->limit_logged, 0);
    memcpy(re->spec, spec, len);
    re->spec[len] = '\0';
    re->code = code;
    *out = re;
    return 0;
}

void as_regex_free(as_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re->spec);
    free(re);
}

const char *as_regex_spec(const as_regex *re) { return re ? re->spec : NULL; }

/* PCRE2 allocates through these, so match data dies with the arena. */
static void *arena_malloc(PCRE2_SIZE n, void *a) { return as_arena_alloc(a, n); }
static void arena_free(void *p, void *a)
{
    (void)p;
    (void)a;
}

as_regex_scratch *as_regex_scratch_new(as_arena *a)
{
    as_regex_scratch *s = as_arena_calloc(a, 1, sizeof *s);
    if (!s)
        return NULL;
    s->gctx = pcre2_general_context_create(arena_malloc, arena_free, a);
    if (!s->gctx)
        return NULL;
    /* One pair is enough: rules ask whether, never where. */
    s->md = pcre2_match_data_create(1, s->gctx);
    return s->md ? s : NULL;
}

int as_regex_match(const as_regex *re, as_regex_scratch *s, const char *p, size_t len)
{
    if (!re || !s)
        return 0;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(p ? p : ""), len, 0, 0, s->md, re->mctx);
    if (rc >= 0)
        return 1;
    switch (rc) {
    case PCRE2_ERROR_NOMATCH: return 0;
    case PCRE2_ERROR_NOMEMORY: return AUTHSCORE_ENOMEM;
    case PCRE2_ERROR_MATCHLIMIT: s->why = "match_limit"; break;
    case PCRE2_ERROR_DEPTHLIMIT: s->why = "depth_limit"; break;
    case PCRE2_ERROR_HEAPLIMIT: s->why = "heap_limit"; break;
    case PCRE2_ERROR_JIT_STACKLIMIT: s->why = "jit_stack"; break;
    default: s->why = "pcre2_error"; break;
    }
    return AUTHSCORE_ELIMIT;
}

const char *as_regex_scratch_why(const as_regex_scratch *s)
{
    return s && s->why ? s->why : "pcre2_error";
}

int as_regex_claim_log(as_regex *re)
{
    return re && atomic_exchange(&re->limit_logged, 1) == 0;
}
