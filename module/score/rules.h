/* rules.h - rule files: load once per context, score every message.
 *
 * A rule set gives every engine symbol (symbols.h) a weight, adds the
 * administrator's own rules (conditions on results, PCRE2 regexes on
 * headers and domains, domain lists) and is immutable once loaded, so
 * messages on any thread share it.  docs/rules.md is the reference. */
#ifndef AS_RULES_H
#define AS_RULES_H

#include <stddef.h>

#include "msg/header.h"
#include "util/arena.h"
#include "score/results.h"
#include "score/symbols.h"

#define AS_RULES_MAX_FILES 32u          /* the main file and its includes */
#define AS_RULES_MAX_INCLUDE_DEPTH 8u
#define AS_RULES_MAX_RULES 512u         /* administrator rules */
#define AS_RULES_MAX_LISTS 64u
#define AS_RULES_MAX_LIST_ENTRIES 200000u /* per list */
#define AS_RULES_MAX_LIST_FILE (8u << 20) /* bytes of one list file */
#define AS_RULES_MAX_CONDITIONS 16u     /* per rule */
#define AS_RULES_MAX_CANCEL 16u         /* symbols one rule cancels */
#define AS_RULES_MAX_WEIGHT 1000.0      /* |weight| */
#define AS_RULES_MAX_NAME 64u           /* symbol and list names */
#define AS_RULES_MAX_DESCRIPTION 256u
/* Fields of one name a header condition reads: a hostile message with a
 * thousand Subject fields must not buy a thousand bounded regex runs per
 * rule (RFC 5322 3.6 allows most fields once). */
#define AS_RULES_MAX_HEADER_INSTANCES 16u

typedef struct as_rules as_rules;

/* Room for "file:line: message". */
#define AS_RULES_ERROR_MAX 512u

/* Read `path` and its includes, compile, and return the rule set in *out
 * (free with as_rules_free).  On failure returns AUTHSCORE_ECONFIG (or
 * ENOMEM) with "file:line: message" in err; nothing is half-loaded. */
int as_rules_load(const char *path, as_rules **out, char *err, size_t errcap);

/* The same from one buffer named `name`, without includes or list files
 * (an .include or a list `file` is an error): for the fuzzer and tests. */
int as_rules_load_buffer(const char *name, const char *p, size_t len,
                         as_rules **out, char *err, size_t errcap);

void as_rules_free(as_rules *r);

/* Every symbol the set can raise: engine symbols in catalog order, then
 * the rules in the order they were first defined. */
size_t as_rules_count(const as_rules *r);
const char *as_rules_name(const as_rules *r, size_t i);
double as_rules_weight(const as_rules *r, size_t i);
const char *as_rules_group(const as_rules *r, size_t i);
const char *as_rules_description(const as_rules *r, size_t i);
/* Engine symbols the files did not define (weight 0): for rules-check. */
size_t as_rules_undefined(const as_rules *r, const char **names, size_t cap);

/* What the scorer reads of one message besides the results. */
typedef struct as_score_input {
    const as_results *results;
    const as_symbol_list *derived;   /* as_symbols_derive() */
    const as_header_block *headers;  /* may be NULL */
    const char *helo;                /* may be NULL */
    const char *mail_from_domain;    /* envelope domain, may be NULL */
    const char *from_domain;         /* author domain, may be NULL */
    /* The host's log (a regex limit: once per rule and regex); may be NULL. */
    void (*log)(const void *user, int level, const char *msg);
    const void *log_user;
} as_score_input;

typedef struct as_scored_symbol {
    const char *name;
    const char *group;
    double weight;
    const char **options;
    size_t n_options;
} as_scored_symbol;

typedef struct as_scored {
    as_scored_symbol *items;
    size_t count;
    double score;
    as_dmarc_override override; /* a rule's dmarc_disposition that applied */
} as_scored;

/* Score one message: the derived symbols with their weights, then each
 * rule whose conditions all hold, then the rules' cancels.  Everything in
 * `a`.  `rules` may be NULL: weights 0.  A rule whose regex PCRE2 gave up
 * on (a limit) does not fire and AS_REGEX_LIMIT names it.  Returns 0 or
 * AUTHSCORE_ENOMEM (also when PCRE2 ran out of memory). */
int as_rules_score(const as_rules *rules, as_arena *a, const as_score_input *in,
                   as_scored *out);

#endif
