/* report_agg.h - rows of the report log grouped into RFC 9990 aggregate
 * reports: one per policy domain per period, each record a source IP and
 * an identical result tuple with its count. */
#ifndef AS_CLI_REPORT_AGG_H
#define AS_CLI_REPORT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "host/cli/report_read.h"

/* A network for --exclude-net: address and prefix length. */
typedef struct agg_net {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned prefix;
} agg_net;

typedef struct agg_filter {
    int64_t since, until;            /* rows with since <= time < until */
    const char *const *domains;      /* --domain: only these policy domains */
    size_t n_domains;
    const char *const *ex_domains;   /* --exclude-domain: policy or From domain
                                        equal to one or below it */
    size_t n_ex_domains;
    const agg_net *ex_nets;          /* --exclude-net */
    size_t n_ex_nets;
} agg_filter;

typedef struct agg {
    agg_filter f;
    /* policy domain -> {"published": the newest row's policy,
     * "discovery_method", "org_domain" and "time" of that row, "count": rows,
     * "records": {tuple text -> {"count", "tuple"}}} */
    json_t *reports;
    size_t rows, outside, excluded, no_policy, no_rua;
    int oom;
} agg;

/* "192.0.2.0/24", "2001:db8::/32", or one address.  0 or -1. */
int agg_parse_net(const char *s, agg_net *out);

/* 0, or -1 when out of memory. */
int agg_init(agg *a, const agg_filter *f);
/* Take one row (and its root); a row outside the filter is counted. */
void agg_add(agg *a, rlog_row *row);
void agg_free(agg *a);

#endif
