/* message.h - one pass over a whole message: the header block, the From
 * mailboxes, the DKIM-Signature positions and the body view. */
#ifndef AS_MESSAGE_H
#define AS_MESSAGE_H

#include <stddef.h>

#include "msg/address.h"
#include "msg/header.h"

#define AS_MESSAGE_MAX_DKIM_SIGNATURES 1000u /* positions recorded */
/* From mailboxes kept over all From fields; past it from_status is
 * AUTHSCORE_ELIMIT and the first ones are kept. */
#define AS_MESSAGE_MAX_FROM_MAILBOXES AS_ADDRESS_MAX_MAILBOXES

typedef struct as_message {
    as_header_block hdr;
    /* From: every mailbox of every From field, in order. */
    as_mailbox *from;
    size_t from_count;
    size_t from_fields;      /* number of From header fields */
    int from_status;         /* first address parse error, or 0 */
    const char *from_domain; /* set only when exactly one From field with
                                exactly one mailbox with a domain, and
                                that field parsed without error
                                (from_status 0), and the header block was
                                seen to its end (hdr.status 0, or a line
                                without colon ended it): after a cap or a
                                NUL another From may hide; else NULL */
    /* DKIM-Signature fields: indexes into hdr.fields, in message order.
     * dkim_sig_total counts all of them, even beyond the recorded cap. */
    size_t *dkim_sig_idx;
    size_t dkim_sig_count;
    size_t dkim_sig_total;
    /* The body: from hdr.body_offset to the end of the input. */
    const char *body;
    size_t body_len;
} as_message;

/* Parse a message.  Always fills *out; returns the header block status
 * (0, EPARSE, ELIMIT) or AUTHSCORE_ENOMEM. */
int as_message_parse(as_arena *a, const char *p, size_t len,
                     const as_header_limits *lim, as_message *out);

#endif
