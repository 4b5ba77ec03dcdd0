/* sansio.c - see sansio.h. */
#include "sansio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char sansio_dmarc_record[] =
    "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; t=y; psd=n; fo=1; "
    "rua=mailto:agg@example.com";

const zrec sansio_zone[] = {
    {"example.com", AUTHSCORE_QTYPE_TXT, "v=spf1 ip4:192.0.2.0/24 -all"},
    {"example.com", AUTHSCORE_QTYPE_A, "192.0.2.1"},
    {"_dmarc.example.com", AUTHSCORE_QTYPE_TXT, sansio_dmarc_record},
    {"norua.example", AUTHSCORE_QTYPE_TXT, "v=spf1 ip4:192.0.2.0/24 -all"},
    {"norua.example", AUTHSCORE_QTYPE_A, "192.0.2.2"},
    {"_dmarc.norua.example", AUTHSCORE_QTYPE_TXT, "v=DMARC1; p=none"},
    {NULL, 0, NULL}};

int sansio_run(authscore_msg *m, const zrec *zone)
{
    for (;;) {
        uint32_t id;
        const char *q;
        int t, rc;
        while ((rc = authscore_msg_next_query(m, &id, &q, &t)) == 1) {
            const char *data[8];
            size_t lens[8], n = 0;
            int exists = 0;
            for (const zrec *r = zone; r->name; r++)
                if (strcasecmp(r->name, q) == 0) {
                    exists = 1;
                    if (r->type == t && n < 8) {
                        data[n] = r->data;
                        lens[n++] = strlen(r->data);
                    }
                }
            int st = n ? AUTHSCORE_DNS_OK : exists ? AUTHSCORE_DNS_NODATA : AUTHSCORE_DNS_NXDOMAIN;
            rc = authscore_msg_answer(m, id, st, AUTHSCORE_DNSSEC_SECURE, NULL, 300, data, lens,
                                      n);
            if (rc < 0)
                return rc;
        }
        if (rc < 0)
            return rc;
        if (authscore_msg_outstanding(m) == 0)
            break;
    }
    return authscore_msg_result(m);
}

authscore_ctx *sansio_ctx(const char *const *options, authscore_log_fn log, void *user)
{
    authscore_ctx *ctx = NULL;
    if (authscore_ctx_new(&ctx) < 0)
        return NULL;
    authscore_ctx_set_log(ctx, log, user);
    int bad = authscore_ctx_set_option(ctx, "dns.backend", "none") < 0;
    for (size_t i = 0; options && options[i]; i += 2)
        bad |= authscore_ctx_set_option(ctx, options[i], options[i + 1]) < 0;
    if (bad || authscore_ctx_finalize(ctx) < 0) {
        authscore_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

authscore_msg *sansio_message(const authscore_ctx *ctx, const char *ip,
                              const char *from_domain, long long now, int *rc)
{
    /* The message bytes are borrowed until the message is freed: eight
     * messages may be alive at once. */
    static char texts[8][512];
    static unsigned next;
    char *text = texts[next++ % 8], from[300];
    snprintf(text, sizeof texts[0],
             "From: Alice <alice@%s>\r\nTo: bob@receiver.example\r\nSubject: hi\r\n"
             "Message-ID: <1@%s>\r\n\r\nHello.\r\n", from_domain, from_domain);
    snprintf(from, sizeof from, "alice@%s", from_domain);
    authscore_msg *m = NULL;
    *rc = authscore_msg_new(ctx, ip, "mail.example.com", from, text, strlen(text), &m);
    if (*rc < 0)
        return NULL;
    *rc = authscore_msg_set_time(m, now);
    if (*rc == 0)
        *rc = sansio_run(m, sansio_zone);
    return m;
}
