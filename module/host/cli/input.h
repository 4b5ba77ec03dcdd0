/* input.h - a message file's bytes for `authscore check`. */
#ifndef AS_CLI_INPUT_H
#define AS_CLI_INPUT_H

#include <stddef.h>

/* Largest message the command reads (a host sets its own limit). */
#define CLI_MAX_MESSAGE (64u << 20)

typedef struct cli_input {
    char *bytes;
    size_t len;
} cli_input;

/* The whole file (or stdin for "-"), at most CLI_MAX_MESSAGE bytes, read
 * into one buffer kept from call to call.  Returns 0, or -1 with *why
 * set.  The bytes stay valid until input_close() or the next input_open(). */
int input_open(const char *path, cli_input *in, const char **why);
void input_close(cli_input *in);
/* Free the kept read buffer (at exit). */
void input_release(void);

#endif
