/* psl.h - the Public Suffix List through libpsl, for RFC 7489 mode
 * (RFC 7489 3.2: the organizational domain is the public suffix plus one
 * label).  Sans-I/O: the list arrives as bytes that core/psl_load.c read
 * from a file; every lookup is pure. */
#ifndef AS_DMARC_PSL_H
#define AS_DMARC_PSL_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* A list file's bytes, in either format libpsl reads (the text list, as
 * public_suffix_list.dat, or its DAFSA, as public_suffix_list.dafsa),
 * into a list for the lookups below.  Returns 0, AUTHSCORE_EPARSE (not a
 * list: empty, or a DAFSA of an unknown version) or AUTHSCORE_ENOMEM. */
int as_dmarc_psl_parse(const char *p, size_t len, const void **out);
void as_dmarc_psl_free(const void *psl);
/* libpsl's compiled-in list (static: as_dmarc_psl_free ignores it), or
 * NULL when libpsl was built without one. */
const void *as_dmarc_psl_builtin(void);

/* The system's list files that libpsl's psl_latest() would consider, in
 * its order: the distribution file (Debian:
 * /usr/share/publicsuffix/public_suffix_list.dafsa) and the file the
 * built-in list was made from.  Fills up to 2 names (static strings) and
 * returns how many; *builtin_mtime is the built-in list's file time (a
 * file no newer than it is not worth loading). */
size_t as_dmarc_psl_system_files(const char *names[2], int64_t *builtin_mtime);

/* Offset of the registrable (organizational) domain inside `domain`
 * (lowercase A-labels, NUL-terminated), or -1 when it has none (a public
 * suffix itself). */
long as_dmarc_psl_org_off(const void *psl, const char *domain, size_t len);
/* For the list's own tests: lowercase (UTF-8 aware) and look up; result
 * copied into `a`, NULL when none. */
const char *as_dmarc_psl_registrable(const void *psl, as_arena *a,
                                     const char *domain);

#endif
