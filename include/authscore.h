/*
 * authscore.h - the only public header of libauthscore.
 *
 * authscore evaluates SPF (RFC 7208), DKIM (RFC 6376, 8463, 8301), DMARC
 * (RFC 7489, RFC 9989) and ARC (RFC 8617) for one message at a time, with
 * DNSSEC-validated DNS,
 * and turns the findings into symbols, a score and an Authentication-Results
 * header (RFC 8601).
 *
 * USAGE WALK-THROUGH
 *
 * 1. Once per process, at start-up, build a context:
 *
 *        authscore_ctx *ctx;
 *        if (authscore_ctx_new(&ctx) < 0) ...;
 *        authscore_ctx_set_log(ctx, my_log, my_data);      // optional
 *        authscore_ctx_set_option(ctx, "dns.config", "/etc/authscore/unbound.conf");
 *        int rc = authscore_ctx_finalize(ctx);             // resolver, rules
 *        if (rc < 0) fprintf(stderr, "%s\n", authscore_strerror(rc));
 *
 *    After authscore_ctx_finalize() the context is immutable and may be
 *    shared by any number of threads; its caches are internally locked.
 *
 * 2a. Per message, the blocking way (Exim, the authscore command): the
 *     built-in libunbound resolver asks every question in parallel and stops
 *     at the per-message deadline.
 *
 *        authscore_msg *m;
 *        rc = authscore_check(ctx, "192.0.2.1", "mail.example.com",
 *                             "alice@example.com", bytes, len, &m);
 *        // or: authscore_msg_new(); authscore_msg_set_time(); authscore_msg_resolve()
 *        ... getters ...
 *        authscore_msg_free(m);
 *
 * 2b. Per message, the sans-I/O way (Rspamd, or any host with its own
 *     event loop and resolver):
 *
 *        authscore_msg_new(ctx, ip, helo, mail_from, bytes, len, &m);
 *        for (;;) {
 *            uint32_t id; const char *qname; int qtype;
 *            while (authscore_msg_next_query(m, &id, &qname, &qtype) == 1)
 *                start_async_lookup(id, qname, qtype);
 *            if (authscore_msg_outstanding(m) == 0) break;
 *            wait for one answer, then
 *            authscore_msg_answer(m, id, status, dnssec, why, ttl,
 *                                 rdata, rdata_len, count);
 *        }
 *        authscore_msg_result(m);     // DMARC, symbols, score, A-R header
 *        ... getters ...
 *        authscore_msg_free(m);
 *
 *    Answering may raise further questions (SPF include, DMARC tree walk):
 *    always drain authscore_msg_next_query() again after an answer.
 *
 * CONVENTIONS
 *
 * - Functions returning int return 0 (or a documented non-negative value)
 *   on success and a negative AUTHSCORE_E* code on failure; turn it into
 *   text with authscore_strerror().  Codes are only ever added.
 * - Strings returned by getters are owned by the object they came from and
 *   stay valid until that object is freed.  Never free them.
 * - Strings passed in are copied unless documented as borrowed.
 * - The library never writes to stdout or stderr and never exits; it logs
 *   only through the callback given to authscore_ctx_set_log().
 * - Phases of a message: NEW (after authscore_msg_new) -> RESOLVING (first
 *   authscore_msg_next_query) -> DONE (after authscore_msg_result).  Each
 *   function names the phases in which it may be called; anywhere else it
 *   returns AUTHSCORE_EPHASE (or the documented "not available" value).
 * - Threads.  A context being set up (before authscore_ctx_finalize) is
 *   used by one thread.  A finalized context is immutable and may be
 *   shared by any number of threads; its caches lock themselves.  A
 *   message is used by one thread at a time (it may move between threads
 *   with the host's own synchronization); once DONE, its getters only
 *   read and may be called from several threads at once.  The version,
 *   error and name functions may be called from any thread at any time.
 * - Fail closed (docs/architecture.md).  After an error inside the module
 *   (AUTHSCORE_ENOMEM, AUTHSCORE_ELIMIT, ...) a message is either refused
 *   or every method the error touched is temperror with reason "no_memory"
 *   or "limit"; a fault never yields pass, fail, permerror or a cached
 *   result, and a temperror never a reject or quarantine disposition.  A
 *   refusal is sticky: every later call on that message returns the same
 *   error and the getters report no verdict (as outside phase DONE).  A
 *   host defers such a message (a 4xx reply), it never scores it.
 */
#ifndef AUTHSCORE_H
#define AUTHSCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AUTHSCORE_BUILDING) && defined(__GNUC__)
#define AUTHSCORE_API __attribute__((visibility("default")))
#else
#define AUTHSCORE_API
#endif

#define AUTHSCORE_VERSION_MAJOR 0
#define AUTHSCORE_VERSION_MINOR 1
#define AUTHSCORE_VERSION_PATCH 0
#define AUTHSCORE_VERSION_STRING "0.1.0"
/* 0xMMmmpp: compare with authscore_version_number() at run time. */
#define AUTHSCORE_VERSION_NUMBER                                               \
    ((AUTHSCORE_VERSION_MAJOR << 16) | (AUTHSCORE_VERSION_MINOR << 8) |        \
     AUTHSCORE_VERSION_PATCH)

typedef struct authscore_ctx authscore_ctx;
typedef struct authscore_msg authscore_msg;

/* Error codes.  Values are pinned and only ever added. */
enum authscore_error {
    AUTHSCORE_OK = 0,
    AUTHSCORE_ENOMEM = -1,     /* allocation failed */
    AUTHSCORE_EINVAL = -2,     /* bad argument (NULL, unknown option, ...) */
    AUTHSCORE_EPHASE = -3,     /* called in the wrong phase */
    AUTHSCORE_ELIMIT = -4,     /* a hard cap was reached */
    AUTHSCORE_EPARSE = -5,     /* malformed input */
    AUTHSCORE_EIO = -6,        /* a file could not be read */
    AUTHSCORE_EDNS = -7,       /* the resolver could not be set up or failed */
    AUTHSCORE_ECONFIG = -8,    /* bad configuration or rule file */
    AUTHSCORE_ENOTFOUND = -9,  /* no such item (index out of range, id) */
    AUTHSCORE_ENOTEVAL = -10   /* this part was not evaluated */
};

/* Result words of RFC 8601.  Values are pinned. */
enum authscore_result {
    AUTHSCORE_RES_NOT_EVALUATED = 0, /* the engine did not run (yet) */
    AUTHSCORE_RES_NONE = 1,
    AUTHSCORE_RES_PASS = 2,
    AUTHSCORE_RES_FAIL = 3,
    AUTHSCORE_RES_SOFTFAIL = 4,
    AUTHSCORE_RES_NEUTRAL = 5,
    AUTHSCORE_RES_TEMPERROR = 6,
    AUTHSCORE_RES_PERMERROR = 7,
    AUTHSCORE_RES_POLICY = 8
};

/* DNSSEC state of an answer (and of a result built from answers). */
enum authscore_dnssec {
    AUTHSCORE_DNSSEC_INDETERMINATE = 0, /* unknown, or no DNS was used */
    AUTHSCORE_DNSSEC_INSECURE = 1,      /* no chain of trust to the zone */
    AUTHSCORE_DNSSEC_SECURE = 2,        /* validated */
    AUTHSCORE_DNSSEC_BOGUS = 3          /* validation failed: never used */
};

/* Question types: the DNS RR type numbers. */
enum authscore_qtype {
    AUTHSCORE_QTYPE_A = 1,
    AUTHSCORE_QTYPE_PTR = 12,
    AUTHSCORE_QTYPE_MX = 15,
    AUTHSCORE_QTYPE_TXT = 16,
    AUTHSCORE_QTYPE_AAAA = 28
};

/* Outcome of a lookup, as the host reports it. */
enum authscore_dns_status {
    AUTHSCORE_DNS_OK = 0,       /* NOERROR with records of the type */
    AUTHSCORE_DNS_NODATA = 1,   /* NOERROR, no records of the type */
    AUTHSCORE_DNS_NXDOMAIN = 2, /* the name does not exist */
    AUTHSCORE_DNS_SERVFAIL = 3, /* server failure, refused, bad reply */
    AUTHSCORE_DNS_TIMEOUT = 4   /* no answer before the deadline */
};

/* Which SPF identity (RFC 7208 section 2.3, 2.4). */
enum authscore_spf_identity {
    AUTHSCORE_SPF_MFROM = 0,
    AUTHSCORE_SPF_HELO = 1
};

/* DMARC policy and disposition values. */
enum authscore_dmarc_policy {
    AUTHSCORE_DMARC_POLICY_UNSET = 0, /* no policy record found */
    AUTHSCORE_DMARC_POLICY_NONE = 1,
    AUTHSCORE_DMARC_POLICY_QUARANTINE = 2,
    AUTHSCORE_DMARC_POLICY_REJECT = 3
};

/* Bit flags reported per DKIM signature. */
enum authscore_dkim_flag {
    AUTHSCORE_DKIM_WEAK_ALGORITHM = 1 << 0,   /* rsa-sha1 */
    AUTHSCORE_DKIM_TESTING_KEY = 1 << 1,      /* key record t=y */
    AUTHSCORE_DKIM_UNSIGNED_CONTENT = 1 << 2, /* body longer than l= */
    AUTHSCORE_DKIM_NOT_EVALUATED = 1 << 3     /* beyond the signature cap */
};

/* Log levels given to the log callback. */
enum authscore_log_level {
    AUTHSCORE_LOG_ERROR = 0,
    AUTHSCORE_LOG_WARNING = 1,
    AUTHSCORE_LOG_INFO = 2,
    AUTHSCORE_LOG_DEBUG = 3
};

/* Log callback.  `msg` is NUL-terminated and valid only during the call.
 * May be called from any thread that calls into the library. */
typedef void (*authscore_log_fn)(void *user, int level, const char *msg);

/* ---- version and errors (any phase, any thread) ------------------------ */

/* The library's version string, e.g. "0.1.0".  Static storage. */
AUTHSCORE_API const char *authscore_version(void);
/* The library's AUTHSCORE_VERSION_NUMBER. */
AUTHSCORE_API uint32_t authscore_version_number(void);
/* Text for an error code; unknown codes give "unknown error".  Static. */
AUTHSCORE_API const char *authscore_strerror(int code);
/* "pass", "fail", ... for an enum authscore_result; "unknown" otherwise. */
AUTHSCORE_API const char *authscore_result_name(int result);
/* "secure", "insecure", "bogus", "indeterminate".  Static. */
AUTHSCORE_API const char *authscore_dnssec_name(int state);
/* "none", "quarantine", "reject" for an enum authscore_dmarc_policy;
 * NULL for AUTHSCORE_DMARC_POLICY_UNSET or unknown values.  Static. */
AUTHSCORE_API const char *authscore_policy_name(int policy);

/* ---- context (one per process) ------------------------------------------ */

/* Create an unfinalized context with default settings.  The caller owns
 * *out and releases it with authscore_ctx_free().  Phase: any time. */
AUTHSCORE_API int authscore_ctx_new(authscore_ctx **out);

/* Release a context and everything it owns.  No message created from it
 * may still exist.  NULL is allowed.  Phase: after every message is freed. */
AUTHSCORE_API void authscore_ctx_free(authscore_ctx *ctx);

/* Install a log callback (NULL: log nothing).  `user` is borrowed and given
 * back to the callback.  Phase: before authscore_ctx_finalize(). */
AUTHSCORE_API int authscore_ctx_set_log(authscore_ctx *ctx, authscore_log_fn fn,
                                        void *user);

/* Set a named option; `value` is copied.  Options (docs/architecture.md
 * has defaults and ranges; integers are plain decimal digits; paths are at
 * most 4095 bytes):
 *   dns.config           path of an unbound configuration file
 *   dns.trust_anchor     path of a trust-anchor file (default
 *                        /usr/share/dns/root.key); "none" disables it
 *   dns.forwarder        address of a forwarding resolver (repeatable, at
 *                        most 8, each at most 511 bytes)
 *   dns.timeout_ms       per-message DNS deadline, 1 to 120000 (default 5000)
 *   dns.backend          "unbound" (default) or "none": no resolver, for
 *                        hosts that only use the sans-I/O API
 *   dns.cache_size       bytes of the context's DNS answer cache, 0 to
 *                        1073741824 (default 4194304; 0: no cache)
 *   dns.cache_max_ttl    seconds a secure or insecure answer is kept at
 *                        most, 0 to 86400 (default 3600; its TTL if shorter)
 *   dns.cache_bogus_ttl  seconds a bogus or indeterminate answer is kept
 *                        at most, 0 to 300 (default 5)
 *   dns.shared_cache     path of a file every process of the host shares
 *                        for secure and insecure answers (docs/dns.md;
 *                        default none); created 0600, refused at finalize
 *                        when not a regular file of this user or when
 *                        group- or world-writable; needs dns.cache_size > 0
 *   dns.shared_cache_size  bytes of that file when it is created, 65536
 *                        to 1073741824 (default 16777216)
 *   authserv_id          the authserv-id of the A-R header (at most 255
 *                        bytes; default: the host name)
 *   dkim.max_signatures  signatures evaluated per message, 1 to 64
 *                        (default 8)
 *   dkim.clock_skew      seconds a t= may lie in the future, 0 to 86400
 *                        (default 300)
 *   dkim.accept_rsa_sha1 "no" (default) or "yes" ("0"/"1"): the legacy
 *                        exception to RFC 8301 3.1; "yes" verifies
 *                        rsa-sha1 as a weak pass, "no" makes it
 *                        permerror with reason weak_algorithm
 *   dmarc.mode           "rfc9989" (default) or "rfc7489"
 *   dmarc.psl_file       Public Suffix List file for rfc7489 mode
 *   dmarc.pct_seed       seed of rfc7489 mode's deterministic pct=
 *                        sampling, 0 to 2147483647 (default 0)
 *   spf.max_lookups      DNS-mechanism lookups, 1 to 10 (RFC 7208 4.6.4)
 *   spf.max_void_lookups void lookups, 1 or 2 (RFC 7208 4.6.4)
 *   rules.file           path of the rule file (docs/rules.md), e.g. the
 *                        shipped rules/authscore.conf; without one,
 *                        symbols carry weight 0 and authscore_score()
 *                        returns AUTHSCORE_ENOTEVAL
 *   report.log           JSON Lines file each finished message's DMARC
 *                        report row is appended to (one write per row,
 *                        O_APPEND), or a directory ending in '/' for one
 *                        file per UTC day; a write failure is logged once
 *                        and never changes a verdict (docs/dmarc-reports.md)
 *   report.all           "no" (default): a row only when the DMARC policy
 *                        has a rua; "yes": a row for every message
 * Returns AUTHSCORE_EINVAL for an unknown name or a bad value (junk, out
 * of range: never clamped, too long), AUTHSCORE_ELIMIT when a repeatable
 * option is full, AUTHSCORE_ENOMEM; on error nothing changes.  An unknown
 * name is also told to the log callback and authscore_ctx_error(), with
 * the nearest known name: "unknown option dns.timeout (did you mean
 * dns.timeout_ms?)".
 * Phase: before authscore_ctx_finalize(). */
AUTHSCORE_API int authscore_ctx_set_option(authscore_ctx *ctx, const char *name,
                                           const char *value);

/* Build the resolver and load rules; afterwards the context is immutable
 * and thread-safe.  On failure the context stays unfinalized and the
 * log callback has been told why.  Phase: once, after the options. */
AUTHSCORE_API int authscore_ctx_finalize(authscore_ctx *ctx);

/* Why the last authscore_ctx_finalize() or authscore_ctx_set_option()
 * failed (set_option: unknown names), e.g. for a rule file
 * "rules/local.conf:12: rule PAYPAL: regex \"/(pay/i\": missing closing
 * parenthesis at offset 4"; NULL when it did not fail.  Owned by ctx,
 * valid until the next finalize or free.  Phase: any. */
AUTHSCORE_API const char *authscore_ctx_error(const authscore_ctx *ctx);

/* The context's DNS answer cache (docs/dns.md), over every message and
 * thread since authscore_ctx_finalize(): lookups answered (*hits) and not
 * (*misses: absent or expired), and what it holds now (*entries, *bytes,
 * its tables' overhead included).  Any pointer may be NULL; all are 0
 * without a cache.  Each of the cache's parts is read under its lock, so
 * any thread may call this at any time, also while other threads score
 * messages (then the sum is of moments microseconds apart).  Returns 0,
 * or AUTHSCORE_EINVAL for a NULL ctx.  Phase: any. */
AUTHSCORE_API int authscore_ctx_dns_cache_stats(const authscore_ctx *ctx,
                                                uint64_t *hits,
                                                uint64_t *misses,
                                                uint64_t *entries,
                                                uint64_t *bytes);

/* The answer cache shared between processes (option dns.shared_cache,
 * docs/dns.md), as this context used it since authscore_ctx_finalize():
 * lookups the file answered (*hits) and not (*misses; only questions the
 * context's own cache missed reach the file), answers written to it
 * (*stores), and slots that failed their checksum or checks (*rejected:
 * torn by a concurrent write, or a damaged file; each is a miss).  Any
 * pointer may be NULL; all are 0 without the option.  Thread-safe.
 * Returns 0, or AUTHSCORE_EINVAL for a NULL ctx.  Phase: any. */
AUTHSCORE_API int authscore_ctx_dns_shared_cache_stats(const authscore_ctx *ctx,
                                                       uint64_t *hits,
                                                       uint64_t *misses,
                                                       uint64_t *stores,
                                                       uint64_t *rejected);

/* The symbols the loaded rules define (engine symbols and rule-file
 * rules), in a stable order, for hosts that register them up front
 * (Rspamd) and for `authscore rules-check`.  Strings are owned by ctx.
 * Out-of-range indexes give NULL or 0.  Phase: finalized. */
AUTHSCORE_API size_t authscore_rules_count(const authscore_ctx *ctx);
AUTHSCORE_API const char *authscore_rules_name(const authscore_ctx *ctx,
                                               size_t i);
AUTHSCORE_API double authscore_rules_weight(const authscore_ctx *ctx,
                                            size_t i);
/* "spf", "dkim", "dmarc", "dnssec" or "policy". */
AUTHSCORE_API const char *authscore_rules_group(const authscore_ctx *ctx,
                                                size_t i);
AUTHSCORE_API const char *authscore_rules_description(const authscore_ctx *ctx,
                                                      size_t i);

/* ---- one message ---------------------------------------------------------- */

/* Start evaluating a message.  `message` (the whole RFC 5322 message, CRLF
 * or LF line ends) is BORROWED: it must stay unchanged until
 * authscore_msg_free().  `client_ip` (IPv4 or IPv6 text), `helo` and
 * `mail_from` (without angle brackets; "" for the null reverse-path) are
 * copied; NULL `client_ip` skips SPF.  The caller owns *out.  A message
 * whose header block is malformed still gives a message object whose
 * results say why.  Phase: ctx finalized (or, for tests, not). */
AUTHSCORE_API int authscore_msg_new(const authscore_ctx *ctx,
                                    const char *client_ip, const char *helo,
                                    const char *mail_from, const char *message,
                                    size_t len, authscore_msg **out);

/* Pin the clock used for DKIM t=/x= checks (seconds since the epoch).
 * Phase: NEW. */
AUTHSCORE_API int authscore_msg_set_time(authscore_msg *m, int64_t now);

/* Hand out the next question not yet handed out (one that the context's
 * DNS answer cache answered never is: docs/dns.md).  Returns 1 and fills
 * *id, *qname (owned by m, valid until free) and *qtype; returns 0 when no
 * question is waiting now.  The first call that returns 0 also does the
 * CPU work (DKIM body hashing) so that it overlaps the lookups.
 * Phase: NEW or RESOLVING (moves to RESOLVING). */
AUTHSCORE_API int authscore_msg_next_query(authscore_msg *m, uint32_t *id,
                                           const char **qname, int *qtype);

/* Answer question `id` with records in text form, `count` of them:
 * TXT: the record's character-strings already joined; A/AAAA: the address
 * in text; MX: "preference exchange"; PTR: the name.  `rdata[i]` is
 * `rdata_len[i]` bytes and need not be NUL-terminated; all are copied.
 * `ttl` is the answer's TTL in seconds (for NXDOMAIN / NODATA the negative
 * TTL of RFC 2308 5): the context's DNS answer cache keeps the answer that
 * long at most (docs/dns.md), so a later message does not ask again; 0
 * keeps nothing.
 * `status` is an enum authscore_dns_status, `dnssec` an enum
 * authscore_dnssec, `why_bogus` may be NULL.  Answering an unknown or
 * already answered id returns AUTHSCORE_ENOTFOUND.  Phase: RESOLVING. */
AUTHSCORE_API int authscore_msg_answer(authscore_msg *m, uint32_t id,
                                       int status, int dnssec,
                                       const char *why_bogus, uint32_t ttl,
                                       const char *const *rdata,
                                       const size_t *rdata_len, size_t count);

/* Answer question `id` with a whole DNS response packet (as libunbound's
 * answer_packet); rcode and records are read from it with length checks.
 * A malformed packet is taken as SERVFAIL.  Phase: RESOLVING. */
AUTHSCORE_API int authscore_msg_answer_wire(authscore_msg *m, uint32_t id,
                                            const unsigned char *packet,
                                            size_t len, int dnssec,
                                            const char *why_bogus);

/* Questions handed out and not yet answered.  Phase: any. */
AUTHSCORE_API int authscore_msg_outstanding(const authscore_msg *m);

/* Finish: questions still unanswered are taken as timed out, then DMARC,
 * symbols, score and the A-R header are computed.  Idempotent: 0 again,
 * or again the error that refused the message (see CONVENTIONS).
 * Phase: any (moves to DONE). */
AUTHSCORE_API int authscore_msg_result(authscore_msg *m);

/* Release a message and every string it handed out.  NULL is allowed. */
AUTHSCORE_API void authscore_msg_free(authscore_msg *m);

/* Blocking: answer every question of `m` through the context's resolver,
 * all in flight at once, until none is left or the per-message deadline
 * (option dns.timeout_ms) passes, then authscore_msg_result().  Lets a host
 * pin the clock (authscore_msg_set_time) before resolving.
 * Phase: NEW or RESOLVING, ctx finalized with a resolver (moves to DONE). */
AUTHSCORE_API int authscore_msg_resolve(authscore_msg *m);

/* Blocking convenience: authscore_msg_new(), every question through the
 * context's resolver in parallel within the deadline, authscore_msg_result().
 * On success the caller owns *out.  Phase: ctx finalized. */
AUTHSCORE_API int authscore_check(const authscore_ctx *ctx,
                                  const char *client_ip, const char *helo,
                                  const char *mail_from, const char *message,
                                  size_t len, authscore_msg **out);

/* ---- getters ----------------------------------------------------------------
 * GETTERS.  Phase DONE unless said otherwise; any thread, as long as no
 * other thread is calling a function on the same message that is not a
 * getter.  One rule for "nothing to report": outside its phase, for a
 * method that did not run (no client IP: no SPF; no From domain: no
 * DMARC), for a refused message (see CONVENTIONS), for an index out of
 * range and for a NULL message, a getter returns
 *   - enum-valued getters (results, DNSSEC states, policies): the enum's 0,
 *     i.e. AUTHSCORE_RES_NOT_EVALUATED, AUTHSCORE_DNSSEC_INDETERMINATE or
 *     AUTHSCORE_DMARC_POLICY_UNSET; never a negative code, so the value
 *     can always go to authscore_result_name() and friends;
 *   - other int getters (counts of lookups, key bits, alignment flags):
 *     AUTHSCORE_ENOTEVAL;
 *   - strings: NULL; size_t counts, flags and weights: 0.
 * Getters that may be called in any phase say so, and what they return
 * for a NULL message. */

/* Header parsing outcome: 0, or the negative code that stopped it (the
 * message is then still scored on what could be read).  Phase: any;
 * NULL m: AUTHSCORE_EINVAL. */
AUTHSCORE_API int authscore_msg_parse_status(const authscore_msg *m);
/* Mailboxes of the From field(s), lowercased; count may be 0 or >1.
 * These three and authscore_msg_dkim_signatures: phase any (the header
 * block is parsed by authscore_msg_new). */
AUTHSCORE_API size_t authscore_msg_from_count(const authscore_msg *m);
AUTHSCORE_API const char *authscore_msg_from(const authscore_msg *m, size_t i);
/* The author domain: NULL unless exactly one From mailbox with a domain. */
AUTHSCORE_API const char *authscore_msg_from_domain(const authscore_msg *m);
/* Number of DKIM-Signature header fields in the message. */
AUTHSCORE_API size_t authscore_msg_dkim_signatures(const authscore_msg *m);
/* DNS rounds (longest chain of dependent lookups, whether or not the
 * cache answered them) and distinct questions asked so far.  Phase: any;
 * NULL m: AUTHSCORE_EINVAL. */
AUTHSCORE_API int authscore_msg_dns_rounds(const authscore_msg *m);
AUTHSCORE_API int authscore_msg_dns_queries(const authscore_msg *m);
/* Of those questions: answered from the context's DNS answer cache
 * (never sent to the resolver, never handed out by
 * authscore_msg_next_query), and looked up there in vain.  Both are 0
 * without a cache (dns.cache_size=0, or an unfinalized context).
 * Counts so far: phase any; NULL m: AUTHSCORE_EINVAL. */
AUTHSCORE_API int authscore_msg_dns_cache_hits(const authscore_msg *m);
AUTHSCORE_API int authscore_msg_dns_cache_misses(const authscore_msg *m);

/* SPF for `identity` (enum authscore_spf_identity): the result (enum
 * authscore_result), the domain checked, the DNSSEC state of the records
 * it rests on, the RFC 7208 4.6.4 counters (int: AUTHSCORE_ENOTEVAL when
 * there is nothing to report), the mechanism that matched, the
 * explanation (exp=, on fail) and a reason word for errors. */
AUTHSCORE_API int authscore_spf_result(const authscore_msg *m, int identity);
AUTHSCORE_API const char *authscore_spf_domain(const authscore_msg *m,
                                               int identity);
AUTHSCORE_API int authscore_spf_dnssec(const authscore_msg *m, int identity);
AUTHSCORE_API int authscore_spf_lookups(const authscore_msg *m, int identity);
AUTHSCORE_API int authscore_spf_void_lookups(const authscore_msg *m,
                                             int identity);
AUTHSCORE_API const char *authscore_spf_mechanism(const authscore_msg *m,
                                                  int identity);
AUTHSCORE_API const char *authscore_spf_explanation(const authscore_msg *m,
                                                    int identity);
AUTHSCORE_API const char *authscore_spf_reason(const authscore_msg *m,
                                               int identity);

/* DKIM, one entry per DKIM-Signature field in message order (count: 0
 * when there is nothing to report).  Per signature: the result (enum),
 * d=, s=, a=, a reason word, the key's DNSSEC state (enum), the key size
 * in bits (AUTHSCORE_ENOTEVAL when no key was decoded or there is
 * nothing to report) and enum authscore_dkim_flag bits. */
AUTHSCORE_API size_t authscore_dkim_count(const authscore_msg *m);
AUTHSCORE_API int authscore_dkim_result(const authscore_msg *m, size_t i);
AUTHSCORE_API const char *authscore_dkim_domain(const authscore_msg *m,
                                                size_t i);
AUTHSCORE_API const char *authscore_dkim_selector(const authscore_msg *m,
                                                  size_t i);
AUTHSCORE_API const char *authscore_dkim_algorithm(const authscore_msg *m,
                                                   size_t i);
AUTHSCORE_API const char *authscore_dkim_reason(const authscore_msg *m,
                                                size_t i);
AUTHSCORE_API int authscore_dkim_dnssec(const authscore_msg *m, size_t i);
AUTHSCORE_API int authscore_dkim_key_bits(const authscore_msg *m, size_t i);
AUTHSCORE_API unsigned authscore_dkim_flags(const authscore_msg *m, size_t i);
/* The message's DKIM result, one word for all its signatures: PASS if any
 * signature passed; else TEMPERROR if any is temperror (a retry could
 * pass, and DMARC then says temperror too); else FAIL, POLICY, PERMERROR,
 * NEUTRAL, in that order, if any signature has it; NONE when the message
 * has no DKIM-Signature.  Signatures beyond dkim.max_signatures do not
 * count.  The rules' `dkim` condition, the Exim summary's `dkim` field and
 * the Rspamd plugin all use this (docs/dkim.md).  Nothing to report:
 * AUTHSCORE_RES_NOT_EVALUATED. */
AUTHSCORE_API int authscore_dkim_overall(const authscore_msg *m);

/* DMARC: the result (enum), the author domain, the policy and the
 * disposition (enums below), whether SPF and DKIM aligned (1 or 0; int:
 * AUTHSCORE_ENOTEVAL when there is nothing to report), the DNSSEC state
 * of the policy record (enum) and a reason word. */
AUTHSCORE_API int authscore_dmarc_result(const authscore_msg *m);
AUTHSCORE_API const char *authscore_dmarc_domain(const authscore_msg *m);
/* enum authscore_dmarc_policy: the policy that applied (p, sp or np). */
AUTHSCORE_API int authscore_dmarc_policy(const authscore_msg *m);
/* enum authscore_dmarc_policy used as disposition: what to do; lowered by
 * a rule's override (authscore_dmarc_override()). */
AUTHSCORE_API int authscore_dmarc_disposition(const authscore_msg *m);
AUTHSCORE_API int authscore_dmarc_spf_aligned(const authscore_msg *m);
AUTHSCORE_API int authscore_dmarc_dkim_aligned(const authscore_msg *m);
AUTHSCORE_API int authscore_dmarc_dnssec(const authscore_msg *m);
AUTHSCORE_API const char *authscore_dmarc_reason(const authscore_msg *m);
/* A DMARC fail whose disposition a rule lowered (the rule field
 * dmarc_disposition, docs/rules.md): RFC 7489 7.2's override type,
 * "trusted_forwarder" when a trusted ARC sealer vouched for the message
 * (docs/arc.md) or "local_policy" for any other rule; the result stays
 * AUTHSCORE_RES_FAIL and authscore_dmarc_disposition() gives the lowered
 * disposition.  "temperror" when such a rule rests on an ARC chain that
 * is temperror (a trusted sealer's word could not be checked): fail
 * closed, the disposition is none and the host defers the message as for
 * a DMARC temperror (the Exim summary says temperror=yes).  NULL without
 * an override or nothing to report.  Static storage. */
AUTHSCORE_API const char *authscore_dmarc_override(const authscore_msg *m);
/* Whether the verdict a host acts on rests on a temporary error, so the
 * host defers the message (Exim 451, Rspamd soft reject, the milter's
 * temperror_action): 1 when DMARC is AUTHSCORE_RES_TEMPERROR or
 * authscore_dmarc_override() is "temperror", or a fault of the module
 * (reason "no_memory" or "limit") made SPF for MAIL FROM or a DKIM
 * signature AUTHSCORE_RES_TEMPERROR; when DMARC has no pass or
 * fail (no policy, no usable From, permerror), also when SPF for MAIL
 * FROM or the message's DKIM result (authscore_dkim_overall()) is
 * AUTHSCORE_RES_TEMPERROR; else 0.  A DMARC pass or fail already weighs
 * every identifier that could align, so an unaligned signature's DNS
 * temperror neither delays a pass nor turns a reject into a retry
 * (docs/architecture.md, "When a host defers").  Nothing to report (NULL,
 * before authscore_msg_result(), a refused message): AUTHSCORE_ENOTEVAL,
 * nonzero, so `if (authscore_msg_temperror(m))` defers that too. */
AUTHSCORE_API int authscore_msg_temperror(const authscore_msg *m);

/* ARC (RFC 8617, docs/arc.md).  authscore_arc_result(): the chain
 * validation status as an enum authscore_result: AUTHSCORE_RES_NONE (no
 * ARC field), PASS, FAIL, or TEMPERROR (RFC 8601 allows it for arc: a
 * seal key's DNS failed, or a fault of the module: reason "no_memory" or
 * "limit"; never FAIL for a fault).  ARC never changes the DMARC result.
 * authscore_arc_reason(): a reason word (docs/arc.md), NULL for none.
 * authscore_arc_chain_length(): the ARC sets on the message (0 for none;
 * counted also when the chain fails, e.g. 51).
 * authscore_arc_oldest_pass(): for PASS, the oldest instance whose AMS
 * and every newer one validate, 0 when all do (RFC 8617 10.1); otherwise
 * AUTHSCORE_ENOTEVAL.  Nothing to report: AUTHSCORE_RES_NOT_EVALUATED,
 * NULL, AUTHSCORE_ENOTEVAL, AUTHSCORE_ENOTEVAL. */
AUTHSCORE_API int authscore_arc_result(const authscore_msg *m);
AUTHSCORE_API const char *authscore_arc_reason(const authscore_msg *m);
AUTHSCORE_API int authscore_arc_chain_length(const authscore_msg *m);
AUTHSCORE_API int authscore_arc_oldest_pass(const authscore_msg *m);
/* One entry per ARC set of a chain whose structure held, index i for
 * instance i + 1 (count: 0 when the structure failed, or nothing to
 * report): the sealer (the ARC-Seal's d= and s=), the seal's and the
 * AMS's result (AUTHSCORE_RES_PASS, FAIL or TEMPERROR; NOT_EVALUATED when
 * the validation stopped before it: older AMSes are verified only as far
 * as oldest-pass needs) and the DNSSEC state of the seal's key answer. */
AUTHSCORE_API size_t authscore_arc_instance_count(const authscore_msg *m);
AUTHSCORE_API const char *authscore_arc_domain(const authscore_msg *m,
                                               size_t i);
AUTHSCORE_API const char *authscore_arc_selector(const authscore_msg *m,
                                                 size_t i);
AUTHSCORE_API int authscore_arc_seal_result(const authscore_msg *m, size_t i);
AUTHSCORE_API int authscore_arc_ams_result(const authscore_msg *m, size_t i);
AUTHSCORE_API int authscore_arc_dnssec(const authscore_msg *m, size_t i);

/* Symbols and score.  Every symbol that fired is listed, in the rules'
 * order, with its weight (0 without rules.file, and 0 for a symbol a
 * rule's `cancel` list suppressed: it stays listed with an option saying
 * which rule).  authscore_score() stores the sum of the weights and
 * returns 0, or returns AUTHSCORE_ENOTEVAL when no rules are loaded or
 * outside phase DONE, the error that refused the message when one did,
 * and AUTHSCORE_EINVAL for a NULL argument.  The other symbol getters
 * follow GETTERS above.  Strings are owned by m. */
AUTHSCORE_API int authscore_score(const authscore_msg *m, double *score);
AUTHSCORE_API size_t authscore_symbol_count(const authscore_msg *m);
AUTHSCORE_API const char *authscore_symbol_name(const authscore_msg *m,
                                                size_t i);
AUTHSCORE_API double authscore_symbol_weight(const authscore_msg *m, size_t i);
AUTHSCORE_API size_t authscore_symbol_option_count(const authscore_msg *m,
                                                   size_t i);
AUTHSCORE_API const char *authscore_symbol_option(const authscore_msg *m,
                                                  size_t i, size_t j);
/* The Authentication-Results field value (RFC 8601), without the field
 * name, unfolded; owned by m.  NULL when there is nothing to report: a
 * refused message has no A-R header. */
AUTHSCORE_API const char *authscore_ar_header(const authscore_msg *m);

/* The message's whole result as one JSON object (RFC 8259; UTF-8, one
 * line, no newline at the end): time, envelope, From, SPF, every DKIM
 * signature, DMARC with the policy as published, its discovery method and
 * override reasons, symbols, score, the A-R field value and DNS figures.
 * docs/architecture.md ("The result as JSON") lists the keys; keys are
 * only ever added.  Hosts that log or pass on a whole result use this
 * instead of walking the getters.  Built once, when the message becomes
 * DONE, in the message's own memory: owned by m, valid until
 * authscore_msg_free(); never free it.  NULL outside phase DONE, for a
 * refused message (a refusal includes failing to build this object) and
 * for a NULL m.  Like the getters, any thread may read it. */
AUTHSCORE_API const char *authscore_msg_json(const authscore_msg *m);

/* ---- Host entry points: Exim -------------------------------------------
 * Called by Exim's ${dlfunc} expansion item in the DATA ACL (docs/exim.md),
 * with Exim's dlfunc signature (uschar is unsigned char).  Not for other
 * hosts.  Both take the same six arguments:
 *   argv[0] client IP ("" for a local submission: SPF is skipped)
 *   argv[1] HELO name   argv[2] MAIL FROM ("" for the null reverse-path)
 *   argv[3] the header lines, newline-separated ($message_headers_raw)
 *   argv[4] path of the message's -D spool file (the whole body is read
 *           from it; at most 64 MiB per message)
 *   argv[5] options "name=value;..." for authscore_ctx_set_option(), or ""
 *           to read /etc/authscore/exim.opts (one name=value per line)
 * The process's context is created on first use (and again in a forked
 * child: a parent's context is never used after fork).  DNS is blocking,
 * within dns.timeout_ms.  The last message evaluated is kept per process, so
 * check then ar with the same arguments evaluates once.
 * Return values are Exim's: 0 (OK) with *yield set, 2 (FAIL) for bad
 * arguments, an unreadable or too large spool file, or a configuration
 * that does not load (logged once per process, no panic-log entry per
 * message), 3 (ERROR) for any fault while evaluating (no memory, a limit:
 * the message is refused, see CONVENTIONS); then *yield is the error text.
 * Each evaluated message's outcome is logged to Exim's main log.
 * *yield points to static storage valid until the next call (Exim copies
 * it).
 * Phase: none (each call is a whole message); Exim's single thread only. */

/* *yield = one line of space-separated name=value fields for
 * ${extract{name}{...}}: spf, spf_helo, dkim, dkim_domains, dmarc,
 * policy, disposition (after a rule's override), dnssec, spf_dnssec,
 * dkim_dnssec, dmarc_dnssec, temperror (yes/no), score (two decimals,
 * "none" without a rule file), score10 (the score times ten, rounded, for
 * Exim's integer comparisons), symbols (NAME(weight),...) and arc (the
 * ARC chain, RFC 8617).  See docs/exim.md. */
AUTHSCORE_API int authscore_exim_check(unsigned char **yield, int argc,
                                       unsigned char *argv[]);
/* *yield = the Authentication-Results field value (authscore_ar_header()),
 * without the field name, folded for add_header ("\n\t" before each
 * result and where a line would pass 78 columns). */
AUTHSCORE_API int authscore_exim_ar(unsigned char **yield, int argc,
                                    unsigned char *argv[]);

#ifdef __cplusplus
}
#endif

#endif /* AUTHSCORE_H */
