/* message.c - one pass over a whole message (see message.h): the header
 * block, every From mailbox, the DKIM-Signature positions, the body. */
#include "msg/message.h"

#include <string.h>

#include <authscore.h>

static int name_is(const as_header_field *f, const char *lit, size_t n)
{
    return as_span_ieq(f->name.p, f->name.len, lit, n);
}

#define FROM_NAME "From"
#define DKIM_NAME "DKIM-Signature"

/* Append one field's mailboxes, keeping at most the cap in total. */
static int append_from(as_arena *a, as_message *out, size_t *cap,
                       const as_mailbox_list *l)
{
    size_t room = AS_MESSAGE_MAX_FROM_MAILBOXES - out->from_count;
    size_t n = l->count < room ? l->count : room;
    if (l->count > room && !out->from_status)
        out->from_status = AUTHSCORE_ELIMIT;
    if (n == 0)
        return 0;
    if (out->from_count + n > *cap) {
        size_t ncap = *cap ? *cap : 4;
        while (ncap < out->from_count + n)
            ncap *= 2;
        if (ncap > AS_MESSAGE_MAX_FROM_MAILBOXES)
            ncap = AS_MESSAGE_MAX_FROM_MAILBOXES;
        as_mailbox *m = as_arena_alloc(a, ncap * sizeof *m);
        if (!m)
            return -1;
        if (out->from_count)
            memcpy(m, out->from, out->from_count * sizeof *m);
        out->from = m;
        *cap = ncap;
    }
    memcpy(out->from + out->from_count, l->items, n * sizeof *l->items);
    out->from_count += n;
    return 0;
}

int as_message_parse(as_arena *a, const char *p, size_t len,
                     const as_header_limits *lim, as_message *out)
{
    memset(out, 0, sizeof *out);
    int rc = as_header_parse(a, p, len, lim, &out->hdr);
    out->body = p ? p + out->hdr.body_offset : p;
    out->body_len = len - out->hdr.body_offset;
    if (rc == AUTHSCORE_ENOMEM)
        return rc;

    const as_header_block *h = &out->hdr;
    const size_t from_n = sizeof FROM_NAME - 1, dkim_n = sizeof DKIM_NAME - 1;

    for (size_t i = 0; i < h->count; i++)
        if (name_is(&h->fields[i], DKIM_NAME, dkim_n))
            out->dkim_sig_total++;
    if (out->dkim_sig_total) {
        size_t n = out->dkim_sig_total < AS_MESSAGE_MAX_DKIM_SIGNATURES
                       ? out->dkim_sig_total
                       : AS_MESSAGE_MAX_DKIM_SIGNATURES;
        out->dkim_sig_idx = as_arena_alloc(a, n * sizeof *out->dkim_sig_idx);
        if (!out->dkim_sig_idx)
            return AUTHSCORE_ENOMEM;
    }

    size_t from_cap = 0;
    for (size_t i = 0; i < h->count; i++) {
        const as_header_field *f = &h->fields[i];
        if (name_is(f, DKIM_NAME, dkim_n)) {
            if (out->dkim_sig_count < AS_MESSAGE_MAX_DKIM_SIGNATURES)
                out->dkim_sig_idx[out->dkim_sig_count++] = i;
        } else if (name_is(f, FROM_NAME, from_n)) {
            out->from_fields++;
            if (out->from_count >= AS_MESSAGE_MAX_FROM_MAILBOXES) {
                /* Full: counting the field is enough, parsing it would
                 * only spend arena on mailboxes nobody keeps. */
                if (!out->from_status)
                    out->from_status = AUTHSCORE_ELIMIT;
                continue;
            }
            as_mailbox_list l;
            int r = as_address_parse(a, f->value.p, f->value.len, &l);
            if (r == AUTHSCORE_ENOMEM)
                return r;
            if (r && !out->from_status)
                out->from_status = r;
            if (append_from(a, out, &from_cap, &l) < 0)
                return AUTHSCORE_ENOMEM;
        }
    }

    /* Never guess: one From field, one mailbox, a domain, no error, and
     * the whole header block seen (a cap or a NUL may hide another From). */
    int whole_block = h->status == 0 || h->has_body;
    if (whole_block && out->from_fields == 1 && out->from_count == 1 &&
        !out->from_status && out->from[0].domain[0] != '\0')
        out->from_domain = out->from[0].domain;
    return rc;
}
