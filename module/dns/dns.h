/* dns.h - the one question/answer model shared by the engines, the
 * backends and the public sans-I/O API.
 *
 * A question is (qname, qtype) with qtype one of A, AAAA, MX, TXT, PTR;
 * CNAMEs are followed by the resolver, so the records of an answer are the
 * records of the requested type at the end of the chain.  Names are kept
 * lowercased without the trailing dot. */
#ifndef AS_DNS_H
#define AS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <authscore.h>
#include "util/arena.h"

#define AS_DNS_MAX_NAME 253u      /* presentation form, no trailing dot */
#define AS_DNS_MAX_RECORDS 256u   /* records kept per answer */
#define AS_DNS_MAX_TXT 65535u     /* joined TXT bytes per record */

typedef struct as_dns_rr {
    uint16_t type;
    uint32_t ttl;
    union {
        struct {
            const char *p;   /* character-strings joined, NUL-terminated */
            size_t len;      /* may contain NUL bytes: use len */
        } txt;
        unsigned char a[4];
        unsigned char aaaa[16];
        struct {
            uint16_t pref;
            const char *name;  /* lowercased, no trailing dot */
        } mx;
        struct {
            const char *name;  /* lowercased, no trailing dot */
        } ptr;
    } u;
} as_dns_rr;

typedef struct as_dns_answer {
    int status;             /* enum authscore_dns_status */
    int dnssec;             /* enum authscore_dnssec */
    const char *why_bogus;  /* validator's reason, or NULL */
    uint32_t ttl;
    size_t count;
    const as_dns_rr *rr;    /* count records, all of the asked type */
} as_dns_answer;

/* Normalize a name into `out` (>= AS_DNS_MAX_NAME + 1 bytes): lowercase,
 * strip one trailing dot.  Rejects empty labels, labels over 63 bytes and
 * names over 253 bytes.  Returns the length or -1. */
int as_dns_name_normalize(const char *p, size_t len, char *out);

/* Parse one record in the public API's text form (authscore_msg_answer):
 * TXT joined text, A/AAAA address text, MX "pref name", PTR "name".
 * Returns 0, or AUTHSCORE_EPARSE / AUTHSCORE_ENOMEM. */
int as_dns_rr_from_text(as_arena *a, uint16_t qtype, const char *p, size_t len,
                        uint32_t ttl, as_dns_rr *out);

/* Parse a full DNS response packet for a question of type qtype: rcode,
 * then the answer section's records of that type (CNAMEs skipped), with
 * every length checked.  NXDOMAIN / NODATA / SERVFAIL come out as the
 * status; a malformed packet is SERVFAIL.  Returns 0 (the answer is
 * filled, in `a`) or AUTHSCORE_ENOMEM.  (module/dns/wire.c) */
int as_dns_parse_packet(as_arena *a, uint16_t qtype, const unsigned char *pkt,
                        size_t len, as_dns_answer *out);

/* An answer that says something about the name (OK, NODATA, NXDOMAIN),
 * where SERVFAIL and TIMEOUT say only that no answer was had. */
static inline int as_dns_answer_definite(const as_dns_answer *a)
{
    return a->status == AUTHSCORE_DNS_OK || a->status == AUTHSCORE_DNS_NODATA ||
           a->status == AUTHSCORE_DNS_NXDOMAIN;
}

/* ... and whose DNSSEC state was established: secure, or provably
 * insecure.  What the caches keep for their full time and may share. */
static inline int as_dns_answer_proven(const as_dns_answer *a)
{
    return as_dns_answer_definite(a) && (a->dnssec == AUTHSCORE_DNSSEC_SECURE ||
                                         a->dnssec == AUTHSCORE_DNSSEC_INSECURE);
}

/* An answer with no records and the given status (TIMEOUT, SERVFAIL...). */
as_dns_answer as_dns_answer_status(int status, int dnssec);

const char *as_dns_qtype_name(int qtype);
const char *as_dns_status_name(int status);

#endif
