/* report_cmd.h - `authscore report` (report_cmd.c). */
#ifndef AS_CLI_REPORT_CMD_H
#define AS_CLI_REPORT_CMD_H

/* argv[0] is "report".  Returns the exit status: 0, 1 (a file could not
 * be read or written), 2 (usage). */
int report_cmd(int argc, char **argv);

#endif
