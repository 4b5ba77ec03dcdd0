/* key_answer.c - a key query's answer to the key that verifies (see
 * key_answer.h).  Calls the key cache; nothing here calls back. */
#include "dkim/key_answer.h"

#include <string.h>

#include <authscore.h>
#include "dkim/keycache.h"

#define KEY_QNAME_MAX 300u  /* s + "._domainkey." + d before qtab's checks */

int as_dkim_key_ask(as_qtab *q, const as_arena *a, const char *s, const char *d,
                    as_answer_fn fn, void *engine, uintptr_t cookie,
                    const char **why, int *result)
{
    char name[KEY_QNAME_MAX];
    size_t sl = strlen(s), dl = strlen(d);
    int rc = AUTHSCORE_EINVAL;
    if (sl + dl + 12 <= sizeof name) {
        memcpy(name, s, sl);
        memcpy(name + sl, "._domainkey.", 12);
        memcpy(name + sl + 12, d, dl);
        rc = as_qtab_ask(q, name, sl + 12 + dl, AUTHSCORE_QTYPE_TXT, fn, engine, cookie);
    }
    *result = AUTHSCORE_RES_TEMPERROR;
    switch (rc) {
    case 0: return 0;
    case AUTHSCORE_EINVAL:
        *result = AUTHSCORE_RES_PERMERROR;
        *why = "key_query_invalid";
        return 1;
    case AUTHSCORE_ELIMIT: *why = "dns_limit"; return 1;
    case AUTHSCORE_ENOMEM: *why = a->limited ? "limit" : "no_memory"; return 1;
    default: return rc;
    }
}

const char *as_dkim_key_answer_status(const as_dns_answer *ans, int *result)
{
    *result = AUTHSCORE_RES_TEMPERROR;
    /* A bogus answer is never used as data, whatever it says. */
    if (ans->dnssec == AUTHSCORE_DNSSEC_BOGUS)
        return "dns_bogus";
    switch (ans->status) {
    case AUTHSCORE_DNS_OK:
        return NULL;
    case AUTHSCORE_DNS_NODATA:
    case AUTHSCORE_DNS_NXDOMAIN:
        *result = AUTHSCORE_RES_PERMERROR;
        return "key_not_found";
    case AUTHSCORE_DNS_TIMEOUT:
        return "dns_timeout";
    default:
        return "dns_servfail";
    }
}

const char *as_dkim_key_pick(as_dkim_keycache *c, const as_dns_answer *ans,
                             as_dkim_keyrec *kr, int *result)
{
    as_dkim_keyrec first = {0}, k;
    int have_first = 0;
    memset(kr, 0, sizeof *kr);
    for (size_t i = 0; i < ans->count; i++) {
        const as_dns_rr *rr = &ans->rr[i];
        if (rr->type != AUTHSCORE_QTYPE_TXT)
            continue;
        as_dkim_keycache_get(c, rr->u.txt.p, rr->u.txt.len, &k);
        if (!as_dkim_keyrec_definitive(&k)) {
            /* Not parsed for a reason of ours: it might have been the
             * usable one, so no later record's verdict stands. */
            if (have_first)
                as_dkim_keyrec_clear(&first);
            *result = AUTHSCORE_RES_TEMPERROR;
            const char *why = k.reason;
            as_dkim_keyrec_clear(&k);
            return why;
        }
        if (!k.reason) {
            if (have_first)
                as_dkim_keyrec_clear(&first);
            *kr = k;
            return NULL;
        }
        if (!have_first) {
            first = k;
            have_first = 1;
        } else {
            as_dkim_keyrec_clear(&k);
        }
    }
    if (!have_first) {
        *result = AUTHSCORE_RES_PERMERROR;
        return "key_not_found";
    }
    *kr = first;
    return NULL;
}

static int keyrec_result(const char *reason)
{
    if (strcmp(reason, "key_revoked") == 0)
        return AUTHSCORE_RES_FAIL;
    if (strcmp(reason, "no_memory") == 0 || strcmp(reason, "limit") == 0)
        return AUTHSCORE_RES_TEMPERROR;
    return AUTHSCORE_RES_PERMERROR;
}

const char *as_dkim_key_judge(const as_dkim_keyrec *kr, int keytype, int md,
                              int *result)
{
    *result = AUTHSCORE_RES_PERMERROR;
    if (kr->reason) {
        *result = keyrec_result(kr->reason);
        return kr->reason;
    }
    if (kr->type != keytype)
        return "key_type_mismatch";
    if (!(kr->hash_mask & (1u << md)))
        return "key_hash_not_allowed";
    return NULL;
}

int as_dkim_key_too_small(const as_dkim_keyrec *kr)
{
    return kr->type == AS_KEY_RSA && kr->bits < AS_DKIM_RSA_MIN_BITS;
}
