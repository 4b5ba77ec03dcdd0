/* test_fork.c - the Exim entry points across fork(), as Exim's daemon does
 * (one child per connection).  A context is created in the parent; a child
 * must build its own (libunbound's threads do not survive fork: using the
 * parent's would wait for answers that never come, giving temperror at the
 * deadline), and the parent's must still work afterwards.  The child reads
 * a copy of the spool file (SPOOL2) so that it evaluates anew instead of
 * reusing the result the parent cached for SPOOL.
 *
 * usage: test_fork OPTIONS HEADERS-FILE SPOOL SPOOL2 IP HELO MAIL-FROM
 * Prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <authscore.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

/* One check; 1 when it gives dkim=pass, dmarc=pass and no temperror. */
static int check_once(char **args, const char *who)
{
    unsigned char *argv[6], *yield = NULL;
    for (int i = 0; i < 6; i++)
        argv[i] = (unsigned char *)args[i];
    int rc = authscore_exim_check(&yield, 6, argv);
    const char *y = yield ? (const char *)yield : "(null)";
    int ok = rc == 0 && strstr(y, " dkim=pass ") && strstr(y, " dmarc=pass ") &&
             strstr(y, " temperror=no ");
    printf("%s: %s: rc=%d %s\n", ok ? "ok" : "FAIL", who, rc, y);
    if (!ok)
        return 0;
    rc = authscore_exim_ar(&yield, 6, argv);
    ok = rc == 0 && yield && strstr((const char *)yield, "dkim=pass header.d=");
    printf("%s: %s: ar rc=%d\n", ok ? "ok" : "FAIL", who, rc);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: test_fork OPTIONS HEADERS SPOOL SPOOL2 IP HELO MAIL-FROM\n");
        return 2;
    }
    char *headers = slurp(argv[2]);
    if (!headers) {
        perror(argv[2]);
        return 2;
    }
    char *args[6] = {argv[5], argv[6], argv[7], headers, argv[3], argv[1]};
    int passed = 0, failed = 0;

    check_once(args, "parent, first context") ? passed++ : failed++;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* Another spool file: no cached result, so the context is used,
         * and the parent's may not be. */
        args[4] = argv[4];
        int ok = check_once(args, "child, own context");
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
        WEXITSTATUS(st) != 0)
        failed++;
    else
        passed++;
    check_once(args, "parent after the child") ? passed++ : failed++;
    printf("%d passed, %d failed\n", passed, failed);
    free(headers);
    return failed ? 1 : 0;
}
