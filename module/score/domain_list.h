/* domain_list.h - named lists of domains for rule conditions.
 *
 * An entry matches the domain itself and every name below it
 * ("example.org" matches "mail.example.org"), compared without case and
 * without a trailing dot.  Entries are kept sorted, so a lookup costs one
 * binary search per label of the subject. */
#ifndef AS_DOMAIN_LIST_H
#define AS_DOMAIN_LIST_H

#include <stddef.h>

#include "util/arena.h"

#define AS_DOMAIN_MAX 253u   /* RFC 1035 2.3.4, text form */

typedef struct as_domain_list {
    const char *name;
    const char **entries;    /* sorted, unique, lowercase */
    size_t n;
} as_domain_list;

/* Collects entries before the list is frozen; bounded by `max`. */
typedef struct as_domain_builder {
    char **items;            /* malloc'd, freed by as_domain_builder_free */
    size_t n, cap, max;
} as_domain_builder;

void as_domain_builder_init(as_domain_builder *b, size_t max);
void as_domain_builder_free(as_domain_builder *b);
/* Add one domain (p, len).  Returns 0, AUTHSCORE_EPARSE for a name that is
 * not a domain (err says why), AUTHSCORE_ELIMIT past max, or ENOMEM. */
int as_domain_builder_add(as_domain_builder *b, const char *p, size_t len,
                          char *err, size_t errcap);
/* Add every line of a list file: one domain per line, '#' comments and
 * blank lines ignored.  On error *line is the 1-based line. */
int as_domain_builder_add_text(as_domain_builder *b, const char *p, size_t len,
                               unsigned *line, char *err, size_t errcap);
/* Sort, drop duplicates and copy into `a`. */
int as_domain_builder_finish(as_domain_builder *b, as_arena *a, const char *name,
                             as_domain_list *out);

/* 1 when (p, len) or one of its parent domains is in the list. */
int as_domain_list_match(const as_domain_list *l, const char *p, size_t len);

#endif
