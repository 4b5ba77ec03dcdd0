/* stress_pass.h - score examples/messages/pass.eml through the sans-I/O
 * API, answering from good.example's records (the data of
 * examples/zones/good.example.zone), for the stress programs. */
#ifndef AS_STRESS_PASS_H
#define AS_STRESS_PASS_H

#include <stddef.h>

#include <authscore.h>

/* The examples' clock (examples/run.sh). */
#define SP_NOW 1795478000

/* Score pass.eml (msg, len) on ctx with the envelope it arrived with.
 * note >= 0 gives the DKIM key record unique bytes (an n= note) so that
 * every call misses the decoded-key cache.  Returns 0 when SPF, DKIM and
 * DMARC all pass, -1 otherwise (or on an API error). */
int sp_score_pass(const authscore_ctx *ctx, const char *msg, size_t len, long note);

#endif
