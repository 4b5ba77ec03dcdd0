/* rules_internal.h - the compiled rule set, shared by the compiler
 * (rules_compile.c) and the scorer (scorer.c). */
#ifndef AS_RULES_INTERNAL_H
#define AS_RULES_INTERNAL_H

#include <stddef.h>

#include "util/arena.h"
#include "score/regex.h"
#include "score/domain_list.h"
#include "score/rules.h"

enum as_cond_kind {
    AS_COND_SPF = 0,     /* MAIL FROM SPF result in a set */
    AS_COND_SPF_HELO,    /* HELO SPF result in a set (RFC 7208 2.3) */
    AS_COND_DKIM,        /* overall DKIM result in a set */
    AS_COND_DMARC,       /* DMARC result in a set */
    AS_COND_SYMBOL,      /* any of these symbols fired */
    AS_COND_ALIGNED,     /* DMARC found an aligned pass of this kind */
    AS_COND_FROM_DOMAIN, /* the subjects below: regex or list */
    AS_COND_HELO,
    AS_COND_MAIL_FROM_DOMAIN,
    AS_COND_DKIM_DOMAIN, /* any signature's d= */
    AS_COND_HEADER,      /* any field named `header`, unfolded value */
    AS_COND_ARC,         /* ARC chain result in a set */
    AS_COND_ARC_SEALER   /* the newest sealer the subject test names, of a
                            passing chain, vouches for the From domain
                            (score/arc_vouch.h) */
};

enum { AS_ALIGNED_DKIM = 1, AS_ALIGNED_SPF = 2, AS_ALIGNED_ANY = 3 };

typedef struct as_rule_cond {
    int kind;
    int negate;               /* the condition holds when the test fails */
    unsigned results;         /* result sets: bit (1 << AUTHSCORE_RES_x) */
    size_t *symbols;          /* SYMBOL: indexes into the symbol table */
    size_t n_symbols;
    int aligned;              /* ALIGNED: AS_ALIGNED_* */
    const char *header;       /* HEADER: field name */
    as_regex *re;             /* subject conditions: one of re or list */
    const as_domain_list *list;
    const char *label;        /* "from_domain", ... for options */
} as_rule_cond;

typedef struct as_rule {
    size_t symbol;            /* its index in the symbol table */
    as_rule_cond *conds;
    size_t n_conds;
    size_t *cancel;           /* symbol indexes whose weight becomes 0 */
    size_t n_cancel;
    int disposition;          /* dmarc_disposition: a DMARC fail's
                                 disposition is lowered to this enum
                                 authscore_dmarc_policy; -1 when unset */
    int arc_vouched;          /* has a positive arc_sealer condition: its
                                 override is RFC 7489's trusted_forwarder */
} as_rule;

typedef struct as_rule_symbol {
    const char *name;
    const char *description;  /* "" when none */
    int group;                /* enum as_sym_group */
    double weight;
    int defined;              /* a file set its weight */
} as_rule_symbol;

struct as_rules {
    as_arena arena;           /* everything below but the regexes */
    as_rule_symbol *symbols;  /* [0, AS_SYM_COUNT) engine, then rules */
    size_t n_symbols;
    as_rule *rules;
    size_t n_rules;
    as_domain_list *lists;
    size_t n_lists;
    as_regex **regexes;       /* owned, freed with the set */
    size_t n_regexes;
};

/* Whole rule sets are bounded by their caps; this only stops runaway
 * list files from taking the machine. */
#define AS_RULES_ARENA_MAX (512u << 20)

#endif
