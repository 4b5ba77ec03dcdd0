/* fuzz_dkim_signature.c - libFuzzer target for the DKIM-Signature parser.
 * The input is the field value.  Invariants: a defined outcome; a usable
 * signature has every required tag in range (d, s, a set, From signed,
 * bh the digest's length, b within its cap); the b= value removal keeps
 * everything but that value: pre ends in "b=", post is empty or starts at
 * the ';' that ended the tag, and re-parsing pre+post gives an empty b=. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/sig.h"
#include "msg/tagvalue.h"
#include "fuzz_field.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nl;
    as_header_field f;
    char *raw = size <= 200000 ? fuzz_field("DKIM-Signature", data, size, &f, &nl) : NULL;
    if (!raw)
        return 0;

    as_arena a;
    as_arena_init(&a, 64u << 20);
    as_dkim_sig s;
    as_arena scratch;
    as_arena_init(&scratch, 1u << 20);
    int rc = as_dkim_sig_parse(&a, &scratch, &f, &s);
    as_arena_free(&scratch);  /* the result must not point into it */
    CHECK(rc == 0 || rc == AUTHSCORE_ENOMEM);
    if (rc == 0 && s.reason == NULL) {
        CHECK(s.a && s.d && s.s);
        CHECK(s.md == AS_MD_SHA1 || s.md == AS_MD_SHA256);
        CHECK(s.keytype == AS_KEY_RSA || s.keytype == AS_KEY_ED25519);
        CHECK(s.hcanon == AS_CANON_SIMPLE || s.hcanon == AS_CANON_RELAXED);
        CHECK(s.bcanon == AS_CANON_SIMPLE || s.bcanon == AS_CANON_RELAXED);
        CHECK(s.bhlen == as_crypto_md_len(s.md));
        CHECK(s.blen > 0 && s.blen <= AS_DKIM_MAX_SIG_BYTES);
        CHECK(s.hcount >= 1 && s.hcount <= AS_DKIM_MAX_H_NAMES);
        int from = 0;
        size_t pos = 0, cnt = 0;
        as_span name;
        while (as_dkim_sig_h_next(&s, &pos, &name)) {
            CHECK(name.len > 0);
            CHECK(name.p >= raw + nl && name.p + name.len <= raw + nl + size);
            from |= as_span_ieq_cstr(name, "from");
            cnt++;
        }
        CHECK(from && cnt == s.hcount);
        CHECK(s.x < 0 || s.t < 0 || s.x >= s.t);

        /* The b= removal. */
        CHECK(s.pre == raw);
        CHECK(s.pre_len >= nl + 2 && s.pre_len <= nl + size);
        CHECK(raw[s.pre_len - 1] == '=');
        CHECK(s.post >= raw + s.pre_len && s.post + s.post_len == raw + nl + size);
        CHECK(s.post_len == 0 || s.post[0] == ';');
        size_t vl = s.pre_len - nl + s.post_len;
        char *v = malloc(vl ? vl : 1);
        CHECK(v != NULL);
        memcpy(v, raw + nl, s.pre_len - nl);
        memcpy(v + s.pre_len - nl, s.post, s.post_len);
        as_taglist tl;
        CHECK(as_taglist_parse(&a, v, vl, 0, &tl, NULL) == 0);
        const as_tag *b = as_taglist_get(&tl, "b");
        CHECK(b && b->value.len == 0);
        CHECK(as_taglist_get(&tl, "bh") != NULL);
        free(v);
    }
    as_arena_free(&a);
    free(raw);
    return 0;
}
