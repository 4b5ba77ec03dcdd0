/* address.h - RFC 5322 section 3.4 address-list parser (From, Sender),
 * including the obsolete forms of section 4.4 (obs-route, obs-local-part,
 * obs-domain, empty list elements).
 *
 * Handles display names, nested comments (iteratively, never recursion),
 * quoted strings with quoted-pairs, groups (`undisclosed: a@b, c@d;`),
 * angle addresses and obs-route (`<@route,@route:a@b>`).  Returns every
 * mailbox; never guesses when there are several or none. */
#ifndef AS_ADDRESS_H
#define AS_ADDRESS_H

#include <stddef.h>

#include "util/arena.h"

#define AS_ADDRESS_MAX_MAILBOXES 1000u   /* hard cap per field */
#define AS_ADDRESS_MAX_BYTES 65536u      /* hard cap on the field value */

typedef struct as_mailbox {
    const char *addr;    /* local@domain, local-part as written (quotes
                            kept), domain lowercased; NUL-terminated;
                            just the local-part when there is no domain */
    const char *local;   /* the local-part as written (CFWS removed) */
    const char *domain;  /* lowercased, no trailing dot; "" when missing;
                            a domain literal keeps its brackets */
    const char *display; /* display-name, unfolded, quotes and quoted-pairs
                            decoded, one space where CFWS was; NULL when
                            absent or empty */
} as_mailbox;

typedef struct as_mailbox_list {
    as_mailbox *items;
    size_t count;
    int status;          /* 0, AUTHSCORE_EPARSE, AUTHSCORE_ELIMIT, ENOMEM */
    const char *reason;  /* static text when status != 0 */
} as_mailbox_list;

/* Parse an address-list (the unfolded field value).  The mailboxes parsed
 * before an error are kept.  Returns out->status. */
int as_address_parse(as_arena *a, const char *p, size_t len,
                     as_mailbox_list *out);

#endif
