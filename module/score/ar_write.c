/* ar_write.c - RFC 8601 Authentication-Results field value.
 *
 * Shape: authserv-id; spf=... smtp.mailfrom=...; spf=... smtp.helo=...;
 * dkim=... header.d= header.s= header.a= (comment); arc=... (comment)
 * header.oldest-pass= smtp.remote-ip= (RFC 8617 10.1, only when the
 * message has ARC fields); dmarc=... header.from= policy.dmarc=
 * (comment, with a rule's override).  Comments go last in a resinfo
 * (trailing CFWS of the last pvalue), so "spf=pass smtp.mailfrom=x" stays
 * greppable.  Every hostile string passes through clean() and is emitted
 * as a token, local-part@domain-name, or a quoted-string. */
#include "util/names.h"
#include "score/ar_write.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>

/* Bytes of a C string scanned for one value: the cap plus the tail of a
 * UTF-8 character that starts before it, so a cut never depends on how
 * much of the string was looked at. */
#define AR_SCAN (AS_AR_MAX_VALUE + 4u)
/* Room kept for the "(N more dkim results)" comment. */
#define AR_RESERVE 64u
/* One resinfo never exceeds this (values are capped at AS_AR_MAX_VALUE,
 * quoting at most doubles them): the per-resinfo buffer's cap. */
#define AR_MAX_RESINFO 4096u

/* ---- character classes (ASCII only; wire data is never locale text) ---- */

/* RFC 2045 5.1 tspecials. */
static int is_tspecial(unsigned char c)
{
    return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static int is_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

/* RFC 5322 3.2.3 atext. */
static int is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_token(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_token_char((unsigned char)s[i]))
            return 0;
    return 1;
}

/* RFC 5322 3.2.3 dot-atom-text. */
static int is_dot_atom(const char *s, size_t n)
{
    if (!n || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i - 1] == '.')
                return 0;
        } else if (!is_atext((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* RFC 6376 3.5 domain-name: sub-domain 1*("." sub-domain), sub-domain =
 * let-dig [ldh-str] (RFC 5321 4.1.2).  The grammar RFC 8601 pvalue uses. */
static int is_domain_name(const char *s, size_t n)
{
    size_t labels = 0, i = 0;
    while (i <= n) {
        size_t start = i;
        while (i < n && s[i] != '.')
            i++;
        size_t len = i - start;
        if (!len || !is_alnum((unsigned char)s[start]) ||
            !is_alnum((unsigned char)s[i - 1]))
            return 0;
        for (size_t k = start; k < i; k++)
            if (!is_alnum((unsigned char)s[k]) && s[k] != '-')
                return 0;
        labels++;
        i++; /* past the dot, or past the end */
    }
    return labels >= 2;
}

/* Length of the valid UTF-8 sequence (RFC 3629) at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        need = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong */
        if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f; /* <= U+10FFFF */
    } else
        return 0;
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return need;
}

/* clean() into dst[cap]: see as_ar_clean.  ascii_only: 8-bit becomes '?'
 * even when valid UTF-8 (comments, authserv-id).  Returns the length. */
static size_t clean(char *dst, size_t cap, const char *p, size_t len, int ascii_only)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < len && o < cap;) {
        unsigned char c = s[i];
        if (c == '\t') {
            dst[o++] = ' ';
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            dst[o++] = '?';
            i++;
        } else if (c < 0x80) {
            dst[o++] = (char)c;
            i++;
        } else {
            size_t k = ascii_only ? 0 : utf8_len(s + i, len - i);
            if (!k) {
                dst[o++] = '?';
                i++;
            } else if (o + k > cap) {
                break; /* never cut inside a character */
            } else {
                memcpy(dst + o, s + i, k);
                o += k;
                i += k;
            }
        }
    }
    return o;
}

size_t as_ar_clean_to(char *dst, size_t cap, const char *p, size_t len)
{
    return clean(dst, cap, p ? p : "", p ? len : 0, 0);
}

void as_ar_clean(as_buf *b, const char *p, size_t len, size_t max)
{
    char tmp[AS_AR_MAX_VALUE];
    if (max > sizeof tmp)
        max = sizeof tmp;
    size_t n = clean(tmp, max, p ? p : "", p ? len : 0, 0);
    as_buf_append(b, tmp, n);
}

/* ---- emitters ---- */

static void put_quoted(as_buf *b, const char *s, size_t n)
{
    as_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            as_buf_putc(b, '\\');
        as_buf_putc(b, s[i]);
    }
    as_buf_putc(b, '"');
}

/* A valid RFC 5322 quoted-string (qtext, quoted-pair of VCHAR/WSP, WSP)
 * decoded into dst (at most n bytes); returns the decoded length or -1. */
static long decode_quoted(const char *s, size_t n, char *dst)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return -1;
    size_t o = 0;
    for (size_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return -1;
        if (c == '\\') {
            if (i + 1 >= n - 1)
                return -1;
            c = (unsigned char)s[++i];
        }
        dst[o++] = (char)c;
    }
    return (long)o;
}

/* A property value (RFC 8601 2.2 pvalue) from hostile bytes. */
static void put_pvalue(as_buf *b, const char *p, size_t len)
{
    char s[AS_AR_MAX_VALUE];
    size_t n = clean(s, sizeof s, p, len, 0);
    if (is_token(s, n)) {
        as_buf_append(b, s, n);
        return;
    }
    const char *at = n ? memrchr(s, '@', n) : NULL;
    if (at && is_domain_name(at + 1, n - (size_t)(at + 1 - s))) {
        size_t ln = (size_t)(at - s);
        char dec[AS_AR_MAX_VALUE];
        long dn = decode_quoted(s, ln, dec);
        const char *l = s;
        if (dn >= 0) { /* already quoted: re-encode from its meaning */
            l = dec;
            ln = (size_t)dn;
        }
        if (ln == 0 && dn < 0)
            ; /* "@domain" */
        else if (is_dot_atom(l, ln))
            as_buf_append(b, l, ln);
        else
            put_quoted(b, l, ln);
        as_buf_append(b, at, n - (size_t)(at - s));
        return;
    }
    put_quoted(b, s, n);
}

static void put_prop(as_buf *b, const char *name, const char *v)
{
    if (!v)
        return;
    as_buf_putc(b, ' ');
    as_buf_puts(b, name);
    as_buf_putc(b, '=');
    put_pvalue(b, v, strnlen(v, AR_SCAN));
}

static void put_reason(as_buf *b, const char *r)
{
    if (!r || !*r)
        return;
    char s[AS_AR_MAX_VALUE];
    size_t n = clean(s, sizeof s, r, strnlen(r, AR_SCAN), 0);
    as_buf_puts(b, " reason=");
    put_quoted(b, s, n);
}

/* A comment built from items; ( ) \ are escaped, 8-bit becomes '?'. */
typedef struct comment {
    char text[512];
    size_t len;
} comment;

static void comment_add(comment *c, const char *item)
{
    char s[AS_AR_MAX_VALUE];
    size_t n = clean(s, sizeof s, item, strnlen(item, AR_SCAN), 1);
    /* Worst case: separator + every byte escaped. */
    if (c->len + 2 + 2 * n > sizeof c->text)
        return;
    if (c->len) {
        c->text[c->len++] = ',';
        c->text[c->len++] = ' ';
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(' || s[i] == ')' || s[i] == '\\')
            c->text[c->len++] = '\\';
        c->text[c->len++] = s[i];
    }
}

static void put_comment(as_buf *b, const comment *c)
{
    if (!c->len)
        return;
    as_buf_puts(b, " (");
    as_buf_append(b, c->text, c->len);
    as_buf_putc(b, ')');
}

static void dnssec_item(comment *c, int state)
{
    switch (state) {
    case AUTHSCORE_DNSSEC_SECURE: comment_add(c, "DNSSEC secure"); break;
    case AUTHSCORE_DNSSEC_INSECURE: comment_add(c, "DNSSEC insecure"); break;
    case AUTHSCORE_DNSSEC_BOGUS: comment_add(c, "DNSSEC bogus"); break;
    default: break; /* indeterminate: no DNS answer behind it */
    }
}

/* ---- resinfos ---- */

static int spf_resinfo(as_buf *b, const as_spf_result *r, int id, const char *fallback)
{
    const char *w = r ? as_result_word(r->result) : NULL;
    if (!w)
        return 0;
    as_buf_puts(b, "; spf=");
    as_buf_puts(b, w);
    if (r->result != AUTHSCORE_RES_PASS)
        put_reason(b, r->reason);
    if (id == AUTHSCORE_SPF_MFROM)
        put_prop(b, "smtp.mailfrom", r->identity ? r->identity : fallback);
    else
        put_prop(b, "smtp.helo", r->domain ? r->domain : fallback);
    comment c = {.len = 0};
    dnssec_item(&c, r->dnssec);
    put_comment(b, &c);
    return 1;
}

/* Digits of a small non-negative number into dst (at least 12 bytes). */
static const char *num(char *dst, long v)
{
    char tmp[24];
    size_t k = 0, n = 0;
    do
        tmp[k++] = (char)('0' + v % 10);
    while ((v /= 10) > 0 && k < sizeof tmp);
    while (k)
        dst[n++] = tmp[--k];
    dst[n] = '\0';
    return dst;
}

static int dkim_resinfo(as_buf *b, const as_dkim_sig_result *r)
{
    const char *w = r ? as_result_word(r->result) : NULL;
    if (!w)
        return 0;
    as_buf_puts(b, "; dkim=");
    as_buf_puts(b, w);
    if (r->result != AUTHSCORE_RES_PASS)
        put_reason(b, r->reason);
    put_prop(b, "header.d", r->d);
    put_prop(b, "header.s", r->s);
    put_prop(b, "header.a", r->a);
    comment c = {.len = 0};
    if (r->key_bits > 0) {
        char bits[40];
        num(bits, r->key_bits);
        strcat(bits, "-bit key");
        comment_add(&c, bits);
    }
    dnssec_item(&c, r->dnssec);
    if (r->flags & AUTHSCORE_DKIM_WEAK_ALGORITHM)
        comment_add(&c, "weak algorithm");
    if (r->flags & AUTHSCORE_DKIM_TESTING_KEY)
        comment_add(&c, "testing key");
    if (r->flags & AUTHSCORE_DKIM_UNSIGNED_CONTENT)
        comment_add(&c, "unsigned content after l=");
    put_comment(b, &c);
    return 1;
}

/* The DNSSEC state of a chain's seal keys: bogus, then insecure, then
 * secure beats the rest; indeterminate (no answer) says nothing. */
static int arc_dnssec(const as_arc_result *r)
{
    int worst = AUTHSCORE_DNSSEC_INDETERMINATE;
    static const int rank[] = {[AUTHSCORE_DNSSEC_INDETERMINATE] = 0,
                               [AUTHSCORE_DNSSEC_SECURE] = 1,
                               [AUTHSCORE_DNSSEC_INSECURE] = 2,
                               [AUTHSCORE_DNSSEC_BOGUS] = 3};
    for (size_t j = 0; j < r->n_inst; j++) {
        int s = r->inst[j].dnssec;
        if (s >= 0 && s <= AUTHSCORE_DNSSEC_BOGUS && rank[s] > rank[worst])
            worst = s;
    }
    return worst;
}

/* RFC 8617 10.1: arc=pass (i=N, ...) header.oldest-pass=K
 * smtp.remote-ip=...  Nothing for a message without ARC fields (an
 * "arc=none" on every header would say nothing a reader needs). */
static int arc_resinfo(as_buf *b, const as_arc_result *r, const char *remote_ip)
{
    const char *w = r ? as_result_word(r->result) : NULL;
    if (!w || r->result == AUTHSCORE_RES_NONE)
        return 0;
    as_buf_puts(b, "; arc=");
    as_buf_puts(b, w);
    if (r->result != AUTHSCORE_RES_PASS)
        put_reason(b, r->reason);
    comment c = {.len = 0};
    char item[AS_AR_MAX_VALUE + 8], n[24];
    memcpy(item, "i=", 3);
    strcat(item, num(n, r->chain_length));
    comment_add(&c, item);
    if (r->n_inst && r->inst[r->n_inst - 1].d) {
        size_t dl = strnlen(r->inst[r->n_inst - 1].d, AS_AR_MAX_VALUE);
        memcpy(item, "d=", 2);
        memcpy(item + 2, r->inst[r->n_inst - 1].d, dl);
        item[2 + dl] = '\0';
        comment_add(&c, item);
    }
    dnssec_item(&c, arc_dnssec(r));
    put_comment(b, &c);
    if (r->result == AUTHSCORE_RES_PASS) {
        as_buf_puts(b, " header.oldest-pass=");
        as_buf_puts(b, num(n, r->oldest_pass > 0 ? r->oldest_pass : 0));
    }
    put_prop(b, "smtp.remote-ip", remote_ip);
    return 1;
}

/* RFC 7489 7.2's PolicyOverride, as the report would carry it. */
static void override_items(comment *c, const as_dmarc_override *o)
{
    char item[AS_AR_MAX_VALUE + 32], n[24];
    if (o && o->undetermined) {
        comment_add(c, "override=temperror");
        comment_add(c, "arc temperror");
        return;
    }
    if (!o || !o->active)
        return;
    snprintf(item, sizeof item, "override=%s", o->type);
    comment_add(c, item);
    const char *dw = as_policy_word(o->disposition);
    snprintf(item, sizeof item, "disposition=%s", dw ? dw : "none");
    comment_add(c, item);
    if (o->sealer) {
        snprintf(item, sizeof item, "sealer=%.*s i=%s", (int)strnlen(o->sealer, AS_AR_MAX_VALUE),
                 o->sealer, num(n, o->instance));
        comment_add(c, item);
    }
}

static int dmarc_resinfo(as_buf *b, const as_dmarc_result *r, const as_dmarc_override *o)
{
    const char *w = r ? as_result_word(r->result) : NULL;
    if (!w)
        return 0;
    as_buf_puts(b, "; dmarc=");
    as_buf_puts(b, w);
    if (r->result != AUTHSCORE_RES_PASS)
        put_reason(b, r->reason);
    put_prop(b, "header.from", r->from_domain);
    /* RFC 9989 11.2: policy.dmarc is the policy applied after sp/np and
     * the t=/pct downgrade; the comment keeps the published one. */
    int applied = r->policy;
    if (r->downgraded && applied > AUTHSCORE_DMARC_POLICY_NONE)
        applied--;
    const char *pw = as_policy_word(applied);
    if (pw) {
        as_buf_puts(b, " policy.dmarc=");
        as_buf_puts(b, pw);
    }
    comment c = {.len = 0};
    const char *pub = as_policy_word(r->policy);
    const char *tag = r->policy_tag ? r->policy_tag : "p";
    if (pub && (r->downgraded || strcmp(tag, "p") != 0)) {
        char item[40];
        size_t tn = strnlen(tag, 2), pn = strlen(pub);
        memcpy(item, tag, tn);
        item[tn] = '=';
        memcpy(item + tn + 1, pub, pn + 1);
        comment_add(&c, item);
    }
    if (r->downgraded)
        comment_add(&c, r->mode == AS_DMARC_RFC7489 ? "outside pct" : "t=y");
    if (r->result == AUTHSCORE_RES_FAIL)
        override_items(&c, o);
    dnssec_item(&c, r->dnssec);
    put_comment(b, &c);
    return 1;
}

static void put_authserv_id(as_buf *b, const char *id)
{
    char s[AS_AR_MAX_VALUE];
    size_t n = id ? clean(s, sizeof s, id, strnlen(id, AR_SCAN), 1) : 0;
    if (!n)
        as_buf_puts(b, "localhost");
    else if (is_token(s, n))
        as_buf_append(b, s, n);
    else
        put_quoted(b, s, n);
}

int as_ar_write(as_arena *a, const char *authserv_id, const as_results *r,
                const char **out, size_t *out_len)
{
    as_buf b, part, dmarc, arc;
    as_buf_init(&b, AS_AR_MAX_HEADER);
    as_buf_init(&part, AR_MAX_RESINFO);
    as_buf_init(&dmarc, AR_MAX_RESINFO);
    as_buf_init(&arc, AR_MAX_RESINFO);
    int any = 0, nomem = 0; /* a part lost to ENOMEM fails the header */
    put_authserv_id(&b, authserv_id);
    if (r->dmarc)
        any |= dmarc_resinfo(&dmarc, r->dmarc, r->override);
    any |= arc_resinfo(&arc, r->arc, r->client_ip);
    for (int id = AUTHSCORE_SPF_MFROM; id <= AUTHSCORE_SPF_HELO; id++) {
        as_buf_reset(&part);
        if (spf_resinfo(&part, r->spf[id], id, r->spf_identity[id])) {
            nomem |= part.err == AS_BUF_ENOMEM;
            as_buf_append(&b, part.p, part.len);
            any = 1;
        }
    }
    if (r->dkim_evaluated && r->n_dkim == 0) {
        as_buf_puts(&b, "; dkim=none");
        any = 1;
    }
    size_t dropped = 0, unevaluated = 0;
    for (size_t i = 0; r->dkim_evaluated && i < r->n_dkim; i++) {
        as_buf_reset(&part);
        if (!dkim_resinfo(&part, r->dkim[i])) {
            unevaluated++;
            continue;
        }
        nomem |= part.err == AS_BUF_ENOMEM;
        /* Keep room for the DMARC resinfo and the closing comment. */
        if (dropped || part.err ||
            b.len + part.len + arc.len + dmarc.len + AR_RESERVE > AS_AR_MAX_HEADER) {
            dropped++;
            continue;
        }
        as_buf_append(&b, part.p, part.len);
        any = 1;
    }
    if (dropped || unevaluated) {
        char tmp[96];
        size_t n = 0;
        tmp[n++] = ' ';
        tmp[n++] = '(';
        size_t counts[2] = {dropped, unevaluated};
        const char *what[2] = {" more dkim results", " dkim signatures not evaluated"};
        for (int k = 0; k < 2; k++) {
            if (!counts[k])
                continue;
            if (n > 2) {
                tmp[n++] = ',';
                tmp[n++] = ' ';
            }
            char digits[24];
            size_t d = 0;
            for (size_t v = counts[k]; v && d < sizeof digits; v /= 10)
                digits[d++] = (char)('0' + v % 10);
            while (d)
                tmp[n++] = digits[--d];
            size_t wl = strlen(what[k]);
            memcpy(tmp + n, what[k], wl);
            n += wl;
        }
        tmp[n++] = ')';
        as_buf_append(&b, tmp, n);
    }
    if (arc.len && !arc.err)
        as_buf_append(&b, arc.p, arc.len);
    if (dmarc.len && !dmarc.err)
        as_buf_append(&b, dmarc.p, dmarc.len);
    if (!any)
        as_buf_puts(&b, "; none");
    int err = b.err ? b.err
              : (nomem || dmarc.err == AS_BUF_ENOMEM || arc.err == AS_BUF_ENOMEM) ? AS_BUF_ENOMEM
                                                                                 : 0;
    char *res = err ? NULL : as_arena_strndup(a, b.p, b.len);
    size_t len = b.len;
    as_buf_free(&b);
    as_buf_free(&part);
    as_buf_free(&dmarc);
    as_buf_free(&arc);
    if (!res)
        return AUTHSCORE_ENOMEM;
    *out = res;
    if (out_len)
        *out_len = len;
    return 0;
}

/* ---- default authserv-id: the host name, read once per process ---- */

static char host_name[256];
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void read_host_name(void)
{
    char tmp[sizeof host_name];
    if (gethostname(tmp, sizeof tmp) != 0)
        tmp[0] = '\0';
    tmp[sizeof tmp - 1] = '\0';
    size_t n = strnlen(tmp, sizeof tmp);
    /* Config, not message data, but still only token characters. */
    for (size_t i = 0; i < n; i++)
        if (!is_token_char((unsigned char)tmp[i]))
            n = 0;
    memcpy(host_name, n ? tmp : "localhost", n ? n + 1 : sizeof "localhost");
}

const char *as_ar_default_authserv_id(void)
{
    if (pthread_once(&host_once, read_host_name) != 0)
        return "localhost";
    return host_name;
}
