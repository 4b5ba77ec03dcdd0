/* report_gzip.h - gzip (RFC 1952) of a report, as RFC 9990 sends it. */
#ifndef AS_CLI_REPORT_GZIP_H
#define AS_CLI_REPORT_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* Compress p[0..n) into a gzip member named `name` (the .xml file's name)
 * with modification time `mtime`.  Returns 0 with *out (free() it) and
 * *out_len, or -1 (out of memory, or zlib failed). */
int report_gzip(const char *p, size_t n, const char *name, int64_t mtime,
                unsigned char **out, size_t *out_len);

#endif
