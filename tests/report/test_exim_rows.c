/* test_exim_rows.c - Exim's entry point writing DMARC report rows from
 * forked children, as Exim's daemon forks one child per connection: each
 * child builds its own context (exim_ctx.c) from the same options, with
 * report.log, and scores its messages; every message has its own HELO
 * name, so the caller can check that each gives exactly one row.
 *
 * usage: test_exim_rows OPTIONS HEADERS-FILE SPOOL-TEMPLATE WORKDIR IP
 *                       MAIL-FROM CHILDREN PER-CHILD
 * Message k of child c has HELO "c<c>-m<k>.mx.good.example" and its own
 * copy of the -D spool file, and is checked then asked for its A-R field,
 * as the ACL does; the parent first scores "c<CHILDREN>-m0".
 * Exit 0 when every call returned OK with DMARC pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <authscore.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

static int child(char **argv, int c, int per, const char *spool, size_t spool_len)
{
    size_t hlen;
    char *headers = slurp(argv[2], &hlen);
    int failed = 0;
    for (int k = 0; k < per && headers; k++) {
        char path[4096], helo[128];
        snprintf(path, sizeof path, "%s/c%d-m%d-D", argv[4], c, k);
        snprintf(helo, sizeof helo, "c%d-m%d.mx.good.example", c, k);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(spool, 1, spool_len, f) != spool_len) {
            failed++;
            if (f)
                fclose(f);
            continue;
        }
        fclose(f);
        unsigned char *av[6] = {(unsigned char *)argv[5], (unsigned char *)helo,
                                (unsigned char *)argv[6], (unsigned char *)headers,
                                (unsigned char *)path, (unsigned char *)argv[1]};
        unsigned char *yield = NULL;
        int rc = authscore_exim_check(&yield, 6, av);
        if (rc != 0 || !yield || !strstr((const char *)yield, " dmarc=pass ")) {
            fprintf(stderr, "child %d message %d: rc=%d %s\n", c, k, rc,
                    yield ? (const char *)yield : "(null)");
            failed++;
        }
        /* Then the A-R, as the ACL does: the same message, no second row. */
        if (authscore_exim_ar(&yield, 6, av) != 0)
            failed++;
    }
    free(headers);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: test_exim_rows OPTIONS HEADERS SPOOL WORKDIR IP MAIL-FROM "
                        "CHILDREN PER-CHILD\n");
        return 2;
    }
    int n = atoi(argv[7]), per = atoi(argv[8]);
    size_t spool_len;
    char *spool = slurp(argv[3], &spool_len);
    if (!spool || n < 1 || per < 1) {
        perror(argv[3]);
        return 2;
    }
    /* The parent scores one message first (as child number N), so the
     * children inherit a context they must not use. */
    if (child(argv, n, 1, spool, spool_len) != 0)
        return 1;
    fflush(stdout);
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    for (int c = 0; c < n; c++) {
        pids[c] = fork();
        if (pids[c] == 0)
            _exit(child(argv, c, per, spool, spool_len));
    }
    int failed = 0;
    for (int c = 0; c < n; c++) {
        int st = 0;
        if (pids[c] < 0 || waitpid(pids[c], &st, 0) < 0 || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0)
            failed++;
    }
    printf("%d children of %d messages: %d failed\n", n, per, failed);
    free(pids);
    free(spool);
    return failed ? 1 : 0;
}
