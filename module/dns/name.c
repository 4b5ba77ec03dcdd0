/* name.c - DNS name normalization and small naming helpers. */
#include "dns/dns.h"

int as_dns_name_normalize(const char *p, size_t len, char *out)
{
    if (len && p[len - 1] == '.')
        len--;
    /* After one trailing dot is gone another one means an empty label. */
    if (len == 0 || len > AS_DNS_MAX_NAME || p[len - 1] == '.')
        return -1;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '.') {
            if (label == 0)
                return -1; /* empty label */
            label = 0;
        } else {
            /* Any byte but NUL is allowed on the wire (SPF macros can
             * produce odd labels); NUL would break C-string consumers. */
            if (c == 0 || ++label > 63)
                return -1;
        }
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
    }
    out[len] = '\0';
    return (int)len;
}

as_dns_answer as_dns_answer_status(int status, int dnssec)
{
    as_dns_answer a = {0};
    a.status = status;
    a.dnssec = dnssec;
    return a;
}

const char *as_dns_qtype_name(int qtype)
{
    switch (qtype) {
    case AUTHSCORE_QTYPE_A: return "A";
    case AUTHSCORE_QTYPE_AAAA: return "AAAA";
    case AUTHSCORE_QTYPE_MX: return "MX";
    case AUTHSCORE_QTYPE_TXT: return "TXT";
    case AUTHSCORE_QTYPE_PTR: return "PTR";
    default: return "?";
    }
}

const char *as_dns_status_name(int status)
{
    switch (status) {
    case AUTHSCORE_DNS_OK: return "ok";
    case AUTHSCORE_DNS_NODATA: return "nodata";
    case AUTHSCORE_DNS_NXDOMAIN: return "nxdomain";
    case AUTHSCORE_DNS_SERVFAIL: return "servfail";
    case AUTHSCORE_DNS_TIMEOUT: return "timeout";
    default: return "?";
    }
}
