/* names.c - result and policy words; every other table calls these. */
#include "util/names.h"

#include <authscore.h>

const char *as_result_word(int r)
{
    switch (r) {
    case AUTHSCORE_RES_NONE: return "none";
    case AUTHSCORE_RES_PASS: return "pass";
    case AUTHSCORE_RES_FAIL: return "fail";
    case AUTHSCORE_RES_SOFTFAIL: return "softfail";
    case AUTHSCORE_RES_NEUTRAL: return "neutral";
    case AUTHSCORE_RES_TEMPERROR: return "temperror";
    case AUTHSCORE_RES_PERMERROR: return "permerror";
    case AUTHSCORE_RES_POLICY: return "policy";
    default: return NULL;
    }
}

const char *as_policy_word(int p)
{
    switch (p) {
    case AUTHSCORE_DMARC_POLICY_NONE: return "none";
    case AUTHSCORE_DMARC_POLICY_QUARANTINE: return "quarantine";
    case AUTHSCORE_DMARC_POLICY_REJECT: return "reject";
    default: return NULL;
    }
}
