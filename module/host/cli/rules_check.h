/* rules_check.h - `authscore rules-check FILE`: load a rule file as the
 * module would and print the symbols and weights it defines. */
#ifndef AS_CLI_RULES_CHECK_H
#define AS_CLI_RULES_CHECK_H

#include <authscore.h>

/* Exit status: 0 the file loads, 1 it does not (stderr says where). */
int rules_check(const char *path, authscore_log_fn log);

#endif
