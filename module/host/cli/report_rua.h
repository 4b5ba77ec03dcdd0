/* report_rua.h - who receives a report: the mailto: URIs of the policy's
 * rua tag (RFC 9989 4.7; RFC 9990), checked before they reach a To: field.
 * Own code, not liburiparser: the list is split on commas and each target
 * must be a plain address; a URI library accepts far more than a To:
 * field may carry. */
#ifndef AS_CLI_REPORT_RUA_H
#define AS_CLI_REPORT_RUA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* URIs looked at per rua tag. */
#define RUA_MAX_URIS 16u

typedef struct rua_policy {
    const char *domain;              /* the policy domain */
    const char *org_domain;          /* its organizational domain */
    const char *const *external_ok;  /* --external-ok: verified outside domains */
    size_t n_external_ok;
    uint64_t max_size;               /* --max-size in bytes, 0: none */
    size_t size;                     /* the report's .xml.gz bytes */
} rua_policy;

/* An address fit for a header field: local@domain of printable
 * atext/dot characters (RFC 5322 3.2.3), no quoting, no line break. */
int rua_address_ok(const char *p, size_t n);

/* Write the recipients of a report into `to` ("a@x, b@y") and return how
 * many.  A URI is left out, with the reason on `why`, when it is not a
 * valid mailto:, when its domain lies outside the policy's organizational
 * domain and is not in external_ok (RFC 9990 wants such a destination to
 * publish <domain>._report._dmarc.<its domain> first: verify it, then name
 * it with --external-ok), or when the report is larger than its "!size"
 * suffix or max_size. */
size_t rua_recipients(const char *rua, const rua_policy *p, char *to, size_t cap, FILE *why);

#endif
