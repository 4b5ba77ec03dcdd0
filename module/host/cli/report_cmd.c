/* report_cmd.c - `authscore report`: DMARC aggregate reports (RFC 9990)
 * from the report logs the library writes (docs/dmarc-reports.md).
 *
 * Reading (report_read.c), grouping (report_agg.c), XML (report_xml.c),
 * gzip (report_gzip.c) and the mail (report_mime.c) are their own files;
 * this one parses the command line, picks each report's recipients out of
 * the policy's rua, and writes the files.  Sending is the MTA's job: each
 * report's mail is a file for `sendmail -t`. */
#include "host/cli/report_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <authscore.h>
#include "host/cli/report_agg.h"
#include "host/cli/report_gzip.h"
#include "host/cli/report_mime.h"
#include "host/cli/report_read.h"
#include "host/cli/report_rua.h"
#include "host/cli/report_xml.h"

enum { EXIT_OK = 0, EXIT_FILE = 1, EXIT_USAGE = 2 };

#define MAX_LIST 64 /* --log, --domain, --exclude-*, --external-ok each */

typedef struct list {
    const char *v[MAX_LIST];
    size_t n;
} list;

typedef struct opts {
    list logs, domains, ex_domains, external_ok;
    agg_net nets[MAX_LIST];
    size_t n_nets;
    const char *org_name, *email, *extra, *out_dir;
    int64_t since, until, now;
    int have_since, have_until;
    uint64_t max_size; /* 0: no limit */
} opts;

static void usage(FILE *f)
{
    fputs("usage: authscore report --log FILE [--log FILE]... --org-name NAME --email ADDR\n"
          "                        [--since T] [--until T] [--domain D]... [--out DIR]\n"
          "                        [--exclude-domain D]... [--exclude-net CIDR]...\n"
          "                        [--max-size BYTES] [--external-ok DOMAIN]...\n"
          "                        [--extra-contact TEXT] [LOG...]\n"
          "  T is seconds since the epoch or YYYY-MM-DD (UTC midnight); the default\n"
          "  period is the previous UTC day.  Writes ORG!DOMAIN!BEGIN!END!ID.xml.gz and\n"
          "  .eml (for sendmail -t) per report into DIR (default .), and prints one line\n"
          "  per report: DOMAIN <TAB> RECIPIENTS <TAB> MAIL-FILE.  docs/dmarc-reports.md\n",
          f);
}

static int add(list *l, const char *v, const char *what)
{
    if (l->n == MAX_LIST) {
        fprintf(stderr, "authscore report: more than %d %s\n", MAX_LIST, what);
        return -1;
    }
    l->v[l->n++] = v;
    return 0;
}

/* Seconds since the epoch, or YYYY-MM-DD at 00:00 UTC. */
static int parse_time(const char *s, int64_t *out)
{
    int y, mo, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && s[n] == '\0') {
        struct tm tm = {0};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        time_t t = timegm(&tm);
        if (t == (time_t)-1 || mo < 1 || mo > 12 || d < 1 || d > 31)
            return -1;
        *out = (int64_t)t;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* Printable ASCII only: the name goes into the Subject: field. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

static int parse(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"log", required_argument, 0, 'l'},           {"org-name", required_argument, 0, 'O'},
        {"email", required_argument, 0, 'E'},         {"since", required_argument, 0, 's'},
        {"until", required_argument, 0, 'u'},         {"domain", required_argument, 0, 'd'},
        {"out", required_argument, 0, 'o'},           {"exclude-domain", required_argument, 0, 'x'},
        {"exclude-net", required_argument, 0, 'n'},   {"max-size", required_argument, 0, 'm'},
        {"external-ok", required_argument, 0, 'X'},   {"extra-contact", required_argument, 0, 'c'},
        {"now", required_argument, 0, 'N'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->out_dir = ".";
    o->now = (int64_t)time(NULL);
    int c, bad = 0;
    optind = 1;
    while (!bad && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l': bad = add(&o->logs, optarg, "logs") < 0; break;
        case 'O': o->org_name = optarg; break;
        case 'E': o->email = optarg; break;
        case 'd': bad = add(&o->domains, optarg, "domains") < 0; break;
        case 'x': bad = add(&o->ex_domains, optarg, "excluded domains") < 0; break;
        case 'X': bad = add(&o->external_ok, optarg, "external domains") < 0; break;
        case 'o': o->out_dir = optarg; break;
        case 'c': o->extra = optarg; break;
        case 's': bad = parse_time(optarg, &o->since) < 0; o->have_since = 1; break;
        case 'u': bad = parse_time(optarg, &o->until) < 0; o->have_until = 1; break;
        case 'N': bad = parse_time(optarg, &o->now) < 0; break;
        case 'n':
            bad = o->n_nets == MAX_LIST || agg_parse_net(optarg, &o->nets[o->n_nets++]) < 0;
            if (bad)
                fprintf(stderr, "authscore report: bad network %s\n", optarg);
            break;
        case 'm':
            errno = 0;
            o->max_size = strtoull(optarg, &end, 10);
            bad = errno || end == optarg || *end || optarg[0] == '-';
            break;
        case 'h': usage(stdout); return 1;
        default: bad = 1; break;
        }
    }
    for (int i = optind; !bad && i < argc; i++)
        bad = add(&o->logs, argv[i], "logs") < 0;
    if (!bad && (!o->logs.n || !o->org_name || !o->email)) {
        fprintf(stderr, "authscore report: --log, --org-name and --email are required\n");
        bad = 1;
    }
    if (!bad && (!printable(o->org_name) || !rua_address_ok(o->email, strlen(o->email)))) {
        fprintf(stderr, "authscore report: --org-name must be printable ASCII and --email "
                        "an address\n");
        bad = 1;
    }
    /* The previous UTC day by default: what a daily timer wants. */
    if (!o->have_until)
        o->until = o->now - o->now % 86400;
    if (!o->have_since)
        o->since = o->until - 86400;
    if (!bad && o->since >= o->until) {
        fprintf(stderr, "authscore report: --since must be before --until\n");
        bad = 1;
    }
    if (bad)
        usage(stderr);
    return bad ? -1 : 0;
}

static void bad_line(void *user, const char *file, size_t line, const char *why)
{
    (void)user;
    fprintf(stderr, "%s:%zu: skipped: %s\n", file, line, why);
}

static void take_row(void *user, rlog_row *row)
{
    agg_add(user, row);
}

/* Report-ID: the same for the same reporter, domain and period, so a
 * report made again is recognisably the same report (FNV-1a). */
static void report_id(char *dst, size_t cap, const opts *o, const char *domain)
{
    uint32_t h = 2166136261u;
    char b[64];
    snprintf(b, sizeof b, "|%lld|%lld|", (long long)o->since, (long long)o->until);
    const char *parts[] = {o->email, b, domain};
    for (size_t k = 0; k < 3; k++)
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
            h = (h ^ *p) * 16777619u;
    snprintf(dst, cap, "%lld-%08x", (long long)o->until, (unsigned)h);
}

static int write_file(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return close(fd);
}

/* The mail of a report in memory; *smtp_size is its size as SMTP sends
 * it, each line ended by CRLF where the file has LF. */
static int mail_build(const mime_report *mr, char **mail, size_t *len, size_t *smtp_size)
{
    *mail = NULL;
    *len = 0;
    FILE *f = open_memstream(mail, len);
    if (!f)
        return -1;
    int rc = report_mime_write(f, mr);
    rc |= fclose(f);
    if (rc != 0) {
        free(*mail);
        *mail = NULL;
        return -1;
    }
    size_t lines = 0;
    for (const char *p = *mail; (p = memchr(p, '\n', (size_t)(*mail + *len - p))); p++)
        lines++;
    *smtp_size = *len + lines;
    return 0;
}

/* One report: the .xml.gz, then (with recipients) the .eml. */
static int one_report(const opts *o, const char *domain, json_t *rep)
{
    char id[64], base[1024], name[1100], gzname[1104], path[4200], eml[4200];
    report_id(id, sizeof id, o, domain);
    const char *at = strrchr(o->email, '@');
    char recv[256], dom[256];
    mime_safe(recv, sizeof recv, at + 1, "!/\\ ");
    mime_safe(dom, sizeof dom, domain, "!/\\ ");
    snprintf(base, sizeof base, "%s!%s!%lld!%lld!%s", recv, dom, (long long)o->since,
             (long long)(o->until - 1), id);
    snprintf(name, sizeof name, "%s.xml", base);
    snprintf(gzname, sizeof gzname, "%s.gz", name);
    char *xml = NULL;
    size_t xml_len = 0;
    FILE *mf = open_memstream(&xml, &xml_len);
    if (!mf)
        return -1;
    char gen[64];
    snprintf(gen, sizeof gen, "authscore %s", authscore_version());
    xml_meta meta = {o->org_name, o->email, o->extra, id, gen, o->since, o->until - 1};
    int rc = report_xml_write(mf, &meta, domain, rep);
    rc |= fclose(mf);
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    if (rc == 0)
        rc = report_gzip(xml, xml_len, name, o->now, &gz, &gz_len);
    free(xml);
    snprintf(path, sizeof path, "%s/%s", o->out_dir, gzname);
    if (rc == 0 && write_file(path, gz, gz_len) < 0) {
        fprintf(stderr, "authscore report: %s: %s\n", path, strerror(errno));
        free(gz);
        return -1;
    }
    if (rc < 0) {
        fprintf(stderr, "authscore report: %s: out of memory\n", domain);
        free(gz);
        return -1;
    }
    /* Recipients: mailto: targets of the policy's rua.  A "!size" suffix
     * and --max-size bound the mail that carries the report, as SMTP sends
     * it; the mail's To: lists the targets, so it shrinks as targets go:
     * while the mail is over a target's limit, the target with the
     * smallest limit goes, and the mail is made again. */
    json_t *pub = json_object_get(rep, "published");
    const char *rua = json_string_value(json_object_get(pub, "rua"));
    const char *org = json_string_value(json_object_get(rep, "org_domain"));
    rua_policy rp = {domain, org ? org : domain, o->external_ok.v, o->external_ok.n,
                     o->max_size};
    rua_target t[RUA_MAX_URIS];
    size_t n_to = rua_targets(rua ? rua : "", &rp, t, stderr);
    char to[RUA_TO_MAX];
    mime_report mr = {o->email, to, o->org_name, domain, id, gzname, o->now,
                      o->since, o->until - 1, gz, gz_len};
    char *mail = NULL;
    size_t mail_len = 0, size = 0;
    for (;;) {
        free(mail);
        mail = NULL;
        if (n_to == 0)
            break;
        rua_join(t, n_to, to);
        if (mail_build(&mr, &mail, &mail_len, &size) < 0) {
            fprintf(stderr, "authscore report: %s: out of memory\n", domain);
            free(gz);
            return -1;
        }
        size_t k = n_to;
        for (size_t i = 0; i < n_to; i++)
            if (t[i].limit && t[i].limit < size && (k == n_to || t[i].limit < t[k].limit))
                k = i;
        if (k == n_to)
            break;
        fprintf(stderr, "  rua %.*s: the report's mail (%zu bytes) is over its size limit "
                        "(%llu bytes), left out\n", (int)t[k].len, t[k].addr, size,
                (unsigned long long)t[k].limit);
        memmove(&t[k], &t[k + 1], (n_to - k - 1) * sizeof t[0]);
        n_to--;
    }
    free(gz);
    if (n_to == 0) {
        fprintf(stderr, "authscore report: %s: written to %s, not mailed (no recipient)\n",
                domain, path);
        return 0;
    }
    snprintf(eml, sizeof eml, "%s/%s.eml", o->out_dir, base);
    /* 0640 like the report: the mail holds the same addresses. */
    rc = write_file(eml, mail, mail_len);
    free(mail);
    if (rc < 0) {
        fprintf(stderr, "authscore report: %s: %s\n", eml, strerror(errno));
        return -1;
    }
    printf("%s\t%s\t%s\n", domain, to, eml);
    return 0;
}

int report_cmd(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    agg_filter f = {o.since, o.until, o.domains.v, o.domains.n, o.ex_domains.v, o.ex_domains.n,
                    o.nets, o.n_nets};
    agg a;
    if (agg_init(&a, &f) < 0) {
        fprintf(stderr, "authscore report: out of memory\n");
        return EXIT_FILE;
    }
    int status = EXIT_OK;
    size_t rows = 0, skipped = 0;
    for (size_t i = 0; i < o.logs.n; i++) {
        size_t r = 0, s = 0;
        if (rlog_read_file(o.logs.v[i], take_row, bad_line, &a, &r, &s) < 0) {
            fprintf(stderr, "authscore report: %s: %s\n", o.logs.v[i], strerror(errno));
            status = EXIT_FILE;
        }
        rows += r;
        skipped += s;
    }
    size_t reports = 0;
    const char *domain;
    json_t *rep;
    json_object_foreach(a.reports, domain, rep) {
        if (one_report(&o, domain, rep) < 0)
            status = EXIT_FILE;
        else
            reports++;
    }
    if (a.oom) {
        fprintf(stderr, "authscore report: out of memory: some rows are not counted\n");
        status = EXIT_FILE;
    }
    fprintf(stderr, "authscore report: %zu rows (%zu lines skipped), %zu reports; not "
                    "reported: %zu outside the period, %zu without a policy, %zu without a "
                    "rua, %zu excluded\n",
            rows, skipped, reports, a.outside, a.no_policy, a.no_rua, a.excluded);
    agg_free(&a);
    return status;
}
