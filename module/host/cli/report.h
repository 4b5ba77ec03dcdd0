/* report.h - print a finished message as JSON Lines or as text. */
#ifndef AS_CLI_REPORT_H
#define AS_CLI_REPORT_H

#include <stdio.h>

#include <authscore.h>

void report_json(FILE *f, const char *file, const authscore_msg *m);
void report_text(FILE *f, const char *file, const authscore_msg *m);

#endif
