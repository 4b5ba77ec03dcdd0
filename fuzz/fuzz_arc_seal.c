/* fuzz_arc_seal.c - libFuzzer target for the ARC-Seal parser (RFC 8617
 * 4.1.3).  The input is the field value.  Invariants: a defined outcome;
 * the instance is 0 or 1..50; a usable seal has every required tag in
 * range (a known non-SHA-1 algorithm, cv, an LDH d=, s=, b= within its
 * cap) and its b= removal keeps everything but that value: pre ends at
 * b='s '=', post is empty or starts at a ';', and parsing pre+post again
 * gives the same instance, cv and names with an empty b=. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "arc/instance.h"
#include "arc/seal.h"
#include "dkim/crypto.h"
#include "dkim/sig.h"
#include "msg/tagvalue.h"
#include "fuzz_field.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nl;
    as_header_field f;
    char *raw = size <= 200000 ? fuzz_field("ARC-Seal", data, size, &f, &nl) : NULL;
    if (!raw)
        return 0;
    as_arena a, scratch;
    as_arena_init(&a, 64u << 20);
    as_arena_init(&scratch, 1u << 20);
    as_arc_seal s;
    int rc = as_arc_seal_parse(&a, &scratch, &f, &s);
    as_arena_free(&scratch); /* the result must not point into it */
    CHECK(rc == 0 || rc == AUTHSCORE_ENOMEM);
    CHECK(s.instance >= 0 && s.instance <= AS_ARC_MAX_SETS);
    if (rc == 0 && s.reason == NULL) {
        CHECK(s.instance >= 1);
        CHECK(s.cv >= AS_ARC_CV_NONE && s.cv <= AS_ARC_CV_FAIL);
        CHECK(s.md == AS_MD_SHA256);
        CHECK(s.keytype == AS_KEY_RSA || s.keytype == AS_KEY_ED25519);
        CHECK(s.d && s.s && as_dkim_sig_domain_name(as_span_make(s.d, strlen(s.d))));
        CHECK(s.blen > 0 && s.blen <= AS_DKIM_MAX_SIG_BYTES);
        CHECK(s.pre == raw && s.pre_len >= nl + 2 && s.pre_len <= nl + size);
        CHECK(raw[s.pre_len - 1] == '=');
        CHECK(s.post >= raw + s.pre_len && s.post + s.post_len == raw + nl + size);
        CHECK(s.post_len == 0 || s.post[0] == ';');
        /* The seal as its own hash sees it, without its b= value. */
        size_t vl = s.pre_len - nl + s.post_len, gl;
        char *v = malloc(vl ? vl : 1);
        CHECK(v != NULL);
        memcpy(v, raw + nl, s.pre_len - nl);
        memcpy(v + s.pre_len - nl, s.post, s.post_len);
        as_header_field g;
        char *again = fuzz_field("ARC-Seal", (const uint8_t *)v, vl, &g, &gl);
        CHECK(again != NULL);
        free(v);
        as_arc_seal t;
        as_arena_init(&scratch, 1u << 20);
        CHECK(as_arc_seal_parse(&a, &scratch, &g, &t) == 0);
        as_arena_free(&scratch);
        CHECK(t.reason && !strcmp(t.reason, "bad_tag:b"));
        CHECK(t.instance == s.instance && t.cv == s.cv);
        CHECK(!strcmp(t.d, s.d) && !strcmp(t.s, s.s));
        free(again);
    }
    as_arena_free(&a);
    free(raw);
    return 0;
}
