/* file.c - whole-file reads with a size cap (see file.h).  Our own code:
 * GLib's g_file_get_contents has no size cap and would bring GLib into
 * every mail host. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <authscore.h>

static int fail(int rc, char *err, size_t errlen, const char *why)
{
    if (errlen)
        snprintf(err, errlen, "%s", why);
    return rc;
}

int as_file_read(const char *path, size_t max, char **out, size_t *len,
                 char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    if (errlen)
        err[0] = '\0';
    if (!path || max >= SIZE_MAX / 2)
        return fail(AUTHSCORE_EINVAL, err, errlen, strerror(EINVAL));
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused below); it changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(AUTHSCORE_EIO, err, errlen, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(AUTHSCORE_EIO, err, errlen,
                    S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
    }
    /* st_size is only a hint (the file may grow or shrink): read to
     * EOF, never past max + 1 bytes.  cap <= max + 1 < SIZE_MAX / 2, so
     * doubling it cannot overflow. */
    size_t cap = 4096, got = 0;
    if (st.st_size > 0 && (uintmax_t)st.st_size < max)
        cap = (size_t)st.st_size + 1;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return fail(AUTHSCORE_ENOMEM, err, errlen, "out of memory");
    }
    for (;;) {
        if (got == cap) {
            if (cap > max)
                break; /* max + 1 bytes read: too large */
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *n = realloc(buf, ncap + 1);
            if (!n) {
                free(buf);
                close(fd);
                return fail(AUTHSCORE_ENOMEM, err, errlen, "out of memory");
            }
            buf = n;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return fail(AUTHSCORE_EIO, err, errlen, strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got > max) {
        free(buf);
        if (errlen)
            snprintf(err, errlen, "larger than %zu bytes", max);
        return AUTHSCORE_ELIMIT;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

int as_file_mtime(const char *path, int64_t *out)
{
    struct stat st;
    if (!path || stat(path, &st) < 0)
        return -1;
    *out = (int64_t)st.st_mtime;
    return 0;
}
