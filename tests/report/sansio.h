/* sansio.h - drive a message through the public sans-I/O API from a
 * table of records, as a host with its own resolver does (Rspamd), for
 * the result-object and report-log tests. */
#ifndef REPORT_SANSIO_H
#define REPORT_SANSIO_H

#include <authscore.h>

typedef struct zrec {
    const char *name; /* owner name, no trailing dot */
    int type;         /* AUTHSCORE_QTYPE_* */
    const char *data; /* record text as authscore_msg_answer takes it */
} zrec;

/* The zone of these tests: example.com publishes SPF for 192.0.2.0/24 and
 * a DMARC record with every tag RFC 9990 reports; norua.example has a
 * policy without rua; nothing else exists. */
extern const zrec sansio_zone[];
/* Its DMARC record, as published. */
extern const char sansio_dmarc_record[];

/* Answer every question of m from zone (DNSSEC secure; names absent from
 * the zone are NXDOMAIN, present without the type NODATA) until none is
 * left, then authscore_msg_result().  Returns what that returned, or the
 * first negative code of the loop. */
int sansio_run(authscore_msg *m, const zrec *zone);

/* A finalized context without a resolver; options as NULL-ended
 * name/value pairs. */
authscore_ctx *sansio_ctx(const char *const *options, authscore_log_fn log, void *user);

/* A message From: alice@<from_domain>, from `ip` with MAIL FROM
 * alice@<from_domain>, run to DONE with the clock at `now`; at most eight
 * of them alive at once (their bytes are this file's). */
authscore_msg *sansio_message(const authscore_ctx *ctx, const char *ip,
                              const char *from_domain, long long now, int *rc);

#endif
