/* symbols.h - named symbols derived from a finished message's results.
 *
 * Names follow Rspamd's where one exists (R_SPF_ALLOW, R_DKIM_REJECT,
 * DMARC_POLICY_REJECT, ...); ours start with AS_.  Each symbol carries
 * options (domains, reasons) for rules and logs.  Weights come later with
 * the rule files; docs/symbols.md lists every symbol. */
#ifndef AS_SYMBOLS_H
#define AS_SYMBOLS_H

#include <stddef.h>

#include "util/arena.h"
#include "score/results.h"

enum as_sym_group {
    AS_SYM_GROUP_SPF = 0,
    AS_SYM_GROUP_DKIM,
    AS_SYM_GROUP_DMARC,
    AS_SYM_GROUP_DNSSEC,
    AS_SYM_GROUP_POLICY,
    AS_SYM_GROUP_ARC,
    AS_SYM_GROUP_COUNT
};

/* Catalog order is the order of the derived list. */
enum as_sym_id {
    /* spf: the MAIL FROM identity */
    AS_SYM_R_SPF_ALLOW = 0,
    AS_SYM_R_SPF_FAIL,
    AS_SYM_R_SPF_SOFTFAIL,
    AS_SYM_R_SPF_NEUTRAL,
    AS_SYM_R_SPF_NA,
    AS_SYM_R_SPF_DNSFAIL,
    AS_SYM_R_SPF_PERMFAIL,
    AS_SYM_AS_SPF_LIMIT,
    /* dkim */
    AS_SYM_R_DKIM_ALLOW,
    AS_SYM_R_DKIM_REJECT,
    AS_SYM_R_DKIM_TEMPFAIL,
    AS_SYM_R_DKIM_PERMFAIL,
    AS_SYM_R_DKIM_NA,
    AS_SYM_AS_DKIM_WEAK,
    AS_SYM_AS_DKIM_TESTING,
    AS_SYM_AS_DKIM_UNSIGNED_CONTENT,
    /* dmarc */
    AS_SYM_DMARC_POLICY_ALLOW,
    AS_SYM_DMARC_POLICY_REJECT,
    AS_SYM_DMARC_POLICY_QUARANTINE,
    AS_SYM_DMARC_POLICY_SOFTFAIL,
    AS_SYM_DMARC_NA,
    AS_SYM_DMARC_BAD_POLICY,
    AS_SYM_DMARC_DNSFAIL,
    AS_SYM_AS_DMARC_BAD_FROM,
    AS_SYM_AS_DMARC_ALIGNED_DKIM,
    AS_SYM_AS_DMARC_ALIGNED_SPF,
    AS_SYM_AS_DMARC_UNALIGNED_PASS,
    AS_SYM_AS_DMARC_TESTING,
    AS_SYM_AS_DMARC_NP,
    /* arc (RFC 8617): the chain's status */
    AS_SYM_ARC_ALLOW,
    AS_SYM_ARC_REJECT,
    AS_SYM_ARC_INVALID,
    AS_SYM_ARC_DNSFAIL,
    AS_SYM_ARC_NA,
    /* dnssec */
    AS_SYM_AS_SPF_DNSSEC,
    AS_SYM_AS_DKIM_DNSSEC,
    AS_SYM_AS_DMARC_DNSSEC,
    AS_SYM_AS_ARC_DNSSEC,
    AS_SYM_AS_DNSSEC_BOGUS,
    /* policy: message facts */
    AS_SYM_AS_FROM_MISSING,
    AS_SYM_AS_FROM_MULTIPLE,
    /* policy: raised by the scorer, not derived from results */
    AS_SYM_AS_REGEX_LIMIT,
    AS_SYM_COUNT
};

/* Options kept per symbol, and bytes per option (cut, controls -> '?'). */
#define AS_SYM_MAX_OPTIONS 16u
#define AS_SYM_MAX_OPTION_BYTES 256u

typedef struct as_symbol {
    int id;               /* enum as_sym_id */
    const char *name;     /* static */
    int group;            /* enum as_sym_group */
    const char **options; /* in the arena */
    size_t n_options;
} as_symbol;

typedef struct as_symbol_list {
    as_symbol *items;     /* catalog order, each symbol at most once */
    size_t count;
} as_symbol_list;

/* Name / group of a catalog entry; NULL / -1 when out of range. */
const char *as_symbol_name(int id);
int as_symbol_group(int id);
const char *as_symbol_group_name(int group);
/* Catalog lookup by name (exact, case-sensitive); -1 when unknown. */
int as_symbol_find(const char *name);

/* Derive the symbols of `r`.  Returns 0 or AUTHSCORE_ENOMEM. */
int as_symbols_derive(as_arena *a, const as_results *r, as_symbol_list *out);

/* The entry for `id` in `l`, or NULL. */
const as_symbol *as_symbol_list_get(const as_symbol_list *l, int id);

/* The message's DKIM result (docs/dkim.md), the one definition behind
 * authscore_dkim_overall(), the rules' `dkim` condition and the hosts:
 * pass > temperror > fail > policy > permerror > neutral over the
 * signatures.  Fold every signature's result into `acc`, starting from
 * AUTHSCORE_RES_NOT_EVALUATED; not-evaluated (beyond the cap) and words
 * DKIM never gives leave acc as it is. */
int as_dkim_overall_add(int acc, int sig_result);
/* The fold over r's signatures; NONE without signatures, NOT_EVALUATED
 * when DKIM did not run or no signature was evaluated. */
int as_results_dkim_overall(const as_results *r);

#endif
