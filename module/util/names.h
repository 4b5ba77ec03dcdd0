/* names.h - the one table of result and policy words (RFC 8601, RFC 7489). */
#ifndef AS_NAMES_H
#define AS_NAMES_H

/* "pass", "fail", ... for a result; NULL for not-evaluated or unknown. */
const char *as_result_word(int result);
/* "none", "quarantine", "reject"; NULL for unset or unknown. */
const char *as_policy_word(int policy);

#endif
