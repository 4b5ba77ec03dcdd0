/* first_message.c - what one Exim connection pays (docs/performance.md,
 * "Start-up"): Exim forks a process per SMTP connection and the module
 * builds its context in that process on first use, with empty caches.
 * Measured here in one fresh process per round, through the public API
 * with the options an Exim site passes:
 *   ctx      authscore_ctx_new + options + finalize (unbound config and
 *            trust anchors read, the resolver started, the rules compiled)
 *   first    the connection's first message (every question cold: the
 *            resolver's and the module's caches are empty)
 *   again    the same message once more (warm: the message itself)
 *   rest     the mean of the next PER_CONN - 1 corpus messages
 *
 *   first_message ENVELOPES PER_CONN ROUNDS OPTIONS
 * OPTIONS as Exim's: "name=value;name=value".  Prints one line per figure
 * (median of ROUNDS rounds, each a fork). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <authscore.h>

#define MAX_MSGS 512

typedef struct msg {
    char *bytes;
    size_t len;
    char ip[64], helo[256], from[256];
} msg;

static msg msgs[MAX_MSGS];
static int nmsgs;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void load(const char *env, int want)
{
    FILE *f = fopen(env, "r");
    char line[2048];
    while (f && nmsgs < want && nmsgs < MAX_MSGS && fgets(line, sizeof line, f)) {
        char path[1024];
        msg *m = &msgs[nmsgs];
        if (sscanf(line, "%1023s %63s %255s %255s", path, m->ip, m->helo, m->from) != 4)
            continue;
        FILE *g = fopen(path, "rb");
        if (!g)
            continue;
        fseek(g, 0, SEEK_END);
        long n = ftell(g);
        fseek(g, 0, SEEK_SET);
        m->bytes = malloc((size_t)n);
        m->len = m->bytes ? fread(m->bytes, 1, (size_t)n, g) : 0;
        fclose(g);
        nmsgs++;
    }
    if (f)
        fclose(f);
}

static int set_options(authscore_ctx *c, const char *opts)
{
    char *copy = strdup(opts), *save = NULL;
    int rc = 0;
    for (char *kv = strtok_r(copy, ";", &save); kv && rc == 0; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        rc = authscore_ctx_set_option(c, kv, eq + 1);
    }
    free(copy);
    return rc;
}

static double score(const authscore_ctx *c, const msg *m)
{
    authscore_msg *r;
    double t0 = now();
    if (authscore_check(c, m->ip, m->helo, m->from, m->bytes, m->len, &r) < 0) {
        fprintf(stderr, "authscore_check failed\n");
        exit(1);
    }
    double t = now() - t0;
    authscore_msg_free(r);
    return t;
}

/* One connection's process: writes ctx, first, again, rest (ms) to fd. */
static void connection(int fd, const char *opts, int per_conn)
{
    double t0 = now();
    authscore_ctx *c;
    if (authscore_ctx_new(&c) < 0 || set_options(c, opts) < 0 || authscore_ctx_finalize(c) < 0) {
        fprintf(stderr, "ctx: %s\n", c ? authscore_ctx_error(c) : "no memory");
        _exit(1);
    }
    double v[4];
    v[0] = now() - t0;
    v[1] = score(c, &msgs[0]);
    v[2] = score(c, &msgs[0]);
    double rest = 0;
    int n = 0;
    for (int i = 1; i < per_conn && i < nmsgs; i++, n++)
        rest += score(c, &msgs[i]);
    v[3] = n ? rest / n : 0;
    authscore_ctx_free(c);
    if (write(fd, v, sizeof v) != (ssize_t)sizeof v)
        _exit(1);
    _exit(0);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s ENVELOPES PER_CONN ROUNDS OPTIONS\n", argv[0]);
        return 2;
    }
    int per_conn = atoi(argv[2]), rounds = atoi(argv[3]);
    load(argv[1], per_conn);
    if (nmsgs == 0 || rounds < 1)
        return 2;
    static double v[4][64];
    if (rounds > 64)
        rounds = 64;
    for (int r = 0; r < rounds; r++) {
        int p[2];
        if (pipe(p) < 0)
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            connection(p[1], argv[4], per_conn);
        }
        close(p[1]);
        double got[4];
        int st;
        if (read(p[0], got, sizeof got) != (ssize_t)sizeof got || waitpid(pid, &st, 0) < 0)
            return 1;
        close(p[0]);
        for (int k = 0; k < 4; k++)
            v[k][r] = got[k] * 1e3;
    }
    static const char *what[4] = {"ctx", "first", "again", "rest"};
    for (int k = 0; k < 4; k++) {
        qsort(v[k], (size_t)rounds, sizeof v[k][0], cmp);
        printf("%s %.3f %.3f %.3f\n", what[k], v[k][rounds / 2], v[k][0], v[k][rounds - 1]);
    }
    return 0;
}
