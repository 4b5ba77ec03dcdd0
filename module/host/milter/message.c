/* message.c - one message as the MTA hands it over, kept in one bounded
 * buffer for authscore_msg_new() (which borrows it): the header fields
 * as they came, CRLF line ends, an empty line, the body chunks.  Nothing
 * else copies the message.  Past `max` bytes the buffer is freed at once
 * and the message is marked oversize: it gets oversize_action, never a
 * verdict on half a body.  The Authentication-Results fields that carry
 * our authserv-id are noted by index, to be deleted at end of message
 * (RFC 8601 section 5), also for messages that are not evaluated. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host/milter/milter.h"

/* First allocation; doubling from here reaches 64 MiB in 10 steps. */
#define AS_MILTER_BUF_START ((size_t)64 << 10)

void as_milter_msg_start(struct as_milter_msg *m, size_t max, int keep_body)
{
    memset(m, 0, sizeof *m);
    m->max = max;
    m->keep_body = keep_body;
}

void as_milter_msg_free(struct as_milter_msg *m)
{
    free(m->buf);
    m->buf = NULL;
    m->len = m->cap = 0;
}

static void append(struct as_milter_msg *m, const void *p, size_t n)
{
    if (!m->keep_body || m->oversize || m->oom || n == 0)
        return;
    if (n > m->max - m->len) {
        m->oversize = 1;
        as_milter_msg_free(m);
        return;
    }
    if (n > m->cap - m->len) {
        size_t want = m->cap ? m->cap : AS_MILTER_BUF_START;
        while (want - m->len < n && want < m->max)
            want = want > m->max / 2 ? m->max : want * 2;
        if (want > m->max)
            want = m->max;
        char *nb = realloc(m->buf, want);
        if (!nb) {
            m->oom = 1;
            as_milter_msg_free(m);
            return;
        }
        m->buf = nb;
        m->cap = want;
    }
    memcpy(m->buf + m->len, p, n);
    m->len += n;
}

/* `p` with every line end written as CRLF: the MTA joins folded lines with
 * LF (Postfix) or CRLF; a CR already before the LF is kept. */
static void append_crlf(struct as_milter_msg *m, const char *p, size_t n)
{
    while (n) {
        const char *lf = memchr(p, '\n', n);
        if (!lf) {
            append(m, p, n);
            return;
        }
        size_t k = (size_t)(lf - p);
        if (k && p[k - 1] == '\r')
            append(m, p, k + 1);
        else {
            append(m, p, k);
            append(m, "\r\n", 2);
        }
        p += k + 1;
        n -= k + 1;
    }
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip CFWS (RFC 5322 3.2.2): white space and nested comments with
 * quoted-pairs.  Returns the offset after it. */
static size_t skip_cfws(const char *p, size_t len, size_t i)
{
    unsigned depth = 0;
    for (; i < len; i++) {
        char c = p[i];
        if (depth) {
            if (c == '\\' && i + 1 < len)
                i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
        } else if (c == '(')
            depth = 1;
        else if (!is_ws(c))
            break;
    }
    return i;
}

int as_milter_ar_is_ours(const char *p, size_t len, const char *authserv_id)
{
    char id[256];
    size_t n = 0;
    size_t i = skip_cfws(p, len, 0);
    if (i < len && p[i] == '"') {
        for (i++; i < len && p[i] != '"'; i++) {
            if (p[i] == '\\' && i + 1 < len)
                i++;
            if (n == sizeof id - 1)
                return 0;
            id[n++] = p[i];
        }
        if (i == len)
            return 0;
    } else {
        for (; i < len && !is_ws(p[i]) && p[i] != ';' && p[i] != '(' &&
               p[i] != '"'; i++) {
            if (n == sizeof id - 1)
                return 0;
            id[n++] = p[i];
        }
    }
    id[n] = '\0';
    return n && strlen(authserv_id) == n && strcasecmp(id, authserv_id) == 0;
}

void as_milter_msg_header(struct as_milter_msg *m, const char *name,
                          const char *value, int leadspc,
                          const char *authserv_id)
{
    size_t vlen = strlen(value);
    if (strcasecmp(name, "Authentication-Results") == 0) {
        m->ar_seen++;
        if (as_milter_ar_is_ours(value, vlen, authserv_id)) {
            if (m->nown < AS_MILTER_MAX_OWN_AR)
                m->own_ar[m->nown++] = m->ar_seen;
            else
                m->own_overflow = 1;
        }
    }
    append(m, name, strlen(name));
    append(m, leadspc ? ":" : ": ", leadspc ? 1 : 2);
    append_crlf(m, value, vlen);
    append(m, "\r\n", 2);
}

void as_milter_msg_eoh(struct as_milter_msg *m)
{
    append(m, "\r\n", 2);
}

void as_milter_msg_body(struct as_milter_msg *m, const unsigned char *p,
                        size_t len)
{
    append(m, p, len);
}
