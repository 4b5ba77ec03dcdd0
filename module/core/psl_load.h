/* psl_load.h - find and read the Public Suffix List for RFC 7489 mode (the
 * file access the DMARC engine must not do; dmarc/psl.h parses). */
#ifndef AS_CORE_PSL_LOAD_H
#define AS_CORE_PSL_LOAD_H

#include <stddef.h>

/* A list file is read whole; Debian's is ~250 KB (2023), its DAFSA ~55 KB:
 * 32 times that is room for growth, and a cap on a wrong path. */
#define AS_PSL_FILE_MAX (8u << 20)

/* Load the list for as_dmarc_psl_* into *out (free with
 * as_dmarc_psl_free).  `path` non-empty: that file, and only it.  NULL or
 * "": what libpsl's psl_latest(NULL) picks, the newest of the system files
 * (as_dmarc_psl_system_files) that is newer than libpsl's built-in list
 * and loads, else the built-in list.  Returns 0; AUTHSCORE_EIO (cannot
 * read, or no list at all); AUTHSCORE_ELIMIT (file over AS_PSL_FILE_MAX);
 * AUTHSCORE_EPARSE (not a list); AUTHSCORE_ENOMEM.  `err` (may be NULL
 * with errlen 0) gets the reason.  Reads files: configuration time only. */
int as_psl_load(const char *path, const void **out, char *err, size_t errlen);

#endif
