/* rules_merge.h - rule files read and merged, not yet compiled.
 *
 * Every rule-file section entry (a symbol, a rule, a list) becomes an
 * entity whose fields come from whichever file set them last at the
 * highest priority: a local override at .include(priority=10) changes one
 * weight and keeps the shipped description.  rules_load.c fills this;
 * rules_compile.c turns it into an as_rules.  Calls run one way:
 * load -> compile, both -> files and errors, files -> errors. */
#ifndef AS_RULES_MERGE_H
#define AS_RULES_MERGE_H

#include <stddef.h>

#include "util/arena.h"
#include "score/ucl.h"

#define AS_RULES_MAX_FIELDS 24u /* distinct fields of one entity */

enum as_rules_section { AS_SECTION_SYMBOLS = 0, AS_SECTION_RULES, AS_SECTION_LISTS };

typedef struct as_rules_field {
    const char *key;
    const as_ucl_node *node;
    int priority;
    const char *file;          /* the file that set it (for errors, paths) */
} as_rules_field;

typedef struct as_rules_entity {
    int section;
    const char *name;
    const char *file;          /* where it was first defined */
    unsigned line;
    as_rules_field fields[AS_RULES_MAX_FIELDS];
    size_t n_fields;
} as_rules_entity;

typedef struct as_rules_merge {
    as_arena *tmp;             /* parsed files; freed after compiling */
    as_rules_entity *ents;
    size_t n_ents, max_ents;
    int allow_files;           /* 0: no .include, no list files */
    size_t n_files;            /* files read so far */
    char *err;
    size_t errcap;
} as_rules_merge;

/* ---- rules_errors.c ---- */

/* Write "file:line: message" into m->err and return AUTHSCORE_ECONFIG. */
int as_rules_fail(as_rules_merge *m, const char *file, unsigned line,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- rules_files.c: the file system ---- */

/* Read a whole file of at most `max` bytes into malloc'd memory. */
int as_rules_read_file(as_rules_merge *m, const char *path, size_t max,
                       char **out, size_t *len, const char *from_file,
                       unsigned from_line);

/* `path` relative to the directory of `base` (unless absolute), in tmp:
 * 0, AUTHSCORE_ELIMIT (too long for a path) or AUTHSCORE_ENOMEM. */
int as_rules_resolve_path(as_rules_merge *m, const char *base, const char *path,
                          const char **out);

/* 1 when `path` exists (a try= include that is absent is skipped). */
int as_rules_file_exists(const char *path);

/* ---- rules_compile.c, called by rules_load.c once the files are merged ---- */

struct as_rules;
int as_rules_compile(as_rules_merge *m, struct as_rules **out);

#endif
