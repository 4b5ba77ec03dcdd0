/* seal.c - ARC-Seal parsing (RFC 8617 4.1.3); see seal.h.  The tag list
 * is DKIM's (msg/tagvalue.c); algorithm, domain, number and b= removal
 * are dkim/sig.c's, so a seal reads exactly as a signature does. */
#include "arc/seal.h"

#include <string.h>

#include <authscore.h>
#include "arc/instance.h"
#include "dkim/crypto.h"
#include "dkim/sig.h"
#include "msg/tagvalue.h"

#define SEAL_MAX_DIGITS 20u  /* t=: as DKIM's t= (saturating) */

static int cv_value(as_span v)
{
    if (as_span_ieq_cstr(v, "none"))
        return AS_ARC_CV_NONE;
    if (as_span_ieq_cstr(v, "pass"))
        return AS_ARC_CV_PASS;
    if (as_span_ieq_cstr(v, "fail"))
        return AS_ARC_CV_FAIL;
    return -1;
}

static const char *const required[] = {
    "a", "missing_tag:a", "b", "missing_tag:b", "cv", "missing_tag:cv",
    "d", "missing_tag:d", "s", "missing_tag:s",
};

/* Everything but b=, which needs memory. */
static const char *check_tags(const as_taglist *tl, as_arc_seal *o)
{
    for (size_t k = 0; k < sizeof required / sizeof *required; k += 2)
        if (!as_taglist_get(tl, required[k]))
            return required[k + 1];
    /* The seal signs a fixed set of fields; an h= would claim otherwise
     * (RFC 8617 4.1.3). */
    if (as_taglist_get(tl, "h"))
        return "h_present";
    if (as_dkim_sig_algorithm(as_taglist_get(tl, "a")->value, &o->md, &o->keytype) < 0)
        return "unsupported_algorithm";
    if (o->md == AS_MD_SHA1)
        return "weak_algorithm";
    if ((o->cv = cv_value(as_taglist_get(tl, "cv")->value)) < 0)
        return "bad_tag:cv";
    if (!as_dkim_sig_domain_name(as_taglist_get(tl, "d")->value))
        return "bad_tag:d";
    if (!as_dkim_sig_domain_ok(as_taglist_get(tl, "s")->value))
        return "bad_tag:s";
    const as_tag *t = as_taglist_get(tl, "t");
    if (t && (o->t = as_dkim_sig_uint(t->value, SEAL_MAX_DIGITS)) < 0)
        return "bad_tag:t";
    return NULL;
}

int as_arc_seal_parse(as_arena *keep, as_arena *scratch, const as_header_field *f,
                      as_arc_seal *o)
{
    memset(o, 0, sizeof *o);
    o->cv = -1;
    o->t = -1;
    as_taglist tl;
    int rc = as_taglist_parse(scratch, f->value_raw.p, f->value_raw.len, 0, &tl, NULL);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc != 0) {
        o->reason = "tag_syntax";
        return 0;
    }
    const as_tag *ti = as_taglist_get(&tl, "i");
    o->instance = ti ? as_arc_instance_value(ti->value.p, ti->value.len) : 0;
    if (!o->instance) {
        o->reason = ti ? "bad_tag:i" : "missing_tag:i";
        return 0;
    }
    const as_tag *td = as_taglist_get(&tl, "d"), *ts = as_taglist_get(&tl, "s");
    /* Names first, so even an unusable seal says who claims it. */
    if (td && !(o->d = as_arena_strndup_lower(keep, td->value.p, td->value.len)))
        return AUTHSCORE_ENOMEM;
    if (ts && !(o->s = as_arena_strndup_lower(keep, ts->value.p, ts->value.len)))
        return AUTHSCORE_ENOMEM;
    if ((o->reason = check_tags(&tl, o)) != NULL)
        return 0;
    const as_tag *b = as_taglist_get(&tl, "b");
    if ((rc = as_dkim_sig_b(keep, b->value, &o->b, &o->blen)) == AUTHSCORE_ENOMEM)
        return rc;
    if (rc) {
        o->reason = "bad_tag:b";
        return 0;
    }
    as_dkim_sig_strip_b(f, b->name, b->value, &o->pre, &o->pre_len, &o->post, &o->post_len);
    return 0;
}
