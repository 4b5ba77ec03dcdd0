/* options.h - the table of authscore_ctx_set_option() names: one row per
 * option with its type, range, destination and description.  The table is
 * the single source: docs/architecture.md "## Options" and the list in
 * include/authscore.h must name the same options (tests/core checks). */
#ifndef AS_CORE_OPTIONS_H
#define AS_CORE_OPTIONS_H

#include <stddef.h>

#include <authscore.h>

/* Longest option name, and longest path value (PATH_MAX - 1 on Linux). */
#define AS_OPTION_NAME_MAX 64u
#define AS_OPTION_PATH_MAX 4095u

enum as_option_type {
    AS_OPT_STRING,  /* text, copied; length in [min, max] */
    AS_OPT_PATH,    /* file name, copied; length in [min, max] */
    AS_OPT_INT,     /* decimal digits only; value in [min, max] */
    AS_OPT_ENUM,    /* one of `words` */
    AS_OPT_REPEAT,  /* text, each call adds one; length in [min, max] */
};

typedef struct as_option_word {
    const char *word;
    int value;
} as_option_word;

typedef struct as_option {
    const char *name;
    int type;                    /* enum as_option_type */
    long min, max;               /* INT: the value; others: the length */
    const as_option_word *words; /* ENUM: ends with {NULL, 0} */
    size_t offset;               /* the field in struct authscore_ctx:
                                    int (INT, ENUM) or char * (STRING, PATH) */
    /* The odd ones (REPEAT): store an already checked value. */
    int (*add)(authscore_ctx *c, const char *v);
    const char *help;            /* one line, for docs and tests */
} as_option;

/* The table, for tests (tests/core checks the docs against it); i beyond
 * the count gives NULL.  Internal: not exported. */
size_t as_options_count(void);
const char *as_option_name(size_t i);
const as_option *as_option_at(size_t i);

/* Look `name` up and store `value` after typed checks: AUTHSCORE_EINVAL
 * for an unknown name, junk, an out-of-range integer (never clamped), an
 * unknown word or a value outside its length range; AUTHSCORE_ELIMIT when
 * a repeatable option is full; AUTHSCORE_ENOMEM.  On error the context is
 * unchanged.  The phase check is the caller's. */
int as_option_set(authscore_ctx *c, const char *name, const char *value);

#endif
