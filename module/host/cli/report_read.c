/* report_read.c - the report log reader (see report_read.h).
 *
 * JSON is parsed by Debian's libjansson (json_loadb: bounded by the line's
 * length, duplicates refused, no NUL inside strings); this file splits
 * lines, caps them, and checks every field a report uses against the row
 * format of docs/dmarc-reports.md, so the aggregation and the XML writer
 * only ever see rows of the right shape.  Fuzzed: fuzz/fuzz_report_log.c. */
#include "host/cli/report_read.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Longest text accepted in a field: a domain name is at most 253 bytes,
 * a rua list or a reason stays well below this. */
#define FIELD_MAX 2048u

static const char *const results[] = {"none", "pass", "fail", "softfail", "neutral",
                                      "temperror", "permerror", "policy", "not_evaluated",
                                      "unknown", NULL};
static const char *const policies[] = {"none", "quarantine", "reject", NULL};
static const char *const align_modes[] = {"r", "s", NULL};
static const char *const yes_no[] = {"y", "n", NULL};
static const char *const psd_words[] = {"u", "y", "n", NULL};
static const char *const methods[] = {"psl", "treewalk", NULL};
/* RFC 9990's PolicyOverrideType, and "temperror": the library's word for
 * an override it could not decide (an ARC temperror under a trusted
 * sealer, docs/arc.md), reported as "other" (report_agg.c). */
static const char *const override_types[] = {"local_policy", "mailing_list", "other",
                                             "policy_test_mode", "trusted_forwarder",
                                             "temperror", NULL};

typedef struct check {
    const char *why; /* first problem, static text */
} check;

static void bad(check *c, const char *why)
{
    if (!c->why)
        c->why = why;
}

static int in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

/* obj[key]: a string (within FIELD_MAX, from `words` when given), or
 * NULL for null / absent when `optional`. */
static const char *str(check *c, json_t *obj, const char *key, int optional,
                       const char *const *words, const char *why)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (!optional)
            bad(c, why);
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) > FIELD_MAX ||
        (words && !in(json_string_value(v), words))) {
        bad(c, why);
        return NULL;
    }
    return json_string_value(v);
}

static json_t *obj(check *c, json_t *o, const char *key, int optional, const char *why)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (!optional)
            bad(c, why);
        return NULL;
    }
    if (!json_is_object(v)) {
        bad(c, why);
        return NULL;
    }
    return v;
}

static void boolean(check *c, json_t *o, const char *key, const char *why)
{
    if (!json_is_boolean(json_object_get(o, key)))
        bad(c, why);
}

static void spf_identity(check *c, json_t *spf, const char *key)
{
    json_t *s = obj(c, spf, key, 1, "spf identity is not an object");
    if (!s)
        return;
    str(c, s, "result", 0, results, "spf result missing or unknown");
    str(c, s, "domain", 1, NULL, "spf domain is not text");
    str(c, s, "reason", 1, NULL, "spf reason is not text");
}

static void dkim(check *c, json_t *root)
{
    json_t *a = json_object_get(root, "dkim");
    if (!json_is_array(a) || json_array_size(a) > RLOG_MAX_DKIM) {
        bad(c, "dkim is not a list of at most 64 signatures");
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s) {
        if (!json_is_object(s)) {
            bad(c, "dkim signature is not an object");
            return;
        }
        str(c, s, "d", 1, NULL, "dkim d is not text");
        str(c, s, "s", 1, NULL, "dkim s is not text");
        str(c, s, "result", 0, results, "dkim result missing or unknown");
        str(c, s, "reason", 1, NULL, "dkim reason is not text");
    }
}

static void published(check *c, json_t *p)
{
    str(c, p, "domain", 0, NULL, "published domain missing");
    str(c, p, "p", 1, policies, "published p unknown");
    str(c, p, "sp", 1, policies, "published sp unknown");
    str(c, p, "np", 1, policies, "published np unknown");
    str(c, p, "adkim", 0, align_modes, "published adkim missing or unknown");
    str(c, p, "aspf", 0, align_modes, "published aspf missing or unknown");
    str(c, p, "t", 0, yes_no, "published t missing or unknown");
    str(c, p, "psd", 0, psd_words, "published psd missing or unknown");
    str(c, p, "fo", 1, NULL, "published fo is not text");
    str(c, p, "rua", 1, NULL, "published rua is not text");
}

static void dmarc(check *c, json_t *d)
{
    str(c, d, "result", 0, results, "dmarc result missing or unknown");
    str(c, d, "disposition", 1, policies, "dmarc disposition unknown");
    str(c, d, "policy", 1, policies, "dmarc policy unknown");
    boolean(c, d, "spf_aligned", "dmarc spf_aligned is not true or false");
    boolean(c, d, "dkim_aligned", "dmarc dkim_aligned is not true or false");
    str(c, d, "discovery_method", 0, methods, "dmarc discovery_method missing or unknown");
    json_t *p = obj(c, d, "published", 1, "dmarc published is not an object");
    if (p)
        published(c, p);
    json_t *o = json_object_get(d, "overrides");
    if (!json_is_array(o) || json_array_size(o) > RLOG_MAX_OVERRIDES) {
        bad(c, "dmarc overrides is not a short list");
        return;
    }
    size_t i;
    json_t *r;
    json_array_foreach(o, i, r) {
        if (!json_is_object(r)) {
            bad(c, "dmarc override is not an object");
            return;
        }
        str(c, r, "type", 0, override_types, "dmarc override type unknown");
        str(c, r, "comment", 1, NULL, "dmarc override comment is not text");
    }
}

int rlog_parse_line(const char *p, size_t len, rlog_row *row, const char **why)
{
    memset(row, 0, sizeof *row);
    json_error_t err;
    json_t *root = json_loadb(p, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        *why = "not JSON";
        return -1;
    }
    check c = {NULL};
    json_t *v = json_object_get(root, "version");
    json_t *t = json_object_get(root, "time");
    if (!json_is_object(root) || !json_is_integer(v) || json_integer_value(v) != 1)
        bad(&c, "not a report row of version 1");
    else if (!json_is_integer(t) || json_integer_value(t) < 0)
        bad(&c, "time is not seconds since the epoch");
    json_t *env = c.why ? NULL : obj(&c, root, "envelope", 0, "envelope missing");
    json_t *msg = c.why ? NULL : obj(&c, root, "message", 0, "message missing");
    json_t *spf = c.why ? NULL : obj(&c, root, "spf", 0, "spf missing");
    if (!c.why) {
        row->ip = str(&c, env, "ip", 1, NULL, "envelope ip is not text");
        row->helo = str(&c, env, "helo", 1, NULL, "envelope helo is not text");
        row->mail_from = str(&c, env, "mail_from", 1, NULL, "envelope mail_from is not text");
        row->header_from = str(&c, msg, "from_domain", 1, NULL, "from_domain is not text");
        spf_identity(&c, spf, "mfrom");
        spf_identity(&c, spf, "helo");
        dkim(&c, root);
        row->dmarc = obj(&c, root, "dmarc", 1, "dmarc is not an object");
    }
    unsigned char ip[16];
    if (!c.why && row->ip && inet_pton(strchr(row->ip, ':') ? AF_INET6 : AF_INET, row->ip, ip) != 1)
        bad(&c, "envelope ip is not an IP address");
    if (!c.why && row->dmarc) {
        dmarc(&c, row->dmarc);
        row->published = c.why ? NULL : obj(&c, row->dmarc, "published", 1, "");
        if (row->published)
            row->policy_domain = str(&c, row->published, "domain", 0, NULL, "");
    }
    if (c.why) {
        json_decref(root);
        memset(row, 0, sizeof *row);
        *why = c.why;
        return -1;
    }
    row->root = root;
    row->time = json_integer_value(t);
    return 0;
}

void rlog_init(rlog_reader *r, const char *file, rlog_row_fn row, rlog_bad_fn bad_fn,
               void *user)
{
    memset(r, 0, sizeof *r);
    r->file = file;
    r->line = 1;
    r->row = row;
    r->bad = bad_fn;
    r->user = user;
}

static void skip(rlog_reader *r, const char *why)
{
    r->skipped++;
    if (r->bad)
        r->bad(r->user, r->file, r->line, why);
}

/* One row's text: a row, or skipped with why (`cut` when the next row
 * follows on the same line). */
static void piece(rlog_reader *r, const char *p, size_t n, int cut)
{
    rlog_row row;
    const char *why;
    if (rlog_parse_line(p, n, &row, &why) < 0) {
        skip(r, cut ? "a cut-off row (a write cut short, e.g. a full disk) with the next "
                      "row appended to it: the next row is read"
                    : why);
    } else {
        r->rows++;
        r->row(r->user, &row);
    }
}

/* Where the next row starts in p[0..n) after its first byte, or n. */
static size_t next_row(const char *p, size_t n)
{
    static const char mark[] = RLOG_ROW_START;
    const size_t k = sizeof mark - 1;
    for (size_t i = 1; i + k <= n; i++) {
        const char *q = memchr(p + i, '{', n - i - k + 1);
        if (!q)
            break;
        i = (size_t)(q - p);
        if (memcmp(q, mark, k) == 0)
            return i;
    }
    return n;
}

/* A line that is no row but holds the start of another row after its
 * first byte: a cut row (its writer's write was cut short) and the next
 * writer's row, which O_APPEND put right behind it.  Each piece is read
 * on its own, so only the cut row is lost.  A whole row has no second
 * start inside (quotes in strings are escaped; no inner object begins
 * with "version"), and the pieces are disjoint, so a line is parsed at
 * most twice, whole and in pieces. */
static void line(rlog_reader *r, const char *p, size_t n)
{
    size_t k = next_row(p, n);
    if (k == n) {
        piece(r, p, n, 0);
        return;
    }
    rlog_row row;
    const char *why;
    if (rlog_parse_line(p, n, &row, &why) == 0) {
        r->rows++;
        r->row(r->user, &row);
        return;
    }
    for (; k < n; k = next_row(p, n)) {
        piece(r, p, k, 1);
        p += k;
        n -= k;
    }
    piece(r, p, n, 0);
}

static void finish_line(rlog_reader *r)
{
    if (r->overlong)
        skip(r, "line longer than 256 KiB");
    else if (r->len > 0)
        line(r, r->buf, r->len);
    r->len = 0;
    r->overlong = 0;
    r->line++;
}

static int append(rlog_reader *r, const char *p, size_t n)
{
    if (r->overlong || n == 0)
        return 0;
    if (n > RLOG_LINE_MAX - r->len) {
        r->overlong = 1;
        return 0;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2; /* <= 2 * RLOG_LINE_MAX: no overflow */
        char *b = realloc(r->buf, cap);
        if (!b)
            return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return 0;
}

int rlog_feed(rlog_reader *r, const char *p, size_t n)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (append(r, p, k) < 0)
            return -1;
        if (!nl)
            break;
        finish_line(r);
        p += k + 1;
        n -= k + 1;
    }
    return 0;
}

void rlog_end(rlog_reader *r)
{
    if (r->len > 0 || r->overlong) {
        skip(r, "last line cut off (no newline): a row still being written, or lost");
        r->len = 0;
        r->overlong = 0;
    }
}

void rlog_free(rlog_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

int rlog_read_file(const char *path, rlog_row_fn row, rlog_bad_fn bad_fn, void *user,
                   size_t *rows, size_t *skipped)
{
    /* zlib reads a plain file as it is and a gzip one decompressed. */
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        if (!errno)
            errno = ENOMEM;
        return -1;
    }
    rlog_reader r;
    rlog_init(&r, path, row, bad_fn, user);
    static char block[1 << 16];
    int rc = 0, n;
    while ((n = gzread(gz, block, sizeof block)) > 0)
        if (rlog_feed(&r, block, (size_t)n) < 0) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
    if (n < 0 && rc == 0) {
        int zerr;
        gzerror(gz, &zerr);
        errno = zerr == Z_ERRNO ? errno : EIO;
        rc = -1;
    }
    if (rc == 0)
        rlog_end(&r);
    *rows = r.rows;
    *skipped = r.skipped;
    rlog_free(&r);
    gzclose(gz);
    return rc;
}
