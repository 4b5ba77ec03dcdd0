/* rules_merge.h - rule files read and merged, not yet compiled.
 *
 * Every rule-file section entry (a symbol, a rule, a list) becomes an
 * entity whose fields come from whichever file set them last at the
 * highest priority: a local override at .include(priority=10) changes one
 * weight and keeps the shipped description.  rules_load.c fills this;
 * rules_compile.c turns it into an as_rules. */
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

/* The field `key` of `e`, or NULL. */
const as_rules_field *as_rules_field_get(const as_rules_entity *e, const char *key);

/* Write "file:line: message" into m->err and return AUTHSCORE_ECONFIG. */
int as_rules_fail(as_rules_merge *m, const char *file, unsigned line,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Read a whole file of at most `max` bytes into malloc'd memory. */
int as_rules_read_file(as_rules_merge *m, const char *path, size_t max,
                       char **out, size_t *len, const char *from_file,
                       unsigned from_line);

/* `path` relative to the directory of `base` (unless absolute), in tmp. */
const char *as_rules_resolve_path(as_rules_merge *m, const char *base,
                                  const char *path);

/* Merge one file (and, through it, its includes); from_file/from_line
 * name the .include that asked for it (NULL for the main file). */
int as_rules_merge_file(as_rules_merge *m, const char *path, int priority,
                        unsigned depth, const char *from_file, unsigned from_line);
/* Merge one buffer named `name` (no includes). */
int as_rules_merge_buffer(as_rules_merge *m, const char *name, const char *p,
                          size_t len);

/* Compile the merged entities (rules_compile.c). */
struct as_rules;
int as_rules_compile(as_rules_merge *m, struct as_rules **out);

#endif
