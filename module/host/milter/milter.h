/* milter.h - internals of authscore-milter (module/host/milter/), the
 * libmilter daemon that Postfix (smtpd_milters) talks to (docs/postfix.md).
 *
 * One job per file:
 *   conf.c      milter.conf: `name = value` lines, file:line errors
 *   holder.c    the shared context and its settings; SIGHUP reload swaps
 *               it under a lock, messages in flight keep theirs (refcount)
 *   message.c   one message as the MTA hands it over: one bounded buffer,
 *               our own Authentication-Results fields to delete
 *   action.c    what to tell the MTA: accept, quarantine, tempfail, reject
 *   callbacks.c the libmilter callbacks
 *   log.c       syslog (facility mail), and stderr in the foreground
 *   signals.c   SIGHUP for us, SIGTERM/SIGINT for libmilter
 *   main.c      options, daemon, socket, privileges, pid file
 * The milter uses only the public API of libauthscore (<authscore.h>). */
#ifndef AS_HOST_MILTER_H
#define AS_HOST_MILTER_H

#include <stddef.h>
#include <stdint.h>

#include <authscore.h>

#define AS_MILTER_NAME "authscore-milter"
#define AS_MILTER_DEFAULT_CONFIG "/etc/authscore/milter.conf"

/* ---- caps (each is a hard limit no configuration can raise) ----------- */

/* milter.conf: the file, a line, a name.  A real file is a few KiB. */
#define AS_MILTER_CONF_MAX_BYTES (256u << 10)
#define AS_MILTER_CONF_MAX_LINE 4096u
#define AS_MILTER_CONF_MAX_NAME 63u
/* Library options in one file (dns.forwarder repeats up to 8 times). */
#define AS_MILTER_CONF_MAX_LIB 64u
/* Networks in skip_hosts. */
#define AS_MILTER_MAX_NETS 64u
/* Text values (socket, user, group, paths, header name, replies). */
#define AS_MILTER_TEXT_MAX 4095u
#define AS_MILTER_REPLY_TEXT_MAX 200u
#define AS_MILTER_HEADER_NAME_MAX 64u
/* The message buffer: max_message_size defaults to the Exim host's
 * 64 MiB and may be set from 64 KiB to 1 GiB. */
#define AS_MILTER_DEFAULT_MESSAGE_MAX ((size_t)64 << 20)
#define AS_MILTER_MIN_MESSAGE_MAX ((size_t)64 << 10)
#define AS_MILTER_MAX_MESSAGE_MAX ((size_t)1 << 30)
/* Envelope strings (RFC 5321 4.5.3.1: a path is at most 256 octets;
 * room for hostile but harmless input). */
#define AS_MILTER_MAX_ENVELOPE 1024u
/* Our own Authentication-Results fields deleted per message; a message
 * with more is refused (tempfail), never passed on with one left. */
#define AS_MILTER_MAX_OWN_AR 256u

/* ---- settings --------------------------------------------------------- */

enum as_milter_act {
    AS_ACT_ACCEPT = 0,  /* headers added, message goes on */
    AS_ACT_QUARANTINE,  /* headers added, smfi_quarantine (Postfix: hold) */
    AS_ACT_TEMPFAIL,    /* 4xx, nothing added */
    AS_ACT_REJECT       /* 5xx, nothing added */
};

struct as_milter_net {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned prefix;
};

struct as_milter_reply {
    char code[4];   /* "550" */
    char xcode[16]; /* "5.7.1" */
    char text[AS_MILTER_REPLY_TEXT_MAX + 1];
};

/* A library option: handed to authscore_ctx_set_option() in file order. */
struct as_milter_libopt {
    char *name, *value; /* point into as_milter_conf.text */
    unsigned line;
};

struct as_milter_conf {
    char *path; /* the file read (owned) */
    char *text; /* the file's bytes, items NUL-terminated in place (owned) */
    /* daemon: read at start; a reload that changes them says so and keeps
     * the running values (the socket is open, root is gone) */
    const char *socket, *user, *socket_group, *pid_file;
    unsigned socket_mode;
    /* what the messages get */
    const char *authserv_id; /* NULL: the host name, as the library */
    size_t max_message_size;
    int oversize_action;  /* AS_ACT_TEMPFAIL or AS_ACT_ACCEPT */
    int temperror_action; /* AS_ACT_TEMPFAIL or AS_ACT_ACCEPT */
    int dmarc_reject;     /* AS_ACT_REJECT, _QUARANTINE, _TEMPFAIL, _ACCEPT */
    int dmarc_quarantine; /* AS_ACT_QUARANTINE or AS_ACT_ACCEPT */
    int has_score_reject, has_score_tempfail, has_score_quarantine;
    double score_reject, score_tempfail, score_quarantine;
    struct as_milter_reply dmarc_reply, score_reply, tempfail_reply;
    const char *score_header; /* "" or NULL: none */
    struct as_milter_net skip[AS_MILTER_MAX_NETS];
    size_t nskip;
    int skip_local; /* "local" in skip_hosts: connections without an IP */
    int skip_authenticated;
    struct as_milter_libopt lib[AS_MILTER_CONF_MAX_LIB];
    size_t nlib;
};

/* Read and parse `path`.  Returns 0, or -1 with `err` set to
 * "path:line: what is wrong" (or "path: ..." for the file itself).
 * On success the caller releases *c with as_milter_conf_free(). */
int as_milter_conf_load(const char *path, struct as_milter_conf *c, char *err,
                        size_t errlen);
/* The same over `len` bytes already read; `path` names them in errors. */
int as_milter_conf_parse(const char *path, const char *p, size_t len,
                         struct as_milter_conf *c, char *err, size_t errlen);
void as_milter_conf_free(struct as_milter_conf *c);
/* Whether `ip` (text) is in the skip list. */
int as_milter_conf_skips(const struct as_milter_conf *c, const char *ip);

/* ---- the shared context ----------------------------------------------- */

struct as_milter_holder {
    authscore_ctx *ctx;
    struct as_milter_conf conf;
    char authserv_id[256]; /* what the A-R fields carry, ours to delete */
    unsigned refs;         /* guarded by the holder lock (holder.c) */
};

/* Build a holder from `path`: the file, then a finalized context with its
 * library options.  Returns 0, or -1 with `err` ("file:line: ...", or the
 * library's reason for a rule file: "rules.conf:12: ..."). */
int as_milter_holder_build(const char *path, struct as_milter_holder **out,
                           char *err, size_t errlen);
/* Make `h` the current holder (the first, or after a reload). */
void as_milter_holder_install(struct as_milter_holder *h);
/* The current holder, with a reference; NULL before install. */
struct as_milter_holder *as_milter_holder_get(void);
/* Drop a reference; the last one frees a holder a reload replaced. */
void as_milter_holder_put(struct as_milter_holder *h);
/* SIGHUP: build from `path`; on success swap it in, on failure keep the
 * current one and log why.  Returns 0 or -1. */
int as_milter_holder_reload(const char *path);
/* At exit: drop the current holder (freed once no message holds it). */
void as_milter_holder_shutdown(void);

/* ---- one message ------------------------------------------------------ */

struct as_milter_msg {
    char *buf; /* header block (CRLF lines), empty line, body */
    size_t len, cap, max;
    int oversize;        /* more than `max` bytes came: nothing scored */
    int keep_body;       /* 0 for a message that is not evaluated */
    int oom;             /* an allocation failed: refused, tempfail */
    unsigned ar_seen;    /* Authentication-Results fields so far */
    unsigned own_ar[AS_MILTER_MAX_OWN_AR]; /* their 1-based indexes */
    unsigned nown;
    int own_overflow;    /* more of ours than own_ar holds */
};

/* Start a message that keeps at most `max` bytes (keep_body 0: only the
 * Authentication-Results bookkeeping). */
void as_milter_msg_start(struct as_milter_msg *m, size_t max, int keep_body);
void as_milter_msg_free(struct as_milter_msg *m);
/* One header field as the MTA gives it: `value` with its leading space
 * when `leadspc` (SMFIP_HDR_LEADSPC), folded lines joined by LF or CRLF.
 * `authserv_id`: ours, to note our own Authentication-Results fields. */
void as_milter_msg_header(struct as_milter_msg *m, const char *name,
                          const char *value, int leadspc,
                          const char *authserv_id);
void as_milter_msg_eoh(struct as_milter_msg *m);
void as_milter_msg_body(struct as_milter_msg *m, const unsigned char *p,
                        size_t len);
/* Whether an Authentication-Results value (`len` bytes) carries
 * `authserv_id` (RFC 8601 2.2: after optional CFWS, compared without
 * regard to case). */
int as_milter_ar_is_ours(const char *value, size_t len,
                         const char *authserv_id);

/* ---- the verdict ------------------------------------------------------ */

struct as_milter_verdict {
    int action;                          /* enum as_milter_act */
    const struct as_milter_reply *reply; /* for tempfail and reject */
    const char *why;                     /* for the log line */
};

/* What the evaluated message `m` gets under `c`; rc is what
 * authscore_msg_resolve() returned (negative: the message was refused).
 * Order (docs/postfix.md): a refusal tempfails; a header block past the
 * library's caps (a From may hide behind them) is rejected with 552
 * 5.3.4; a temperror gets temperror_action and nothing stronger (never a
 * reject); then the strongest of DMARC's disposition and the score
 * thresholds. */
void as_milter_decide(const struct as_milter_conf *c, int rc,
                      const authscore_msg *m, struct as_milter_verdict *v);
/* What as_milter_decide reads from a message. */
struct as_milter_facts {
    int refused;      /* the library refused it (a fault) */
    int header_limit; /* authscore_msg_parse_status() is AUTHSCORE_ELIMIT */
    int temperror;    /* authscore_msg_temperror() */
    int disposition;  /* authscore_dmarc_disposition() */
    int has_score;
    double score;
};
void as_milter_decide_facts(const struct as_milter_conf *c,
                            const struct as_milter_facts *f,
                            struct as_milter_verdict *v);
const char *as_milter_act_name(int action);

/* ---- logging ---------------------------------------------------------- */

/* Log to syslog (facility mail, ident authscore-milter); with
 * to_stderr each line also goes to stderr.  May be called again. */
void as_milter_log_open(int to_stderr);
void as_milter_logf(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The library's log callback. */
void as_milter_lib_log(void *user, int level, const char *msg);

/* ---- libmilter -------------------------------------------------------- */

/* Register the callbacks (smfi_register).  Returns 0 or -1. */
int as_milter_register(void);

/* The signal thread: SIGHUP reloads `config`.  Call with SIGHUP, SIGTERM
 * and SIGINT blocked (as_milter_block_signals) before any other thread
 * exists.  Returns 0 or -1. */
void as_milter_block_signals(void);
int as_milter_start_reloader(const char *config);

#endif
