/* stress_pass.c - see stress_pass.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "stress_pass.h"

static const char *const KEY =
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8ewO6VFN0RgRLgaSU3puvc4"
    "LhnUdJdAx0oefc3i9YA3II548933AfG90PgPGPRoZ7pFH2K19VCGednAXrS4atWUbpEMZ5ZQuXqJ7euG1q94K"
    "EOLCdZujo/C8Rbx52MB3QWh0yrndvDVcSW4gozlpiBXZzL2G3FtnOyq5BblMwegt+QqVtF2ihFKTbdDDtRn3ND"
    "Vp23kRg+/iPf+JZaYtlCX7/zSw5heZuBoy1VQbVnMHVKR1sLpcYCi1ulbZd0MbRYBSfkLyXI8X1Qwcb0u844sg"
    "h88LbWv8zdhIWSkZxy65eOxG8OZ0Q/1hwqXrYQNCFFqXVV3mww0ikP9W/Pu+JQIDAQAB";

/* good.example's records (examples/zones/good.example.zone). */
static const struct {
    const char *name;
    int qtype;
    const char *rdata;
} zone[] = {
    {"good.example", AUTHSCORE_QTYPE_TXT, "v=spf1 ip4:192.0.2.0/24 mx -all"},
    {"good.example", AUTHSCORE_QTYPE_MX, "10 mx.good.example"},
    {"good.example", AUTHSCORE_QTYPE_A, "192.0.2.10"},
    {"mx.good.example", AUTHSCORE_QTYPE_A, "192.0.2.25"},
    {"_dmarc.good.example", AUTHSCORE_QTYPE_TXT,
     "v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@good.example"},
    {"sel2026._domainkey.good.example", AUTHSCORE_QTYPE_TXT, NULL /* KEY */},
};

/* Answer question (qname, qtype); `note` >= 0 makes the key record's bytes
 * unique (RFC 6376 3.6.1 n= is free text). */
static int answer(authscore_msg *m, uint32_t id, const char *qname, int qtype, long note)
{
    char key[1024];
    for (size_t i = 0; i < sizeof zone / sizeof *zone; i++) {
        if (zone[i].qtype != qtype || strcasecmp(zone[i].name, qname) != 0)
            continue;
        const char *r = zone[i].rdata;
        if (!r) {
            if (note >= 0)
                snprintf(key, sizeof key, "v=DKIM1; n=%ld; %s", note, KEY + 9);
            else
                snprintf(key, sizeof key, "%s", KEY);
            r = key;
        }
        size_t len = strlen(r);
        return authscore_msg_answer(m, id, AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE,
                                    NULL, 300, &r, &len, 1);
    }
    return authscore_msg_answer(m, id, AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE,
                                NULL, 300, NULL, NULL, 0);
}

int sp_score_pass(const authscore_ctx *ctx, const char *msg, size_t len, long note)
{
    authscore_msg *m;
    if (authscore_msg_new(ctx, "192.0.2.25", "mx.good.example", "alice@good.example",
                          msg, len, &m) < 0)
        return -1;
    int rc = authscore_msg_set_time(m, SP_NOW);
    /* Answer the questions in waves, as a host with a resolver would. */
    uint32_t ids[64];
    const char *names[64];
    int types[64];
    for (int wave = 0; rc == 0 && wave < 32; wave++) {
        size_t n = 0;
        uint32_t id;
        const char *qn;
        int qt;
        while (n < 64 && authscore_msg_next_query(m, &id, &qn, &qt) == 1) {
            ids[n] = id;
            names[n] = qn;
            types[n] = qt;
            n++;
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = answer(m, ids[i], names[i], types[i], note);
    }
    if (rc == 0)
        rc = authscore_msg_result(m);
    if (rc == 0 && (authscore_spf_result(m, AUTHSCORE_SPF_MFROM) != AUTHSCORE_RES_PASS ||
                    authscore_dkim_count(m) != 1 ||
                    authscore_dkim_result(m, 0) != AUTHSCORE_RES_PASS ||
                    authscore_dmarc_result(m) != AUTHSCORE_RES_PASS))
        rc = -1;
    authscore_msg_free(m);
    return rc;
}

