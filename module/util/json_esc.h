/* json_esc.h - how every string the module writes into JSON is escaped.
 *
 * RFC 8259 section 7, one definition for the library (util/json.c) and
 * the authscore command (which compiles this file in, as it does num.c):
 *   - '"' and '\' get a backslash;
 *   - the bytes 0x00-0x1f and 0x7f become \u00XX (lowercase hex), NUL
 *     included: the input is (pointer, length), never NUL-terminated;
 *   - valid UTF-8 (RFC 3629: shortest form, no surrogates, at most
 *     U+10FFFF) is copied as it is;
 *   - a byte that does not start a valid UTF-8 sequence becomes \ufffd
 *     (U+FFFD, the replacement character) and the scan goes on at the next
 *     byte, so a truncated sequence costs one U+FFFD per byte.
 * The output is therefore always valid JSON and valid UTF-8.
 * Own code, not libjansson's: its encoder refuses invalid UTF-8 instead of
 * replacing it, and a message's header data often is. */
#ifndef AS_JSON_ESC_H
#define AS_JSON_ESC_H

#include <stddef.h>

/* Receives the escaped text in pieces (never NUL-terminated). */
typedef void (*as_json_put_fn)(void *user, const char *p, size_t n);

/* Write p[0..len) escaped, without the surrounding quotes. */
void as_json_escape(const char *p, size_t len, as_json_put_fn put, void *user);

/* Length of the valid UTF-8 sequence at s (1..4, at most `avail` bytes),
 * or 0 when s[0] does not start one. */
size_t as_utf8_len(const unsigned char *s, size_t avail);

#endif
