/* msg_json.h - the message's result as JSON (msg_json.c): the whole
 * object for authscore_msg_json(), and the DMARC report row. */
#ifndef AS_CORE_MSG_JSON_H
#define AS_CORE_MSG_JSON_H

#include "core/internal.h"
#include "util/buf.h"

/* The row's "version": bumped when a key changes meaning or goes away
 * (keys are only added otherwise); `authscore report` reads version 1. */
#define AS_REPORT_ROW_VERSION 1

/* Build m->json in the message's arena.  Phase: DONE, before anything
 * reads it.  Returns 0, AUTHSCORE_ENOMEM or AUTHSCORE_ELIMIT. */
int as_msg_json_build(authscore_msg *m);

/* Append the report row (one JSON object, no newline) to b.  Returns 0,
 * or AUTHSCORE_ENOMEM / AUTHSCORE_ELIMIT (b's cap). */
int as_msg_json_row(const authscore_msg *m, as_buf *b);

#endif
