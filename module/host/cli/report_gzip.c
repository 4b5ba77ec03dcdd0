/* report_gzip.c - see report_gzip.h; zlib (Debian's zlib1g-dev) does the
 * work, with the gzip wrapper (windowBits 15 + 16) and its header. */
#include "host/cli/report_gzip.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int report_gzip(const char *p, size_t n, const char *name, int64_t mtime,
                unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (n > (size_t)UINT32_MAX / 2)
        return -1; /* zlib's lengths are uInt; reports are far smaller */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    gz_header h;
    memset(&h, 0, sizeof h);
    h.name = (Bytef *)(uintptr_t)name;
    h.time = mtime > 0 && mtime < (int64_t)UINT32_MAX ? (uLong)mtime : 0;
    h.os = 3; /* Unix */
    size_t cap = deflateBound(&z, (uLong)n) + strlen(name) + 64;
    unsigned char *buf = malloc(cap);
    if (!buf || deflateSetHeader(&z, &h) != Z_OK) {
        free(buf);
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = len;
    return 0;
}
