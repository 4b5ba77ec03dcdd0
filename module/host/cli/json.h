/* json.h - minimal JSON writer for the CLI's JSON Lines output. */
#ifndef AS_CLI_JSON_H
#define AS_CLI_JSON_H

#include <stdio.h>

/* Write s as a JSON string (or null for NULL); invalid UTF-8 bytes become
 * U+FFFD so the output is always valid JSON. */
void json_str(FILE *f, const char *s);
/* Write "key": with the separator handled by the caller. */
void json_key(FILE *f, const char *key);
/* Write `sep` (unless 0), then "key":"value" (value NULL gives null). */
void json_field(FILE *f, char sep, const char *key, const char *value);
/* Write a weight or score: up to six decimals (the scorer counts in
 * millionths), '.' whatever the locale, never NaN or inf. */
void json_num(FILE *f, double v);

#endif
