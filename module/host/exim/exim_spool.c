/* exim_spool.c - rebuild the whole message from Exim's header argument and
 * its -D spool file.
 *
 * Exim's $message_body is cut at message_body_visible (500 bytes by
 * default), far too little for DKIM, which hashes the whole body.  The -D
 * file holds the whole body, dot-unstuffed: its first line is
 * "<message-id>-D", then the body exactly as received (LF line ends, or
 * CRLF with spool_wireformat; the module accepts both).  The headers are not
 * in the -D file (the -H file is written after the DATA ACL), so they come
 * from the argument ($message_headers_raw: the header lines as received,
 * separated by newlines). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/exim/exim.h"

/* The first line is "<message-id>-D": Exim ids are 16 or 23 characters;
 * anything longer than this is not a spool data file. */
#define AS_EXIM_SPOOL_MAX_ID_LINE 128

/* read() until `len` bytes or end of file; returns bytes read or -1. */
static ssize_t read_full(int fd, char *dst, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, dst + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int as_exim_spool_message(const char *path, const char *headers, size_t hlen,
                          char **out, size_t *outlen, char *errbuf,
                          size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(errbuf, errlen, "spool file %s: %s", path, strerror(errno));
        return AUTHSCORE_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errlen, "spool file %s: not a regular file", path);
        close(fd);
        return AUTHSCORE_EIO;
    }
    /* Whole file + headers + "\n\n": checked before any allocation. */
    size_t fsize = (size_t)st.st_size;
    if ((uint64_t)st.st_size > AS_EXIM_MAX_MESSAGE - 2 ||
        hlen > AS_EXIM_MAX_MESSAGE - 2 - fsize) {
        snprintf(errbuf, errlen, "message larger than the %zu-byte cap",
                 AS_EXIM_MAX_MESSAGE);
        close(fd);
        return AUTHSCORE_ELIMIT;
    }
    char *buf = malloc(hlen + 2 + fsize + 1);
    if (!buf) {
        snprintf(errbuf, errlen, "out of memory");
        close(fd);
        return AUTHSCORE_ENOMEM;
    }
    size_t pos = 0;
    memcpy(buf, headers, hlen);
    pos = hlen;
    if (hlen && headers[hlen - 1] != '\n')
        buf[pos++] = '\n';
    buf[pos++] = '\n'; /* the empty line ending the header block */
    /* Read the file right after, then drop its id line in place.  One byte
     * more than stat said detects a file still growing (never in DATA). */
    ssize_t n = read_full(fd, buf + pos, fsize + 1);
    close(fd);
    if (n < 0 || (size_t)n > fsize) {
        snprintf(errbuf, errlen, "spool file %s: %s", path,
                 n < 0 ? strerror(errno) : "changed while read");
        free(buf);
        return AUTHSCORE_EIO;
    }
    char *body = buf + pos;
    size_t blen = (size_t)n;
    size_t scan = blen < AS_EXIM_SPOOL_MAX_ID_LINE ? blen : AS_EXIM_SPOOL_MAX_ID_LINE;
    char *nl = memchr(body, '\n', scan);
    if (!nl || nl - body < 2 || memcmp(nl - 2, "-D", 2) != 0) {
        snprintf(errbuf, errlen, "spool file %s: no \"<id>-D\" first line", path);
        free(buf);
        return AUTHSCORE_EPARSE;
    }
    size_t skip = (size_t)(nl + 1 - body);
    memmove(body, body + skip, blen - skip);
    blen -= skip;
    buf[pos + blen] = '\0';
    *out = buf;
    *outlen = pos + blen;
    return 0;
}
