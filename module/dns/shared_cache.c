/* shared_cache.c - the answer cache shared between processes through a
 * file (see shared_cache.h for what is kept and why).  Our own: unbound's
 * cache lives in one process, and no Debian library shares validated
 * answers between the processes of a host. */
#include "dns/shared_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dns/answer_codec.h"
#include "dns/cache.h"
#include "util/fnv.h"

#define HEADER_BYTES 4096u
#define SLOT_BYTES 2048u
#define WAYS 2u /* slots per bucket: one bucket is one 4 KiB page */
#define BUCKET_BYTES (SLOT_BYTES * WAYS)
#define VERSION 1u
#define SLOT_HEAD 30u
#define MAX_BUCKETS ((AS_DNS_SHARED_MAX_BYTES - HEADER_BYTES) / BUCKET_BYTES)
/* A writer's clock may run ahead of ours by this much. */
#define CLOCK_SLACK 60

static const char magic[16] = "authscore-dns-v1";

struct as_dns_shared {
    int fd;
    uint64_t seed;
    uint64_t nbuckets;
    uint64_t hits, misses, stores, rejected; /* atomics */
};

static uint64_t get64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static void set64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static unsigned get16(const unsigned char *b) { return (unsigned)b[0] | (unsigned)b[1] << 8; }

static void set16(unsigned char *b, unsigned v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
}

static void count(uint64_t *c) { __atomic_fetch_add(c, 1, __ATOMIC_RELAXED); }

/* ---- the file ---- */

static int fail(char *err, size_t errlen, const char *path, const char *why, int e)
{
    if (e)
        snprintf(err, errlen, "shared DNS cache %s: %s: %s", path, why, strerror(e));
    else
        snprintf(err, errlen, "shared DNS cache %s: %s", path, why);
    return AUTHSCORE_ECONFIG;
}

/* 1 when the directory the path names its file in is one only its owner
 * can write (Exim's spool, owned by Exim's user), with *dir its stat. */
static int private_parent(const char *path, struct stat *dir)
{
    char d[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof d)
        return 0;
    if (slash && n == 0)
        n = 1; /* "/file": the root directory */
    memcpy(d, slash ? path : ".", slash ? n : 1);
    d[slash ? n : 1] = '\0';
    return stat(d, dir) == 0 && !(dir->st_mode & (S_IWGRP | S_IWOTH));
}

/* Whose file root may trust: the owner of its private directory, so
 * `exim4 -be` or `authscore check` run as root share the daemon's file. */
static int root_may_use(const char *path, uid_t owner)
{
    struct stat dir;
    return geteuid() == 0 && private_parent(path, &dir) && dir.st_uid == owner;
}

/* An answer in the file is trusted as validated: only this user (or, for
 * root, the owner of the file's private directory) may have written it,
 * and it must be a plain file (O_NOFOLLOW refused a link). */
static int check_owner(int fd, const char *path, struct stat *st, char *err, size_t errlen)
{
    if (fstat(fd, st) < 0)
        return fail(err, errlen, path, "fstat", errno);
    if (!S_ISREG(st->st_mode))
        return fail(err, errlen, path, "not a regular file", 0);
    if (st->st_uid != geteuid() && !root_may_use(path, st->st_uid))
        return fail(err, errlen, path, "owned by another user (must be this process's user)", 0);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return fail(err, errlen, path, "writable by group or others (chmod 600)", 0);
    return 0;
}

/* Open, or create 0600.  Root creating the file in a directory of
 * another user (Exim's spool) gives it to that user: a root-owned file
 * there would lock the daemon's processes out (every message a 451). */
static int open_file(const char *path)
{
    int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
    for (int tries = 0; tries < 3; tries++) {
        int fd = open(path, flags);
        if (fd >= 0 || errno != ENOENT)
            return fd;
        fd = open(path, flags | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno == EEXIST)
            continue; /* another process created it first */
        struct stat dir;
        if (fd >= 0 && geteuid() == 0 && private_parent(path, &dir) && dir.st_uid != 0 &&
            fchown(fd, dir.st_uid, dir.st_gid) < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            errno = e;
            return -1;
        }
        return fd;
    }
    errno = EEXIST;
    return -1;
}

/* The exclusive lock only guards creation; it is held for microseconds,
 * so a second of retries means something else holds it. */
static int lock_briefly(int fd)
{
    for (int i = 0; i < 200; i++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    errno = EWOULDBLOCK;
    return -1;
}

#define HEADER_USED 48u /* magic, version, slot size, buckets, seed, check */

static uint64_t header_check(const unsigned char *h) { return as_fnv64(AS_FNV64_BASIS, h, 40); }

static int create(int fd, size_t bytes, uint64_t *seed, uint64_t *nbuckets)
{
    uint64_t n = (bytes - HEADER_BYTES) / BUCKET_BYTES;
    if (getrandom(seed, sizeof *seed, 0) != (ssize_t)sizeof *seed)
        *seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    /* Reserve the blocks now: a write into a hole could fail later. */
    int e = posix_fallocate(fd, 0, (off_t)(HEADER_BYTES + n * BUCKET_BYTES));
    if (e) {
        (void)ftruncate(fd, 0);
        errno = e;
        return -1;
    }
    unsigned char h[HEADER_BYTES] = {0};
    memcpy(h, magic, sizeof magic);
    set16(h + 16, VERSION);
    set16(h + 18, SLOT_BYTES / 256);
    set64(h + 24, n);
    set64(h + 32, *seed);
    set64(h + 40, header_check(h));
    if (pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
        (void)ftruncate(fd, 0);
        return -1;
    }
    *nbuckets = n;
    return 0;
}

/* A header of zeros: a creator died between reserving the blocks and
 * writing the header.  No process can be using such a file (none accepts
 * it), so the one holding the lock makes it anew. */
static int header_blank(const unsigned char *h)
{
    static const unsigned char zero[HEADER_USED];
    return memcmp(h, zero, HEADER_USED) == 0;
}

static int read_header(const unsigned char *h, off_t size, uint64_t *seed, uint64_t *nbuckets)
{
    if (memcmp(h, magic, sizeof magic) != 0 || get16(h + 16) != VERSION ||
        get16(h + 18) != SLOT_BYTES / 256 || get64(h + 40) != header_check(h))
        return -1;
    uint64_t n = get64(h + 24);
    if (n == 0 || n > MAX_BUCKETS || (uint64_t)size != HEADER_BYTES + n * BUCKET_BYTES)
        return -1;
    *seed = get64(h + 32);
    *nbuckets = n;
    return 0;
}

int as_dns_shared_open(const char *path, size_t create_bytes, as_dns_shared **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    if (create_bytes < AS_DNS_SHARED_MIN_BYTES || create_bytes > AS_DNS_SHARED_MAX_BYTES)
        return fail(err, errlen, path, "size out of range", 0);
    as_dns_shared *s = calloc(1, sizeof *s);
    if (!s)
        return AUTHSCORE_ENOMEM;
    s->fd = open_file(path);
    struct stat st;
    int rc;
    if (s->fd < 0) {
        rc = fail(err, errlen, path, "cannot open", errno);
    } else if ((rc = check_owner(s->fd, path, &st, err, errlen)) < 0) {
        /* rc and err are set */
    } else if (lock_briefly(s->fd) < 0) {
        rc = fail(err, errlen, path, "cannot lock", errno);
    } else {
        /* Under the lock: the header once, then create or check it. */
        unsigned char h[HEADER_USED];
        int whole = pread(s->fd, h, sizeof h, 0) == (ssize_t)sizeof h;
        rc = 0;
        if (fstat(s->fd, &st) < 0) {
            rc = fail(err, errlen, path, "fstat", errno);
        } else if (st.st_size == 0 || (whole && header_blank(h))) {
            if (ftruncate(s->fd, 0) < 0 || create(s->fd, create_bytes, &s->seed, &s->nbuckets) < 0)
                rc = fail(err, errlen, path, "cannot create", errno);
        } else if (!whole || read_header(h, st.st_size, &s->seed, &s->nbuckets) < 0) {
            rc = fail(err, errlen, path, "not a shared DNS cache of this version (remove it)", 0);
        }
        (void)flock(s->fd, LOCK_UN);
    }
    if (rc < 0) {
        as_dns_shared_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void as_dns_shared_close(as_dns_shared *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

/* ---- slots ----
 * 0 check u64 (over bytes 8..end), 8 expires u64, 16 stored u64,
 * 24 qtype u16, 26 name length u8, 27 zero, 28 payload length u16,
 * 30 name, then the payload (answer_codec.h). */

static off_t bucket_offset(const as_dns_shared *s, const char *name, size_t len, uint16_t qtype)
{
    unsigned char q[2];
    set16(q, qtype);
    uint64_t h = as_fnv64(as_fnv64(s->seed ^ AS_FNV64_BASIS, name, len), q, 2);
    return (off_t)(HEADER_BYTES + (h % s->nbuckets) * BUCKET_BYTES);
}

static size_t slot_len(const unsigned char *slot)
{
    return SLOT_HEAD + slot[26] + get16(slot + 28);
}

/* 1 when the slot holds a whole entry (any key), else 0. */
static int slot_whole(const as_dns_shared *s, const unsigned char *slot)
{
    if (slot[26] == 0 || slot[26] > AS_DNS_MAX_NAME || slot[27] != 0 ||
        slot_len(slot) > SLOT_BYTES)
        return 0;
    return get64(slot) == as_fnv64(s->seed, slot + 8, slot_len(slot) - 8);
}

static int slot_is(const unsigned char *slot, const char *name, size_t len, uint16_t qtype)
{
    return get16(slot + 24) == qtype && slot[26] == len && memcmp(slot + SLOT_HEAD, name, len) == 0;
}

static int read_bucket(const as_dns_shared *s, off_t off, unsigned char *b)
{
    return pread(s->fd, b, BUCKET_BYTES, off) == (ssize_t)BUCKET_BYTES ? 0 : -1;
}

int as_dns_shared_get(as_dns_shared *s, const char *name, size_t len, uint16_t qtype,
                      int64_t now, uint32_t max_ttl, as_arena *a, as_dns_answer *out)
{
    /* max_ttl 0: this context keeps no answer, so it takes none either. */
    if (!s || len == 0 || len > AS_DNS_MAX_NAME || max_ttl == 0)
        return 0;
    unsigned char b[BUCKET_BYTES];
    if (read_bucket(s, bucket_offset(s, name, len, qtype), b) == 0) {
        for (unsigned w = 0; w < WAYS; w++) {
            const unsigned char *slot = b + w * SLOT_BYTES;
            if (!slot_whole(s, slot) || !slot_is(slot, name, len, qtype))
                continue;
            int64_t expires = (int64_t)get64(slot + 8), stored = (int64_t)get64(slot + 16);
            if (expires <= now)
                continue; /* expired: a lookup will replace it */
            as_dns_answer ans;
            int rc = stored > now + CLOCK_SLACK || expires - stored > AS_DNS_CACHE_MAX_MAX_TTL
                         ? AUTHSCORE_EPARSE
                         : as_dns_answer_decode(slot + SLOT_HEAD + len, get16(slot + 28),
                                                qtype, a, &ans);
            if (rc == AUTHSCORE_ENOMEM || rc == AUTHSCORE_ELIMIT)
                return rc;
            if (rc < 0 || !as_dns_answer_proven(&ans)) {
                count(&s->rejected);
                continue;
            }
            uint32_t left = expires - now > (int64_t)max_ttl ? max_ttl : (uint32_t)(expires - now);
            if (ans.ttl > left)
                ans.ttl = left;
            for (size_t i = 0; i < ans.count; i++)
                if (ans.rr[i].ttl > left)
                    ((as_dns_rr *)ans.rr)[i].ttl = left;
            *out = ans;
            count(&s->hits);
            return 1;
        }
    }
    count(&s->misses);
    return 0;
}

/* The slot to write: this key's, else a free or expired one, else the
 * one that expires first. */
static unsigned pick_way(const as_dns_shared *s, const unsigned char *b, const char *name,
                         size_t len, uint16_t qtype, int64_t now)
{
    unsigned best = 0;
    int64_t best_exp = INT64_MAX;
    for (unsigned w = 0; w < WAYS; w++) {
        const unsigned char *slot = b + w * SLOT_BYTES;
        if (!slot_whole(s, slot))
            return w;
        if (slot_is(slot, name, len, qtype))
            return w;
        int64_t exp = (int64_t)get64(slot + 8);
        if (exp <= now)
            return w;
        if (exp < best_exp) {
            best_exp = exp;
            best = w;
        }
    }
    return best;
}

void as_dns_shared_put(as_dns_shared *s, const char *name, size_t len, uint16_t qtype,
                       const as_dns_answer *ans, uint32_t life, int64_t now)
{
    if (!s || life == 0 || len == 0 || len > AS_DNS_MAX_NAME || !as_dns_answer_proven(ans) || now < 0)
        return;
    unsigned char slot[SLOT_BYTES];
    size_t plen = as_dns_answer_encode(qtype, ans, slot + SLOT_HEAD + len,
                                       SLOT_BYTES - SLOT_HEAD - len);
    if (plen == 0)
        return; /* too large for a slot: this process's tier only */
    off_t off = bucket_offset(s, name, len, qtype);
    unsigned char b[BUCKET_BYTES];
    unsigned w = read_bucket(s, off, b) == 0 ? pick_way(s, b, name, len, qtype, now) : 0;
    set64(slot + 8, (uint64_t)now + life);
    set64(slot + 16, (uint64_t)now);
    set16(slot + 24, qtype);
    slot[26] = (unsigned char)len;
    slot[27] = 0;
    set16(slot + 28, (unsigned)plen);
    memcpy(slot + SLOT_HEAD, name, len);
    set64(slot, as_fnv64(s->seed, slot + 8, slot_len(slot) - 8));
    if (pwrite(s->fd, slot, slot_len(slot), off + (off_t)(w * SLOT_BYTES)) ==
        (ssize_t)slot_len(slot))
        count(&s->stores);
}

void as_dns_shared_stats_get(const as_dns_shared *s, as_dns_shared_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    out->hits = __atomic_load_n(&s->hits, __ATOMIC_RELAXED);
    out->misses = __atomic_load_n(&s->misses, __ATOMIC_RELAXED);
    out->stores = __atomic_load_n(&s->stores, __ATOMIC_RELAXED);
    out->rejected = __atomic_load_n(&s->rejected, __ATOMIC_RELAXED);
}
