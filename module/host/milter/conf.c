/* conf.c - /etc/authscore/milter.conf: one `name = value` per line.
 *
 * Lines whose first non-blank character is '#' are comments; there are no
 * comments after a value (a '#' there is part of it, as in Exim's files,
 * so a stray note makes the value wrong and loud, never half-read).  The
 * milter's own names are in `keys` below; every other name goes to
 * authscore_ctx_set_option() in file order (holder.c), so the library's
 * options keep their names and checks.  Any error names the file and the
 * line, and the daemon refuses to start (or a reload keeps the old one).
 * Own parser: the format is the Exim host's options file, and Debian has
 * no library for `name = value` lines with these caps and messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/milter/milter.h"

enum kind { K_TEXT, K_MODE, K_SIZE, K_WORD, K_SCORE, K_REPLY4, K_REPLY5,
            K_NETS, K_HEADER };

/* A K_WORD value: the words, the int each one sets, and the error text
 * that names them. */
struct words {
    const char *const *w;
    const int *v;
    const char *why;
};
static const char *const act2_w[] = {"tempfail", "accept", NULL};
static const int act2_v[] = {AS_ACT_TEMPFAIL, AS_ACT_ACCEPT};
static const struct words act2 = {act2_w, act2_v,
    "tempfail or accept (never reject: the failure is not the sender's)"};
static const char *const reject_w[] = {"reject", "quarantine", "tempfail", "mark", NULL};
static const int reject_v[] = {AS_ACT_REJECT, AS_ACT_QUARANTINE, AS_ACT_TEMPFAIL, AS_ACT_ACCEPT};
static const struct words reject = {reject_w, reject_v, "reject, quarantine, tempfail or mark"};
static const char *const quar_w[] = {"quarantine", "mark", NULL};
static const int quar_v[] = {AS_ACT_QUARANTINE, AS_ACT_ACCEPT};
static const struct words quar = {quar_w, quar_v, "quarantine or mark"};
static const char *const bool_w[] = {"yes", "no", "1", "0", NULL};
static const int bool_v[] = {1, 0, 1, 0};
static const struct words yesno = {bool_w, bool_v, "yes or no"};

struct key {
    const char *name;
    enum kind kind;
    size_t off;  /* the field in struct as_milter_conf */
    size_t off2; /* K_SCORE: its has_ flag */
    const struct words *words;
};

#define F(x) offsetof(struct as_milter_conf, x)
static const struct key keys[] = {
    {"socket", K_TEXT, F(socket), 0, NULL},
    {"socket_mode", K_MODE, F(socket_mode), 0, NULL},
    {"socket_group", K_TEXT, F(socket_group), 0, NULL},
    {"user", K_TEXT, F(user), 0, NULL},
    {"pid_file", K_TEXT, F(pid_file), 0, NULL},
    {"authserv_id", K_TEXT, F(authserv_id), 0, NULL},
    {"max_message_size", K_SIZE, F(max_message_size), 0, NULL},
    {"oversize_action", K_WORD, F(oversize_action), 0, &act2},
    {"temperror_action", K_WORD, F(temperror_action), 0, &act2},
    {"dmarc_reject", K_WORD, F(dmarc_reject), 0, &reject},
    {"dmarc_quarantine", K_WORD, F(dmarc_quarantine), 0, &quar},
    {"score_reject", K_SCORE, F(score_reject), F(has_score_reject), NULL},
    {"score_tempfail", K_SCORE, F(score_tempfail), F(has_score_tempfail), NULL},
    {"score_quarantine", K_SCORE, F(score_quarantine), F(has_score_quarantine), NULL},
    {"dmarc_reject_reply", K_REPLY5, F(dmarc_reply), 0, NULL},
    {"score_reject_reply", K_REPLY5, F(score_reply), 0, NULL},
    {"tempfail_reply", K_REPLY4, F(tempfail_reply), 0, NULL},
    {"score_header", K_HEADER, F(score_header), 0, NULL},
    {"skip_hosts", K_NETS, 0, 0, NULL},
    {"skip_authenticated", K_WORD, F(skip_authenticated), 0, &yesno},
};
#undef F
#define NKEYS (sizeof keys / sizeof keys[0])

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

/* a and b differ by at most one inserted, deleted, replaced or swapped
 * character: a typo of a milter name, told with the name meant. */
static int one_typo(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > lb + 1 || lb > la + 1)
        return 0;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (la == lb)
        return strcmp(a + i + (i < la), b + i + (i < lb)) == 0 ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                strcmp(a + i + 2, b + i + 2) == 0);
    return la > lb ? strcmp(a + i + 1, b + i) == 0 : strcmp(a + i, b + i + 1) == 0;
}

/* A decimal number for a score threshold: [-]digits[.digits], at most
 * six decimals and 1e6 in size; parsed here, never with strtod, so the
 * process's locale cannot change what a threshold means. */
static int parse_number(const char *s, double *out)
{
    int neg = *s == '-';
    s += neg;
    long long whole = 0, frac = 0, scale = 1;
    size_t digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (whole > 1000000)
            return -1;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        for (size_t n = 0; *s >= '0' && *s <= '9'; s++, n++, digits++) {
            if (n == 6)
                return -1;
            frac = frac * 10 + (*s - '0');
            scale *= 10;
        }
    }
    if (*s || digits == 0 || whole > 1000000)
        return -1;
    *out = ((double)whole + (double)frac / (double)scale) * (neg ? -1 : 1);
    return 0;
}

static int parse_size(const char *s, size_t *out)
{
    size_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > AS_MILTER_MAX_MESSAGE_MAX)
            return -1;
        v = v * 10 + (size_t)(*s - '0');
    }
    if (v < AS_MILTER_MIN_MESSAGE_MAX || v > AS_MILTER_MAX_MESSAGE_MAX)
        return -1;
    *out = v;
    return 0;
}

/* "550 5.7.1 text": the code's class is `cls` ('4' or '5'), the enhanced
 * code (RFC 3463) has the same class, the text is printable ASCII
 * without '%' (libmilter would read it as a format). */
static int parse_reply(const char *s, char cls, struct as_milter_reply *r,
                       const char **why)
{
    size_t n = strlen(s);
    if (n < 4 || s[0] != cls || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
        s[2] > '9' || s[3] != ' ') {
        *why = cls == '5' ? "a reply starts with a 5xx code" : "a reply starts with a 4xx code";
        return -1;
    }
    const char *x = s + 4, *sp = strchr(x, ' ');
    size_t xl = sp ? (size_t)(sp - x) : strlen(x);
    int dots = 0, ok = xl >= 5 && xl < sizeof r->xcode && x[0] == cls && x[1] == '.';
    for (size_t i = 0; ok && i < xl; i++) {
        if (x[i] == '.')
            dots++;
        else if (x[i] < '0' || x[i] > '9')
            ok = 0;
    }
    if (!ok || dots != 2 || x[xl - 1] == '.' || !sp || !sp[1]) {
        *why = "expected CODE X.Y.Z text, e.g. 550 5.7.1 rejected";
        return -1;
    }
    const char *t = sp + 1;
    if (strlen(t) > AS_MILTER_REPLY_TEXT_MAX) {
        *why = "reply text longer than 200 bytes";
        return -1;
    }
    for (const char *q = t; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e || *q == '%') {
            *why = "reply text must be printable ASCII without '%'";
            return -1;
        }
    memcpy(r->code, s, 3);
    r->code[3] = '\0';
    memcpy(r->xcode, x, xl);
    r->xcode[xl] = '\0';
    snprintf(r->text, sizeof r->text, "%s", t);
    return 0;
}

static int parse_net(const char *s, size_t len, struct as_milter_net *n)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *slash = strchr(tmp, '/');
    if (slash)
        *slash = '\0';
    memset(n, 0, sizeof *n);
    if (inet_pton(AF_INET, tmp, n->addr) == 1)
        n->family = AF_INET, n->prefix = 32;
    else if (inet_pton(AF_INET6, tmp, n->addr) == 1)
        n->family = AF_INET6, n->prefix = 128;
    else
        return -1;
    if (slash) {
        const char *d = slash + 1;
        unsigned v = 0;
        if (!*d || strlen(d) > 3)
            return -1;
        for (; *d; d++) {
            if (*d < '0' || *d > '9')
                return -1;
            v = v * 10 + (unsigned)(*d - '0');
        }
        if (v > n->prefix)
            return -1;
        n->prefix = v;
    }
    return 0;
}

static int parse_nets(const char *s, struct as_milter_conf *c, const char **why)
{
    c->nskip = 0;
    c->skip_local = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        size_t n = strcspn(s, " \t,");
        if (!n)
            break;
        if (n == 5 && memcmp(s, "local", 5) == 0) {
            c->skip_local = 1;
            s += n;
            continue;
        }
        if (c->nskip == AS_MILTER_MAX_NETS) {
            *why = "more than 64 networks";
            return -1;
        }
        if (parse_net(s, n, &c->skip[c->nskip]) < 0) {
            *why = "expected local, addresses or networks (192.0.2.0/24, 2001:db8::/32), or none";
            return -1;
        }
        c->nskip++;
        s += n;
    }
    return 0;
}

static int word(const char *v, const char *const *words, const int *acts,
                int *out)
{
    for (size_t i = 0; words[i]; i++)
        if (strcmp(v, words[i]) == 0) {
            *out = acts[i];
            return 0;
        }
    return -1;
}

/* Set one milter key from `v`.  Returns 0, or -1 with *why. */
static int set_key(struct as_milter_conf *c, const struct key *k, const char *v,
                   const char **why)
{
    char *base = (char *)c;
    switch (k->kind) {
    case K_TEXT:
        if (!*v || strlen(v) > AS_MILTER_TEXT_MAX) {
            *why = "empty, or longer than 4095 bytes";
            return -1;
        }
        *(const char **)(base + k->off) = v;
        return 0;
    case K_HEADER: {
        size_t n = strlen(v);
        for (size_t i = 0; i < n; i++)
            if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == ':')
                n = 0;
        if (strcmp(v, "none") != 0 && (n == 0 || n > AS_MILTER_HEADER_NAME_MAX)) {
            *why = "a header field name (RFC 5322 ftext, at most 64 bytes), or none";
            return -1;
        }
        *(const char **)(base + k->off) = strcmp(v, "none") == 0 ? NULL : v;
        return 0;
    }
    case K_MODE: {
        unsigned m = 0;
        size_t n = strlen(v);
        for (size_t i = 0; i < n; i++)
            m = v[i] >= '0' && v[i] <= '7' ? m * 8 + (unsigned)(v[i] - '0') : 01000;
        if (n < 3 || n > 4 || m > 0777) {
            *why = "an octal mode such as 0660";
            return -1;
        }
        *(unsigned *)(base + k->off) = m;
        return 0;
    }
    case K_SIZE:
        if (parse_size(v, (size_t *)(base + k->off)) < 0) {
            *why = "bytes, plain digits, 65536 to 1073741824";
            return -1;
        }
        return 0;
    case K_WORD:
        if (word(v, k->words->w, k->words->v, (int *)(base + k->off)) < 0) {
            *why = k->words->why;
            return -1;
        }
        return 0;
    case K_SCORE:
        if (strcmp(v, "none") == 0) {
            *(int *)(base + k->off2) = 0;
            return 0;
        }
        if (parse_number(v, (double *)(base + k->off)) < 0) {
            *why = "a number such as 6 or -1.5 (at most 6 decimals), or none";
            return -1;
        }
        *(int *)(base + k->off2) = 1;
        return 0;
    case K_REPLY4:
    case K_REPLY5:
        return parse_reply(v, k->kind == K_REPLY4 ? '4' : '5',
                           (struct as_milter_reply *)(base + k->off), why);
    case K_NETS:
        return parse_nets(v, c, why);
    }
    return -1;
}

static void defaults(struct as_milter_conf *c)
{
    memset(c, 0, sizeof *c);
    c->socket = "unix:/run/authscore/milter.sock";
    c->socket_mode = 0660;
    c->max_message_size = AS_MILTER_DEFAULT_MESSAGE_MAX;
    c->oversize_action = AS_ACT_TEMPFAIL;
    c->temperror_action = AS_ACT_TEMPFAIL;
    c->dmarc_reject = AS_ACT_REJECT;
    c->dmarc_quarantine = AS_ACT_QUARANTINE;
    c->skip_authenticated = 1;
    const char *why;
    (void)parse_reply("550 5.7.1 rejected by the DMARC policy of the author domain",
                      '5', &c->dmarc_reply, &why);
    (void)parse_reply("550 5.7.1 authentication score too high", '5',
                      &c->score_reply, &why);
    (void)parse_reply("451 4.7.5 temporary failure while checking SPF, DKIM or DMARC",
                      '4', &c->tempfail_reply, &why);
    (void)parse_nets("local 127.0.0.0/8 ::1", c, &why);
}

/* One line (without its '\n'), `line` bytes at p; items are
 * NUL-terminated in place (p points into c->text). */
static int parse_line(struct as_milter_conf *c, char *p, size_t len,
                      unsigned lineno, unsigned *seen, char *err, size_t errlen)
{
    const char *path = c->path;
    while (len && is_blank(p[len - 1]))
        len--;
    while (len && is_blank(*p))
        p++, len--;
    if (len == 0 || *p == '#')
        return 0;
    char *eq = memchr(p, '=', len);
    if (!eq) {
        snprintf(err, errlen, "%s:%u: expected name = value", path, lineno);
        return -1;
    }
    size_t nlen = (size_t)(eq - p);
    while (nlen && is_blank(p[nlen - 1]))
        nlen--;
    char *v = eq + 1;
    size_t vlen = len - (size_t)(v - p);
    while (vlen && is_blank(*v))
        v++, vlen--;
    if (nlen == 0 || nlen > AS_MILTER_CONF_MAX_NAME) {
        snprintf(err, errlen, "%s:%u: a name of 1 to %u characters before '='",
                 path, lineno, AS_MILTER_CONF_MAX_NAME);
        return -1;
    }
    for (size_t i = 0; i < nlen; i++)
        if (!is_name_char(p[i])) {
            snprintf(err, errlen, "%s:%u: names are lower-case letters, digits, "
                     "'_' and '.'", path, lineno);
            return -1;
        }
    p[nlen] = '\0';
    v[vlen] = '\0';
    for (size_t i = 0; i < vlen; i++)
        if ((unsigned char)v[i] < 0x20 && v[i] != '\t') {
            snprintf(err, errlen, "%s:%u: %s: control character in the value",
                     path, lineno, p);
            return -1;
        }
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(p, keys[i].name) != 0)
            continue;
        if (seen[i]) {
            snprintf(err, errlen, "%s:%u: %s is already set at line %u", path,
                     lineno, p, seen[i]);
            return -1;
        }
        seen[i] = lineno;
        const char *why = "bad value";
        if (set_key(c, &keys[i], v, &why) < 0) {
            snprintf(err, errlen, "%s:%u: %s = %.64s: %s", path, lineno, p, v, why);
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < NKEYS; i++)
        if (!strchr(p, '.') && one_typo(p, keys[i].name)) {
            snprintf(err, errlen, "%s:%u: unknown option %s (did you mean %s?)",
                     path, lineno, p, keys[i].name);
            return -1;
        }
    /* Not ours: the library's, checked when the context is built. */
    if (c->nlib == AS_MILTER_CONF_MAX_LIB) {
        snprintf(err, errlen, "%s:%u: more than %u library options", path,
                 lineno, AS_MILTER_CONF_MAX_LIB);
        return -1;
    }
    c->lib[c->nlib].name = p;
    c->lib[c->nlib].value = v;
    c->lib[c->nlib].line = lineno;
    c->nlib++;
    return 0;
}

int as_milter_conf_parse(const char *path, const char *p, size_t len,
                         struct as_milter_conf *c, char *err, size_t errlen)
{
    defaults(c);
    if (len > AS_MILTER_CONF_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %u bytes", path, AS_MILTER_CONF_MAX_BYTES);
        return -1;
    }
    c->path = strdup(path);
    c->text = malloc(len + 1);
    if (!c->path || !c->text) {
        snprintf(err, errlen, "%s: out of memory", path);
        as_milter_conf_free(c);
        return -1;
    }
    memcpy(c->text, p, len);
    c->text[len] = '\0';
    unsigned seen[NKEYS] = {0};
    size_t off = 0;
    for (unsigned lineno = 1; off < len; lineno++) {
        char *line = c->text + off;
        char *nl = memchr(line, '\n', len - off);
        size_t n = nl ? (size_t)(nl - line) : len - off;
        if (memchr(line, '\0', n)) {
            snprintf(err, errlen, "%s:%u: NUL byte", path, lineno);
            as_milter_conf_free(c);
            return -1;
        }
        if (n > AS_MILTER_CONF_MAX_LINE) {
            snprintf(err, errlen, "%s:%u: line longer than %u bytes", path,
                     lineno, AS_MILTER_CONF_MAX_LINE);
            as_milter_conf_free(c);
            return -1;
        }
        if (parse_line(c, line, n, lineno, seen, err, errlen) < 0) {
            as_milter_conf_free(c);
            return -1;
        }
        off += n + 1;
    }
    return 0;
}

int as_milter_conf_load(const char *path, struct as_milter_conf *c, char *err,
                        size_t errlen)
{
    defaults(c);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > AS_MILTER_CONF_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %u bytes", path, AS_MILTER_CONF_MAX_BYTES);
        close(fd);
        return -1;
    }
    char *buf = malloc(AS_MILTER_CONF_MAX_BYTES + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        close(fd);
        return -1;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, AS_MILTER_CONF_MAX_BYTES + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (n == 0 || (len += (size_t)n) > AS_MILTER_CONF_MAX_BYTES)
            break;
    }
    close(fd);
    int rc = as_milter_conf_parse(path, buf, len, c, err, errlen);
    free(buf);
    return rc;
}

void as_milter_conf_free(struct as_milter_conf *c)
{
    free(c->path);
    free(c->text);
    c->path = c->text = NULL;
    c->nlib = 0;
}

static int in_net(const struct as_milter_net *n, const unsigned char *a)
{
    unsigned full = n->prefix / 8, rest = n->prefix % 8;
    if (memcmp(n->addr, a, full) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (n->addr[full] & mask) == (a[full] & mask);
}

int as_milter_conf_skips(const struct as_milter_conf *c, const char *ip)
{
    unsigned char a4[4], a6[16];
    int is4 = inet_pton(AF_INET, ip, a4) == 1;
    int is6 = !is4 && inet_pton(AF_INET6, ip, a6) == 1;
    for (size_t i = 0; i < c->nskip; i++) {
        const struct as_milter_net *n = &c->skip[i];
        if ((is4 && n->family == AF_INET && in_net(n, a4)) ||
            (is6 && n->family == AF_INET6 && in_net(n, a6)))
            return 1;
    }
    return 0;
}
