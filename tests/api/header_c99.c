/* Compiled with -std=c99 -pedantic -Werror: the public header is C99-clean. */
#include <authscore.h>

int main(void) { return authscore_version_number() == AUTHSCORE_VERSION_NUMBER ? 0 : 1; }
