/* callbacks.c - the libmilter callbacks: the envelope, the message in
 * chunks, and at end of message the evaluation, the header changes and
 * the action.
 *
 * libmilter runs each MTA connection in a thread of its own; every
 * message takes a reference to the shared holder (holder.c) at MAIL FROM
 * and drops it at its end, abort or close.  At end of message:
 * authscore_msg_new() over the one buffer (message.c), then
 * authscore_msg_resolve() (blocking, within dns.timeout_ms, every
 * question in flight at once), then the verdict (action.c).  For accept
 * and quarantine, our own Authentication-Results fields are deleted
 * (highest index first, so the others keep their numbers) and ours goes
 * on top (index 0), folded at 78 columns; a header change that fails
 * defers the message rather than pass a forged field on. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "host/exim/exim.h"
#include "host/milter/milter.h"
#include "util/num.h"

#define AS_MILTER_ENVELOPE_MAX 512u /* the library's cap (core/msg.c) */

struct conn {
    char ip[INET6_ADDRSTRLEN];
    int has_ip;
    char helo[AS_MILTER_ENVELOPE_MAX + 1];
    char from[AS_MILTER_ENVELOPE_MAX + 1];
    int from_too_long;
    int skip_host; /* skip_hosts matched at connect */
    int leadspc;   /* SMFIP_HDR_LEADSPC: values keep their leading space */
    int can_quarantine;
    /* the message in progress */
    struct as_milter_holder *h;
    int skip_msg;
    struct as_milter_msg msg;
};

static struct conn *get_conn(SMFICTX *ctx)
{
    struct conn *c = smfi_getpriv(ctx);
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c || smfi_setpriv(ctx, c) != MI_SUCCESS) {
        free(c);
        as_milter_logf(AUTHSCORE_LOG_ERROR, "out of memory for a connection");
        return NULL;
    }
    /* Without option negotiation (an old MTA): what libmilter offers. */
    c->can_quarantine = 1;
    return c;
}

static void end_message(struct conn *c)
{
    as_milter_msg_free(&c->msg);
    as_milter_holder_put(c->h);
    c->h = NULL;
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3,
                             unsigned long *pf0, unsigned long *pf1,
                             unsigned long *pf2, unsigned long *pf3)
{
    (void)f2, (void)f3;
    const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
    struct conn *c = get_conn(ctx);
    if (!c)
        return SMFIS_TEMPFAIL;
    if ((f0 & need) != need) {
        as_milter_logf(AUTHSCORE_LOG_ERROR, "the MTA does not allow adding and "
                       "changing header fields: not used on this connection");
        return SMFIS_REJECT;
    }
    c->can_quarantine = (f0 & SMFIF_QUARANTINE) != 0;
    c->leadspc = (f1 & SMFIP_HDR_LEADSPC) != 0;
    *pf0 = need | (f0 & SMFIF_QUARANTINE);
    /* Exact header bytes (DKIM simple canonicalization), and no steps we
     * do not use. */
    *pf1 = f1 & (SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA);
    *pf2 = *pf3 = 0;
    return SMFIS_CONTINUE;
}

static sfsistat on_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
    (void)hostname;
    struct conn *c = get_conn(ctx);
    if (!c)
        return SMFIS_TEMPFAIL;
    c->has_ip = 0;
    if (sa && sa->sa_family == AF_INET)
        c->has_ip = inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
                              c->ip, sizeof c->ip) != NULL;
    else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((struct sockaddr_in6 *)(void *)sa)->sin6_addr;
        /* ::ffff:192.0.2.1 is an IPv4 client (RFC 4291 2.5.5.2): SPF's
         * ip4 mechanisms must see it as one. */
        c->has_ip = IN6_IS_ADDR_V4MAPPED(a6)
                        ? inet_ntop(AF_INET, a6->s6_addr + 12, c->ip, sizeof c->ip) != NULL
                        : inet_ntop(AF_INET6, a6, c->ip, sizeof c->ip) != NULL;
    }
    struct as_milter_holder *h = as_milter_holder_get();
    if (!h)
        return SMFIS_TEMPFAIL;
    /* A connection without an IP is local (Postfix's non_smtpd_milters,
     * sendmail(1)): "local" in skip_hosts. */
    c->skip_host = c->has_ip ? as_milter_conf_skips(&h->conf, c->ip)
                             : h->conf.skip_local;
    as_milter_holder_put(h);
    return SMFIS_CONTINUE;
}

static sfsistat on_helo(SMFICTX *ctx, char *helo)
{
    struct conn *c = get_conn(ctx);
    if (!c)
        return SMFIS_TEMPFAIL;
    /* Longer than any host name can be: taken as no HELO (only the HELO
     * identity's SPF depends on it). */
    size_t n = helo ? strnlen(helo, AS_MILTER_ENVELOPE_MAX + 1) : 0;
    if (n > AS_MILTER_ENVELOPE_MAX)
        n = 0;
    memcpy(c->helo, helo ? helo : "", n);
    c->helo[n] = '\0';
    return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    struct conn *c = get_conn(ctx);
    if (!c)
        return SMFIS_TEMPFAIL;
    end_message(c);
    c->h = as_milter_holder_get();
    if (!c->h)
        return SMFIS_TEMPFAIL;
    /* "<a@b>" or "<>"; the address without the brackets. */
    const char *a = argv && argv[0] ? argv[0] : "";
    size_t n = strnlen(a, AS_MILTER_ENVELOPE_MAX + 3);
    if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
        a++, n -= 2;
    c->from_too_long = n > AS_MILTER_ENVELOPE_MAX;
    if (c->from_too_long)
        n = 0;
    memcpy(c->from, a, n);
    c->from[n] = '\0';
    const char *auth = smfi_getsymval(ctx, "{auth_authen}");
    c->skip_msg = c->skip_host ||
                  (c->h->conf.skip_authenticated && auth && *auth);
    as_milter_msg_start(&c->msg, c->h->conf.max_message_size, !c->skip_msg);
    return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    struct conn *c = get_conn(ctx);
    if (c && c->h && name && value)
        as_milter_msg_header(&c->msg, name, value, c->leadspc, c->h->authserv_id);
    return SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    struct conn *c = get_conn(ctx);
    if (c && c->h)
        as_milter_msg_eoh(&c->msg);
    return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
    struct conn *c = get_conn(ctx);
    if (c && c->h)
        as_milter_msg_body(&c->msg, p, len);
    return SMFIS_CONTINUE;
}

/* Delete our own Authentication-Results fields, highest index first. */
static int delete_own(SMFICTX *ctx, const struct as_milter_msg *m)
{
    for (unsigned i = m->nown; i-- > 0;)
        if (smfi_chgheader(ctx, "Authentication-Results", (int)m->own_ar[i],
                           NULL) != MI_SUCCESS)
            return -1;
    return 0;
}

/* Insert `name: value` folded at 78 columns, at the top (at_top) or the
 * bottom of the header. */
static int put_field(SMFICTX *ctx, const struct conn *c, const char *name,
                     const char *value, int at_top)
{
    size_t len = strlen(value);
    /* Folding turns a space into "\n\t": at most twice as long. */
    size_t cap = 2 * len + 3;
    char *f = malloc(cap);
    if (!f)
        return -1;
    f[0] = ' ';
    int n = as_exim_fold(value, strlen(name) + 2, f + 1, cap - 1);
    int rc = -1;
    if (n >= 0) {
        char *v = c->leadspc ? f : f + 1;
        rc = (at_top ? smfi_insheader(ctx, 0, (char *)name, v)
                     : smfi_addheader(ctx, (char *)name, v)) == MI_SUCCESS ? 0 : -1;
    }
    free(f);
    return rc;
}

/* The score header's value: "-1.50; R_SPF_ALLOW(-0.20) R_DKIM_ALLOW(...)",
 * "none; ..." without a rule file.  Numbers are locale-free (util/num). */
static char *score_value(const authscore_msg *m)
{
    size_t n = authscore_symbol_count(m), cap = AS_NUM_BUF + 8;
    for (size_t i = 0; i < n; i++) {
        const char *s = authscore_symbol_name(m, i);
        cap += (s ? strlen(s) : 0) + AS_NUM_BUF + 4;
    }
    char *v = malloc(cap), num[AS_NUM_BUF];
    if (!v)
        return NULL;
    double score;
    size_t len;
    if (authscore_score(m, &score) == 0 && as_num_format(num, sizeof num, score, 2, 0) >= 0)
        len = (size_t)snprintf(v, cap, "%s;", num);
    else
        len = (size_t)snprintf(v, cap, "none;");
    for (size_t i = 0; i < n && len < cap; i++) {
        const char *s = authscore_symbol_name(m, i);
        if (as_num_format(num, sizeof num, authscore_symbol_weight(m, i), 2, 0) < 0)
            num[0] = '\0';
        len += (size_t)snprintf(v + len, cap - len, " %s(%s)", s ? s : "?", num);
    }
    return v;
}

static sfsistat reply(SMFICTX *ctx, const struct as_milter_verdict *v)
{
    if (v->reply)
        (void)smfi_setreply(ctx, (char *)v->reply->code, (char *)v->reply->xcode,
                            (char *)v->reply->text);
    return v->action == AS_ACT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* A message that is deferred before any evaluation, and why. */
static sfsistat defer(SMFICTX *ctx, struct conn *c, const char *qid,
                      const char *why)
{
    as_milter_logf(AUTHSCORE_LOG_WARNING, "%s: tempfail: %s", qid, why);
    struct as_milter_verdict v = {AS_ACT_TEMPFAIL, &c->h->conf.tempfail_reply, why};
    sfsistat rc = reply(ctx, &v);
    end_message(c);
    return rc;
}

/* Not evaluated (skipped, or oversize and accepted): only our own
 * Authentication-Results fields go. */
static sfsistat pass_unchecked(SMFICTX *ctx, struct conn *c, const char *qid,
                               const char *why)
{
    if (delete_own(ctx, &c->msg) < 0)
        return defer(ctx, c, qid, "could not delete our own Authentication-Results");
    as_milter_logf(AUTHSCORE_LOG_INFO, "%s: accept, not evaluated: %s%s", qid, why,
                   c->msg.nown ? "; our own Authentication-Results removed" : "");
    end_message(c);
    return SMFIS_ACCEPT;
}

static sfsistat evaluated(SMFICTX *ctx, struct conn *c, const char *qid,
                          authscore_msg *m, int rc)
{
    const struct as_milter_conf *conf = &c->h->conf;
    struct as_milter_verdict v;
    as_milter_decide(conf, rc, m, &v);
    const char *ar = rc >= 0 ? authscore_ar_header(m) : NULL;
    double score = 0;
    char num[AS_NUM_BUF] = "none";
    if (rc >= 0 && authscore_score(m, &score) == 0)
        (void)as_num_format(num, sizeof num, score, 2, 0);
    if (rc < 0)
        as_milter_logf(AUTHSCORE_LOG_WARNING, "%s: tempfail: refused: %s", qid,
                       authscore_strerror(rc));
    else
        as_milter_logf(AUTHSCORE_LOG_INFO, "%s: %s (%s) score=%s %s", qid,
                       as_milter_act_name(v.action), v.why, num, ar ? ar : "");
    if (v.action == AS_ACT_TEMPFAIL || v.action == AS_ACT_REJECT)
        return reply(ctx, &v);
    if (!ar)
        return defer(ctx, c, qid, "no Authentication-Results to add");
    if (v.action == AS_ACT_QUARANTINE && !c->can_quarantine)
        return defer(ctx, c, qid, "quarantine asked, but the MTA does not offer it");
    if (delete_own(ctx, &c->msg) < 0 ||
        put_field(ctx, c, "Authentication-Results", ar, 1) < 0)
        return defer(ctx, c, qid, "could not change the header");
    if (conf->score_header) {
        char *s = score_value(m);
        int bad = !s || put_field(ctx, c, conf->score_header, s, 0) < 0;
        free(s);
        if (bad)
            return defer(ctx, c, qid, "could not add the score header");
    }
    if (v.action == AS_ACT_QUARANTINE) {
        char reason[128];
        snprintf(reason, sizeof reason, "authscore: %s", v.why);
        if (smfi_quarantine(ctx, reason) != MI_SUCCESS)
            return defer(ctx, c, qid, "smfi_quarantine failed");
    }
    return SMFIS_ACCEPT;
}

static sfsistat on_eom(SMFICTX *ctx)
{
    struct conn *c = get_conn(ctx);
    if (!c || !c->h)
        return SMFIS_TEMPFAIL;
    const char *qid = smfi_getsymval(ctx, "i");
    if (!qid || !*qid)
        qid = "NOQUEUE";
    struct as_milter_msg *mm = &c->msg;
    if (mm->own_overflow)
        return defer(ctx, c, qid, "more than 256 Authentication-Results fields "
                     "with our authserv-id");
    if (c->skip_msg)
        return pass_unchecked(ctx, c, qid, c->skip_host ? "skip_hosts"
                                                        : "authenticated submission");
    if (mm->oom)
        return defer(ctx, c, qid, "out of memory for the message");
    if (mm->oversize) {
        if (c->h->conf.oversize_action == AS_ACT_TEMPFAIL)
            return defer(ctx, c, qid, "larger than max_message_size");
        return pass_unchecked(ctx, c, qid, "larger than max_message_size");
    }
    if (c->from_too_long)
        return defer(ctx, c, qid, "MAIL FROM longer than 512 bytes");
    authscore_msg *m = NULL;
    int rc = authscore_msg_new(c->h->ctx, c->has_ip ? c->ip : NULL, c->helo,
                               c->from, mm->buf ? mm->buf : "", mm->len, &m);
    if (rc >= 0)
        rc = authscore_msg_resolve(m);
    sfsistat r = evaluated(ctx, c, qid, m, rc);
    authscore_msg_free(m);
    end_message(c);
    return r;
}

static sfsistat on_abort(SMFICTX *ctx)
{
    struct conn *c = smfi_getpriv(ctx);
    if (c)
        end_message(c);
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
    struct conn *c = smfi_getpriv(ctx);
    if (c) {
        end_message(c);
        free(c);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

int as_milter_register(void)
{
    static struct smfiDesc desc = {
        .xxfi_name = (char *)AS_MILTER_NAME,
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
        .xxfi_connect = on_connect,
        .xxfi_helo = on_helo,
        .xxfi_envfrom = on_envfrom,
        .xxfi_header = on_header,
        .xxfi_eoh = on_eoh,
        .xxfi_body = on_body,
        .xxfi_eom = on_eom,
        .xxfi_abort = on_abort,
        .xxfi_close = on_close,
        .xxfi_negotiate = on_negotiate,
    };
    return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
