/* fuzz_header.c - libFuzzer target for the RFC 5322 header block parser.
 * Checks the structural invariants of header.h on every input, with the
 * default caps and with tiny caps (so the cap paths are reached). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <authscore.h>
#include "msg/header.h"
#include "msg/message.h"
#include "fuzz_check.h"

static int inside(const char *p, size_t n, const char *base, size_t len)
{
    return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

static void check(const char *d, size_t len, const as_header_limits *lim)
{
    as_arena a;
    as_arena_init(&a, 64u << 20);
    as_header_block h;
    int rc = as_header_parse(&a, d, len, lim, &h);
    as_header_limits l = as_header_effective_limits(lim);

    CHECK(rc == h.status);
    CHECK(rc == 0 || rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ELIMIT);
    CHECK((rc == 0) == (h.reason == NULL));
    CHECK(h.body_offset <= len);
    CHECK(h.count <= l.max_fields);

    const char *next = d;
    for (size_t i = 0; i < h.count; i++) {
        const as_header_field *f = &h.fields[i];
        /* in order, contiguous, inside the input */
        CHECK(f->raw.p == next);
        CHECK(f->raw.len > 0 && inside(f->raw.p, f->raw.len, d, len));
        CHECK(f->raw.len <= l.max_field_bytes);
        next = f->raw.p + f->raw.len;
        CHECK((size_t)(next - d) <= l.max_block_bytes);
        CHECK(memchr(f->raw.p, '\0', f->raw.len) == NULL);
        /* a line break ends every field but one reaching the end */
        CHECK(f->raw.p[f->raw.len - 1] == '\n' || next == d + len);
        /* name: ftext at the start of raw */
        CHECK(f->name.p == f->raw.p && f->name.len > 0);
        for (size_t k = 0; k < f->name.len; k++) {
            unsigned char c = (unsigned char)f->name.p[k];
            CHECK(c >= 33 && c <= 126 && c != ':');
        }
        /* value_raw: after the ':', inside raw, without the final break */
        CHECK(inside(f->value_raw.p, f->value_raw.len, f->raw.p, f->raw.len));
        CHECK(f->value_raw.p > f->raw.p && f->value_raw.p[-1] == ':');
        const char *ve = f->value_raw.p + f->value_raw.len;
        CHECK(ve == next || *ve == '\n' || (*ve == '\r' && ve + 1 < next && ve[1] == '\n'));
        /* unfolded value: zero-copy when one line, else equal to
         * value_raw without its line breaks */
        CHECK(f->value.len <= f->value_raw.len);
        if (f->value.p == f->value_raw.p) {
            CHECK(f->value.len == f->value_raw.len);
            CHECK(memchr(f->value_raw.p, '\n', f->value_raw.len) == NULL);
        } else {
            CHECK(!inside(f->value.p, 1, d, len) || len == 0);
            size_t o = 0;
            for (size_t k = 0; k < f->value_raw.len; k++) {
                char c = f->value_raw.p[k];
                if (c == '\n' || (c == '\r' && k + 1 < f->value_raw.len &&
                                  f->value_raw.p[k + 1] == '\n'))
                    continue;
                CHECK(o < f->value.len && f->value.p[o] == c);
                o++;
            }
            CHECK(o == f->value.len);
        }
        /* a continuation line never starts a field */
        if (i > 0)
            CHECK(f->raw.p[0] != ' ' && f->raw.p[0] != '\t');
    }
    if (h.has_body) {
        CHECK((size_t)(next - d) <= h.body_offset);
        if (rc == 0) {
            /* the block ended with a blank line */
            CHECK(h.body_offset >= 1 && d[h.body_offset - 1] == '\n');
            size_t gap = h.body_offset - (size_t)(next - d);
            CHECK(gap == 1 || (gap == 2 && d[h.body_offset - 2] == '\r'));
        }
    } else {
        CHECK(h.body_offset == len);
        if (rc == 0)
            CHECK(next == d + len);
    }
    /* find: a field's own name finds it or an earlier equal name */
    if (h.count) {
        char name[128];
        const as_header_field *f = &h.fields[h.count - 1];
        if (f->name.len < sizeof name) {
            memcpy(name, f->name.p, f->name.len);
            name[f->name.len] = '\0';
            size_t k = as_header_find(&h, name, 0);
            CHECK(k <= h.count - 1);
            CHECK(as_span_ieq(h.fields[k].name.p, h.fields[k].name.len,
                              name, f->name.len));
            CHECK(as_header_find(&h, name, h.count - 1) == h.count - 1);
            CHECK(as_header_rfind(&h, f->name.p, f->name.len, h.count) ==
                  h.count - 1);
            size_t r = as_header_rfind(&h, f->name.p, f->name.len, h.count - 1);
            CHECK(r == (size_t)-1 || (r < h.count - 1 && r >= k));
        }
    }
    as_arena_free(&a);
}

/* The message layer on top: body view, From and DKIM-Signature indexes,
 * and the from_domain rule of message.h. */
static void check_message(const char *d, size_t len)
{
    as_arena a;
    as_arena_init(&a, 64u << 20);
    as_message m;
    int rc = as_message_parse(&a, d, len, NULL, &m);
    CHECK(rc == m.hdr.status);
    CHECK(m.body == d + m.hdr.body_offset && m.body_len == len - m.hdr.body_offset);
    CHECK(m.dkim_sig_count <= m.dkim_sig_total &&
          m.dkim_sig_count <= AS_MESSAGE_MAX_DKIM_SIGNATURES);
    size_t dk = 0, fr = 0;
    for (size_t i = 0; i < m.hdr.count; i++) {
        const as_header_field *f = &m.hdr.fields[i];
        if (as_span_ieq(f->name.p, f->name.len, "DKIM-Signature", 14)) {
            CHECK(dk < m.dkim_sig_count && m.dkim_sig_idx[dk] == i);
            dk++;
        }
        if (as_span_ieq(f->name.p, f->name.len, "From", 4))
            fr++;
    }
    CHECK(dk == m.dkim_sig_total && fr == m.from_fields);
    CHECK(m.from_count <= AS_MESSAGE_MAX_FROM_MAILBOXES);
    for (size_t i = 0; i < m.from_count; i++)
        for (const char *c = m.from[i].domain; *c; c++)
            CHECK(!(*c >= 'A' && *c <= 'Z'));
    if (m.from_domain) {
        CHECK(m.from_fields == 1 && m.from_count == 1 && m.from_status == 0);
        CHECK(m.from_domain == m.from[0].domain && m.from_domain[0] != '\0');
        CHECK(m.hdr.status == 0 || m.hdr.has_body);
    } else {
        CHECK(!(m.from_fields == 1 && m.from_count == 1 && m.from_status == 0 &&
                m.from[0].domain[0] && (m.hdr.status == 0 || m.hdr.has_body)));
    }
    as_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    check(d, size, NULL);
    as_header_limits tiny = {3, 40, 100};
    check(d, size, &tiny);
    check_message(d, size);
    return 0;
}
