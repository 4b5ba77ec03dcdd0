/* errors.c - version, error text and result names. */
#include <authscore.h>
#include "util/names.h"

const char *authscore_version(void) { return AUTHSCORE_VERSION_STRING; }

uint32_t authscore_version_number(void) { return AUTHSCORE_VERSION_NUMBER; }

const char *authscore_strerror(int code)
{
    switch (code) {
    case AUTHSCORE_OK: return "success";
    case AUTHSCORE_ENOMEM: return "out of memory";
    case AUTHSCORE_EINVAL: return "invalid argument";
    case AUTHSCORE_EPHASE: return "called in the wrong phase";
    case AUTHSCORE_ELIMIT: return "a hard limit was reached";
    case AUTHSCORE_EPARSE: return "malformed input";
    case AUTHSCORE_EIO: return "file could not be read";
    case AUTHSCORE_EDNS: return "DNS resolver failure";
    case AUTHSCORE_ECONFIG: return "bad configuration";
    case AUTHSCORE_ENOTFOUND: return "not found";
    case AUTHSCORE_ENOTEVAL: return "not evaluated";
    default: return "unknown error";
    }
}

const char *authscore_result_name(int result)
{
    const char *w = as_result_word(result);
    if (w)
        return w;
    return result == AUTHSCORE_RES_NOT_EVALUATED ? "not_evaluated" : "unknown";
}

const char *authscore_policy_name(int policy) { return as_policy_word(policy); }

const char *authscore_dnssec_name(int state)
{
    switch (state) {
    case AUTHSCORE_DNSSEC_INDETERMINATE: return "indeterminate";
    case AUTHSCORE_DNSSEC_INSECURE: return "insecure";
    case AUTHSCORE_DNSSEC_SECURE: return "secure";
    case AUTHSCORE_DNSSEC_BOGUS: return "bogus";
    default: return "unknown";
    }
}
