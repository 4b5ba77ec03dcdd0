/* input.c - a message file's bytes for `authscore check` (input.h).
 * One buffer, kept from message to message and sized from fstat, read
 * with read(2): no stdio copy, no fresh allocation and page faults per
 * message.  (Mapping the files instead was measured slower: mmap with
 * MAP_POPULATE plus munmap cost twice the copy, docs/performance.md.) */
#include "host/cli/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_START (64u << 10)

static char *read_buf;
static size_t read_cap;

/* Read fd to its end into read_buf, growing it up to CLI_MAX_MESSAGE. */
static int read_fd(int fd, cli_input *in, const char **why)
{
    size_t n = 0;
    for (;;) {
        if (n == read_cap) {
            if (read_cap >= CLI_MAX_MESSAGE) {
                *why = "message larger than 64 MiB";
                return -1;
            }
            size_t cap = read_cap ? read_cap * 2 : READ_START;
            char *nb = realloc(read_buf, cap);
            if (!nb) {
                *why = "out of memory";
                return -1;
            }
            read_buf = nb;
            read_cap = cap;
        }
        ssize_t got = read(fd, read_buf + n, read_cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *why = strerror(errno);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    in->bytes = read_buf;
    in->len = n;
    return 0;
}

int input_open(const char *path, cli_input *in, const char **why)
{
    memset(in, 0, sizeof *in);
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    /* A regular file's size is known: grow the buffer once, up front. */
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size >= read_cap &&
        (unsigned long long)st.st_size < CLI_MAX_MESSAGE) {
        char *nb = realloc(read_buf, (size_t)st.st_size + 1);
        if (nb) {
            read_buf = nb;
            read_cap = (size_t)st.st_size + 1;
        }
    }
    int rc = read_fd(fd, in, why);
    if (!is_stdin)
        close(fd);
    return rc;
}

void input_close(cli_input *in)
{
    memset(in, 0, sizeof *in);
}

void input_release(void)
{
    free(read_buf);
    read_buf = NULL;
    read_cap = 0;
}
