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
} rua_policy;

/* A target that may receive the report. */
typedef struct rua_target {
    const char *addr;  /* local@domain, inside the rua text */
    size_t len;        /* at most 254 bytes (rua_address_ok) */
    uint64_t limit;    /* the largest mail it takes, in bytes (its "!size"
                          suffix, or max_size when smaller); 0: no limit */
} rua_target;

/* Room for the To: text of RUA_MAX_URIS targets ("a@x, b@y"). */
#define RUA_TO_MAX (RUA_MAX_URIS * 256u + 1u)

/* An address fit for a header field: local@domain of printable
 * atext/dot characters (RFC 5322 3.2.3), no quoting, no line break. */
int rua_address_ok(const char *p, size_t n);

/* The targets of a rua tag (out: room for RUA_MAX_URIS); returns how many.
 * A URI is left out, with the reason on `why`, when it is not a valid
 * mailto:, or when its domain lies outside the policy's organizational
 * domain and is not in external_ok (RFC 9990 wants such a destination to
 * publish <domain>._report._dmarc.<its domain> first: verify it, then name
 * it with --external-ok).  The size limits are the caller's to apply: they
 * bound the mail, whose To: lists the targets. */
size_t rua_targets(const char *rua, const rua_policy *p, rua_target *out, FILE *why);

/* "a@x, b@y" of n targets into to (RUA_TO_MAX bytes). */
void rua_join(const rua_target *t, size_t n, char *to);

#endif
