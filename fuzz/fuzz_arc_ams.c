/* fuzz_arc_ams.c - libFuzzer target for an ARC-Message-Signature read by
 * the DKIM parser under ARC's rules (RFC 8617 4.1.2; dkim/sig.c, kind
 * AS_DKIM_SIG_AMS).  The input is the field value.  Invariants: a defined
 * outcome; the instance is 0 or 1..50, and 0 whenever i= is unusable; a
 * usable AMS has no AUID, a strict LDH d=, no ARC-Seal among its h=
 * names, h= names inside the input, and a b= removal as DKIM's. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/sig.h"
#include "fuzz_field.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nl;
    as_header_field f;
    char *raw = size <= 200000 ? fuzz_field("ARC-Message-Signature", data, size, &f, &nl) : NULL;
    if (!raw)
        return 0;
    as_arena a, scratch;
    as_arena_init(&a, 64u << 20);
    as_arena_init(&scratch, 1u << 20);
    as_dkim_sig s;
    int rc = as_dkim_sig_parse_kind(&a, &scratch, &f, AS_DKIM_SIG_AMS, &s);
    as_arena_free(&scratch);
    CHECK(rc == 0 || rc == AUTHSCORE_ENOMEM);
    CHECK(s.kind == AS_DKIM_SIG_AMS);
    CHECK(s.instance >= 0 && s.instance <= AS_DKIM_AMS_MAX_INSTANCE);
    if (rc == 0 && s.reason && (!strcmp(s.reason, "bad_signature_tag:i") ||
                                !strcmp(s.reason, "missing_signature_tag:i")))
        CHECK(s.instance == 0);
    if (rc == 0 && s.reason == NULL) {
        CHECK(s.instance >= 1);
        CHECK(s.i == NULL);
        CHECK(s.a && s.d && s.s);
        CHECK(as_dkim_sig_domain_name(as_span_make(s.d, strlen(s.d))));
        CHECK(s.md == AS_MD_SHA1 || s.md == AS_MD_SHA256);
        CHECK(s.hcanon == AS_CANON_SIMPLE || s.hcanon == AS_CANON_RELAXED);
        CHECK(s.bhlen == as_crypto_md_len(s.md));
        CHECK(s.blen > 0 && s.blen <= AS_DKIM_MAX_SIG_BYTES);
        size_t pos = 0;
        as_span name;
        while (as_dkim_sig_h_next(&s, &pos, &name)) {
            CHECK(name.len == 0 || (name.p >= raw + nl && name.p + name.len <= raw + nl + size));
            CHECK(!as_span_ieq_cstr(name, "arc-seal"));
        }
        CHECK(s.pre == raw && raw[s.pre_len - 1] == '=');
        CHECK(s.post + s.post_len == raw + nl + size);
        CHECK(s.post_len == 0 || s.post[0] == ';');
    }
    as_arena_free(&a);
    free(raw);
    return 0;
}
