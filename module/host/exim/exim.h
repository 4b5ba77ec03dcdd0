/* exim.h - internals of the Exim dlfunc host (module/host/exim/).
 *
 * The entry points themselves (authscore_exim_check, authscore_exim_ar) are
 * public and declared in include/authscore.h; this header joins the small
 * files behind them: the per-process context, the spool reader, the result
 * summary and the syslog writer. */
#ifndef AS_HOST_EXIM_H
#define AS_HOST_EXIM_H

#include <stddef.h>

#include <authscore.h>

/* Largest message rebuilt in memory (headers + body).  Exim's own
 * message_size_limit should stay below it; a larger spool file is refused
 * with FAIL rather than scored on a truncated body (that would make every
 * DKIM body hash fail). */
#define AS_EXIM_MAX_MESSAGE ((size_t)64 << 20)
/* Largest header argument ($message_headers_raw).  Exim caps the whole
 * header block at header_maxsize (1 MiB by default); this is the same. */
#define AS_EXIM_MAX_HEADERS ((size_t)1 << 20)
/* Exim hands ${dlfunc} at most this much of $message_headers_raw (its
 * header_insert_maxlen, 64 KiB in every Exim 4 release) and cuts the rest
 * silently.  A header argument this long is taken as cut: evaluating it
 * would miss the fields after the cut (a From hidden behind 64 KiB of junk
 * would turn a DMARC reject into a permerror), so it is refused. */
#define AS_EXIM_HEADER_INSERT_MAXLEN 65536
/* Largest options string or options file. */
#define AS_EXIM_MAX_OPTIONS 8192
/* Largest envelope argument (IP, HELO, MAIL FROM: RFC 5321 4.5.3.1 caps a
 * path at 256 octets; leave room for hostile but harmless input). */
#define AS_EXIM_MAX_ENVELOPE 1024
/* Largest spool path (PATH_MAX). */
#define AS_EXIM_MAX_PATH 4096
/* Default options file, read when the options argument is empty. */
#define AS_EXIM_DEFAULT_OPTIONS_FILE "/etc/authscore/exim.opts"

/* The context of this process, created on first use from `options`
 * ("name=value;name=value", or "" for AS_EXIM_DEFAULT_OPTIONS_FILE).
 * A context inherited through fork() is never used: a fresh one is made
 * in the child.  On failure NULL, `errbuf` says why and *rc is the
 * library's error code; a configuration error has been logged, once per
 * process and error text. */
const authscore_ctx *as_exim_ctx_get(const char *options, char *errbuf,
                                     size_t errlen, int *rc);

/* Read the -D spool file at `path` and join it to `headers` (`hlen` bytes,
 * newline-separated header lines) into one malloc'ed message:
 * headers, a newline if missing, an empty line, the body.  Returns 0 and
 * *out and *outlen, or a negative AUTHSCORE_E* code with `errbuf` filled. */
int as_exim_spool_message(const char *path, const char *headers, size_t hlen,
                          char **out, size_t *outlen, char *errbuf,
                          size_t errlen);

/* Write the check summary ("spf=pass dkim=pass ...") of a finished message
 * into `dst` (NUL-terminated).  Returns the length, or -1 if it does not
 * fit.  It always fits AS_EXIM_SUMMARY_MAX: the fixed fields take under
 * 1 KiB and the symbols= list at most (AS_SYM_COUNT + AS_RULES_MAX_RULES)
 * entries of a 64-byte name and a weight of at most 9 bytes plus "(),". */
#define AS_EXIM_SUMMARY_MAX (1024 + (42 + 512) * (64 + 12))
int as_exim_summary(const authscore_msg *m, char *dst, size_t cap);

/* Log callback: one datagram to the local syslog socket, facility mail,
 * ident "authscore".  `user` is unused.  Errors also go to Exim's main
 * log when the module runs inside Exim (as_exim_mainlog). */
void as_exim_log(void *user, int level, const char *msg);

/* One line, `prefix` then `text`, to Exim's main log through Exim's own log_write(), found at
 * run time (the module is dlopen()ed by the exim binary, which exports
 * it); outside Exim (tests, other hosts) the line goes to syslog at level
 * info.  Control characters become '?'. */
void as_exim_mainlog(const char *prefix, const char *text);

/* Fold an Authentication-Results value for add_header: "\n\t" before
 * each result and wherever a line would pass AS_EXIM_FOLD_MAX columns;
 * `first_col` is where the value starts on the first line (after
 * "Authentication-Results: ").  Returns the length written to `dst`
 * (NUL-terminated), or -1 if it does not fit `cap`. */
#define AS_EXIM_FOLD_MAX 78
#define AS_EXIM_AR_PREFIX_LEN (sizeof "Authentication-Results: " - 1)
int as_exim_fold(const char *value, size_t first_col, char *dst, size_t cap);

#endif
