/* fuzz_tagvalue.c - libFuzzer target for RFC 6376 3.2 tag=value lists.
 * Invariants: a defined status, tag names and values inside the input and
 * in order, names valid, values trimmed of FWS and free of ';', no
 * duplicates on success, as_taglist_get finds each tag. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <authscore.h>
#include "msg/tagvalue.h"
#include "fuzz_check.h"

static int inside(as_span s, const char *base, size_t len)
{
    return s.p >= base && s.len <= len && (size_t)(s.p - base) <= len - s.len;
}

static int is_fws_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    as_arena a;
    as_arena_init(&a, 16u << 20);
    as_taglist t;
    const char *err = "unset";
    size_t max = size ? (size_t)(data[0] % 8) : 0; /* 0 = default */
    int rc = as_taglist_parse(&a, d, size, max, &t, &err);

    CHECK(rc == 0 || rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ELIMIT);
    CHECK((rc == 0) == (err == NULL));
    CHECK(t.count <= (max ? max : AS_TAGLIST_MAX_TAGS));
    const char *prev_end = d;
    for (size_t i = 0; i < t.count; i++) {
        as_span n = t.tags[i].name, v = t.tags[i].value;
        CHECK(inside(n, d, size) && inside(v, d, size));
        CHECK(n.p >= prev_end && v.p >= n.p + n.len);
        prev_end = v.p + v.len;
        CHECK(n.len > 0);
        CHECK((n.p[0] >= 'a' && n.p[0] <= 'z') || (n.p[0] >= 'A' && n.p[0] <= 'Z'));
        for (size_t k = 1; k < n.len; k++) {
            char c = n.p[k];
            CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_');
        }
        CHECK(memchr(v.p, ';', v.len) == NULL);
        CHECK(memchr(v.p, '\0', v.len) == NULL);
        if (v.len)
            CHECK(!is_fws_byte(v.p[0]) && !is_fws_byte(v.p[v.len - 1]));
        if (rc == 0) {
            for (size_t j = 0; j < i; j++)
                CHECK(t.tags[j].name.len != n.len ||
                      memcmp(t.tags[j].name.p, n.p, n.len) != 0);
            char name[128];
            if (n.len < sizeof name) {
                memcpy(name, n.p, n.len);
                name[n.len] = '\0';
                CHECK(as_taglist_get(&t, name) == &t.tags[i]);
            }
        }
    }
    as_arena_free(&a);
    return 0;
}
