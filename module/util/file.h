/* file.h - the module's one way to read a file: a whole regular file
 * into memory within a size cap, and a file's mtime.  Only configuration
 * is read, once, at authscore_ctx_finalize(): the PSL (core/psl_load.c)
 * and rule files (score/rules_files.c).  The engines never touch the file
 * system (docs/architecture.md); what they need from a file reaches them
 * as (ptr, len) bytes read here. */
#ifndef AS_UTIL_FILE_H
#define AS_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read all of `path` into a fresh buffer: *out (malloc, NUL added after
 * the last byte for convenience only: callers use *len) and *len.  On
 * error *out is NULL and `err` (errlen bytes, may be 0) says why without
 * naming the path.  Returns 0; AUTHSCORE_EINVAL (NULL path);
 * AUTHSCORE_EIO (cannot open or read, or not a regular file: a FIFO
 * would block the host's start-up); AUTHSCORE_ELIMIT
 * (more than `max` bytes); AUTHSCORE_ENOMEM.  The caller frees *out. */
int as_file_read(const char *path, size_t max, char **out, size_t *len,
                 char *err, size_t errlen);

/* Modification time of `path` in seconds since the epoch: 0, or -1 when
 * it cannot be stat()ed. */
int as_file_mtime(const char *path, int64_t *out);

#endif
