/* read_files.c - baseline of bench/cli/run.sh: the kernel's share of reading the corpus.
 * Reads every message as `authscore check` does (module/host/cli/input.c),
 * minus its second read() that returns 0: open, fstat, one read() of
 * st_size + 1 bytes, close.  Nothing is looked at, so the time of the
 * process is the syscalls and copies a whole-process CLI cannot avoid.
 * Built by bench/cli/run.sh only; not part of the module or its tests.
 *
 *   read_files LIST
 *
 * LIST: one message path per line.  Prints "files N bytes B". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (64u << 20) /* the CLI's own cap (CLI_MAX_MESSAGE) */

/* One file; its length in *len.  0 or -1 after a message on stderr. */
static int read_one(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "read_files: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size >= MAX_FILE) {
        fprintf(stderr, "read_files: %s: not a regular file under 64 MiB\n", path);
        close(fd);
        return -1;
    }
    size_t want = (size_t)st.st_size;
    char *buf = malloc(want + 1);
    if (!buf) {
        fprintf(stderr, "read_files: out of memory\n");
        close(fd);
        return -1;
    }
    ssize_t got;
    do
        got = read(fd, buf, want + 1);
    while (got < 0 && errno == EINTR);
    int err = got < 0 ? errno : 0;
    close(fd);
    free(buf);
    if (got < 0 || (size_t)got != want) {
        /* A short read would time less than the CLI reads: refuse it. */
        fprintf(stderr, "read_files: %s: %s\n", path,
                got < 0 ? strerror(err) : "size changed while reading");
        return -1;
    }
    *len = want;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIST\n", argv[0]);
        return 1;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        fprintf(stderr, "read_files: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    char line[4096];
    unsigned long files = 0;
    unsigned long long bytes = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, list)) {
        size_t l = strcspn(line, "\r\n");
        if (line[l] == '\0' && !feof(list)) {
            fprintf(stderr, "read_files: %s: line longer than %zu bytes\n", argv[1],
                    sizeof line - 2);
            rc = 1;
            break;
        }
        line[l] = '\0';
        if (l == 0)
            continue;
        size_t len;
        if (read_one(line, &len) < 0) {
            rc = 1;
            break;
        }
        files++;
        bytes += len;
    }
    if (rc == 0 && ferror(list)) {
        fprintf(stderr, "read_files: %s: read error\n", argv[1]);
        rc = 1;
    }
    fclose(list);
    if (rc == 0)
        printf("files %lu bytes %llu\n", files, bytes);
    return rc;
}
