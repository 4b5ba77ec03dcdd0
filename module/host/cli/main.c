/* main.c - the `authscore` command: `authscore check` scores messages,
 * `authscore report` turns report logs into DMARC aggregate reports. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>
#include "host/cli/envelopes.h"
#include "host/cli/input.h"
#include "host/cli/report.h"
#include "host/cli/report_cmd.h"
#include "host/cli/rules_check.h"
#include "host/cli/summary.h"

/* stdout's buffer: one message's report fits, so each message is one
 * write(2) at its fflush (a report with every symbol is a few KiB). */
#define CLI_OUT_BUFFER (1u << 20)

enum { EXIT_SCORED = 0, EXIT_FILE = 1, EXIT_USAGE = 2 };

static int verbose;
/* Set while the context is finalized: its error comes back through
 * authscore_ctx_error() and is printed once, by the caller. */
static int finalizing;

static void usage(FILE *f)
{
    fputs("usage: authscore check [--ip ADDR] [--helo NAME] [--mail-from ADDR]\n"
          "                       [--rules FILE] [--dns-config FILE] [--dns-timeout MS]\n"
          "                       [--trust-anchor FILE] [--authserv-id ID] [--now EPOCH]\n"
          "                       [--dns-cache-size BYTES] [--option NAME=VALUE]...\n"
          "                       [--report-log FILE|DIR/] [--report-all]\n"
          "                       [--json] [--verbose] FILE...|-\n"
          "       authscore check [options] --envelopes LIST   (FILE IP HELO MAIL-FROM per line)\n"
          "       authscore report --log FILE... --org-name NAME --email ADDR [options]\n"
          "                        (authscore report --help: DMARC aggregate reports)\n"
          "       authscore rules-check FILE\n"
          "       authscore --version\n",
          f);
}

static void log_stderr(void *user, int level, const char *msg)
{
    (void)user;
    if (finalizing && level == AUTHSCORE_LOG_ERROR)
        return;
    if (level <= AUTHSCORE_LOG_WARNING || verbose)
        fprintf(stderr, "authscore: %s\n", msg);
}

static int parse_epoch(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* --verbose: what the DNS answer cache did for one message, and overall. */
static void verbose_dns(const char *file, const authscore_msg *m)
{
    fprintf(stderr, "authscore: %s: DNS: %d questions, %d from the cache, %d cache misses, "
            "%d rounds\n", file, authscore_msg_dns_queries(m), authscore_msg_dns_cache_hits(m),
            authscore_msg_dns_cache_misses(m), authscore_msg_dns_rounds(m));
}

static void verbose_cache(const authscore_ctx *ctx)
{
    uint64_t hits, misses, entries, bytes;
    if (authscore_ctx_dns_cache_stats(ctx, &hits, &misses, &entries, &bytes) == 0)
        fprintf(stderr, "authscore: DNS answer cache: %llu hits, %llu misses, %llu entries, "
                "%llu bytes\n", (unsigned long long)hits, (unsigned long long)misses,
                (unsigned long long)entries, (unsigned long long)bytes);
    uint64_t stores, rejected;
    if (authscore_ctx_dns_shared_cache_stats(ctx, &hits, &misses, &stores, &rejected) == 0 &&
        hits + misses + stores + rejected)
        fprintf(stderr, "authscore: shared DNS cache: %llu hits, %llu misses, %llu stored, "
                "%llu rejected\n", (unsigned long long)hits, (unsigned long long)misses,
                (unsigned long long)stores, (unsigned long long)rejected);
}

static int set_opt(authscore_ctx *ctx, const char *name, const char *value)
{
    int rc = authscore_ctx_set_option(ctx, name, value);
    if (rc < 0)
        fprintf(stderr, "authscore: bad value for %s: %s (%s)\n", name, value,
                authscore_strerror(rc));
    return rc;
}

/* --option NAME=VALUE: any library option (docs/architecture.md). */
static int set_named(authscore_ctx *ctx, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[128];
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name) {
        fprintf(stderr, "authscore: --option needs NAME=VALUE, not %s\n", arg);
        return -1;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    return set_opt(ctx, name, eq + 1);
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ip", required_argument, 0, 'i'},         {"helo", required_argument, 0, 'h'},
        {"mail-from", required_argument, 0, 'm'},  {"rules", required_argument, 0, 'r'},
        {"dns-config", required_argument, 0, 'd'}, {"dns-timeout", required_argument, 0, 't'},
        {"trust-anchor", required_argument, 0, 'a'}, {"authserv-id", required_argument, 0, 's'},
        {"now", required_argument, 0, 'n'},        {"json", no_argument, 0, 'j'},
        {"verbose", no_argument, 0, 'v'},          {"help", no_argument, 0, 'H'},
        {"envelopes", required_argument, 0, 'e'},  {"dns-cache-size", required_argument, 0, 'c'},
        {"option", required_argument, 0, 'o'},     {"report-log", required_argument, 0, 'L'},
        {"report-all", no_argument, 0, 'A'},       {0, 0, 0, 0}};
    const char *ip = NULL, *helo = NULL, *mail_from = NULL, *rules = NULL, *envelopes = NULL;
    int json = 0, have_now = 0;
    int64_t now = 0;
    authscore_ctx *ctx;
    if (authscore_ctx_new(&ctx) < 0) {
        fprintf(stderr, "authscore: out of memory\n");
        return EXIT_FILE;
    }
    authscore_ctx_set_log(ctx, log_stderr, NULL);
    int c, bad = 0;
    optind = 1;
    while (!bad && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': ip = optarg; break;
        case 'h': helo = optarg; break;
        case 'm': mail_from = optarg; break;
        case 'r': rules = optarg; break;
        case 'e': envelopes = optarg; break;
        case 'd': bad = set_opt(ctx, "dns.config", optarg) < 0; break;
        case 't': bad = set_opt(ctx, "dns.timeout_ms", optarg) < 0; break;
        case 'a': bad = set_opt(ctx, "dns.trust_anchor", optarg) < 0; break;
        case 's': bad = set_opt(ctx, "authserv_id", optarg) < 0; break;
        case 'c': bad = set_opt(ctx, "dns.cache_size", optarg) < 0; break;
        case 'o': bad = set_named(ctx, optarg) < 0; break;
        case 'L': bad = set_opt(ctx, "report.log", optarg) < 0; break;
        case 'A': bad = set_opt(ctx, "report.all", "yes") < 0; break;
        case 'n':
            bad = parse_epoch(optarg, &now) < 0;
            if (bad)
                fprintf(stderr, "authscore: --now needs seconds since the epoch\n");
            have_now = 1;
            break;
        case 'j': json = 1; break;
        case 'v': verbose = 1; break;
        case 'H':
            usage(stdout);
            authscore_ctx_free(ctx);
            return EXIT_SCORED;
        default: bad = 1; break;
        }
    }
    if (bad || (optind >= argc) == !envelopes) {
        if (!bad)
            fprintf(stderr, envelopes ? "authscore: give --envelopes or files, not both\n"
                                      : "authscore: no message given\n");
        usage(stderr);
        authscore_ctx_free(ctx);
        return EXIT_USAGE;
    }
    if (rules && set_opt(ctx, "rules.file", rules) < 0) {
        authscore_ctx_free(ctx);
        return EXIT_USAGE;
    }
    finalizing = 1;
    int rc = authscore_ctx_finalize(ctx);
    finalizing = 0;
    if (rc < 0) {
        const char *why = authscore_ctx_error(ctx);
        fprintf(stderr, "authscore: cannot start: %s\n", why ? why : authscore_strerror(rc));
        authscore_ctx_free(ctx);
        return EXIT_FILE;
    }
    /* The work: one job per file, with its own envelope or the options'. */
    job *jobs = NULL;
    size_t n_jobs = 0;
    char err[512];
    if (envelopes && envelopes_load(envelopes, &jobs, &n_jobs, err, sizeof err) < 0) {
        fprintf(stderr, "authscore: %s\n", err);
        authscore_ctx_free(ctx);
        return EXIT_FILE;
    }
    if (!envelopes) {
        n_jobs = (size_t)(argc - optind);
        jobs = calloc(n_jobs, sizeof *jobs);
        for (size_t i = 0; jobs && i < n_jobs; i++)
            jobs[i] = (job){NULL, ip, helo, mail_from ? mail_from : (ip ? "" : NULL)};
        if (!jobs) {
            fprintf(stderr, "authscore: out of memory\n");
            authscore_ctx_free(ctx);
            return EXIT_FILE;
        }
    }
    static char outbuf[CLI_OUT_BUFFER];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int status = EXIT_SCORED;
    summary sum;
    summary_init(&sum, n_jobs, isatty(STDERR_FILENO));
    for (size_t i = 0; i < n_jobs; i++) {
        const char *file = jobs[i].file ? jobs[i].file : argv[optind + (int)i];
        summary_progress(&sum, stderr, i, file);
        const char *why = NULL;
        cli_input in;
        if (input_open(file, &in, &why) < 0) {
            fprintf(stderr, "%sauthscore: %s: %s\n", sum.progress ? "\r\033[K" : "", file, why);
            summary_failed(&sum);
            status = EXIT_FILE;
            continue;
        }
        authscore_msg *m = NULL;
        rc = authscore_msg_new(ctx, jobs[i].ip, jobs[i].helo, jobs[i].mail_from, in.bytes, in.len,
                               &m);
        if (rc == 0 && have_now)
            rc = authscore_msg_set_time(m, now);
        if (rc == 0)
            rc = authscore_msg_resolve(m);
        if (rc < 0) {
            fprintf(stderr, "authscore: %s: not scored: %s\n", file, authscore_strerror(rc));
            summary_failed(&sum);
            status = EXIT_FILE;
        } else {
            if (sum.progress)
                fputs("\r\033[K", stderr);
            if (verbose)
                verbose_dns(file, m);
            /* One lock for the whole report: libunbound's thread makes
             * stdio lock on every character otherwise. */
            flockfile(stdout);
            if (json)
                report_json(stdout, file, m);
            else
                report_text(stdout, file, m);
            funlockfile(stdout);
            summary_add(&sum, m);
        }
        fflush(stdout); /* the message's one write */
        authscore_msg_free(m); /* before its bytes go: they are borrowed */
        input_close(&in);
    }
    input_release();
    if (envelopes)
        jobs_free(jobs, n_jobs);
    else
        free(jobs);
    if (verbose)
        verbose_cache(ctx);
    /* JSON Lines stay one object per line: the summary goes to stderr. */
    summary_print(&sum, json ? stderr : stdout, stderr);
    summary_free(&sum);
    authscore_ctx_free(ctx);
    return status;
}

int main(int argc, char **argv)
{
    /* The user's locale, as Exim and Rspamd run in theirs: the numbers the
     * command and the library write must not change with it (util/num.h);
     * tests/api/test_locale_cli.sh runs it under de_DE.UTF-8. */
    setlocale(LC_ALL, "");
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("authscore %s\n", authscore_version());
        return EXIT_SCORED;
    }
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "report") == 0)
        return report_cmd(argc - 1, argv + 1);
    if (argc == 3 && strcmp(argv[1], "rules-check") == 0)
    {
        finalizing = 1; /* rules_check prints the load error itself */
        return rules_check(argv[2], log_stderr);
    }
    usage(stderr);
    return EXIT_USAGE;
}
