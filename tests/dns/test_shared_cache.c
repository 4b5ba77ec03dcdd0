/* test_shared_cache.c - the answer cache shared between processes
 * (module/dns/shared_cache.c, answer_codec.c; docs/dns.md "Shared answer
 * cache"): what one process stores another reads back whole, with its
 * TTL cut to what is left; only secure and insecure answers are shared;
 * expired, damaged, torn and foreign slots are misses; the file is
 * refused when another user could have written it; processes writing and
 * reading at once never see an answer that was not written. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "dns/answer_codec.h"
#include "dns/cache.h"
#include "dns/shared_cache.h"

#define NOW 1800000000

static char dir[64], path[256];
static as_arena A;

static void setup(void)
{
    strcpy(dir, "/tmp/authscore-shared.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/dns.cache", dir);
    as_arena_init(&A, 1u << 20);
}

static void teardown(void)
{
    as_arena_free(&A);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(shared, .init = setup, .fini = teardown);

static as_dns_shared *open_ok(size_t bytes)
{
    char err[512] = "";
    as_dns_shared *s = NULL;
    cr_assert_eq(as_dns_shared_open(path, bytes, &s, err, sizeof err), 0, "%s", err);
    cr_assert_not_null(s);
    return s;
}

static int open_fails(const char *want)
{
    char err[512] = "";
    as_dns_shared *s = (as_dns_shared *)1;
    int rc = as_dns_shared_open(path, AS_DNS_SHARED_MIN_BYTES, &s, err, sizeof err);
    cr_assert_null(s);
    cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
    return rc;
}

static as_dns_rr txt(const char *p, size_t len, uint32_t ttl)
{
    as_dns_rr r;
    memset(&r, 0, sizeof r);
    r.type = AUTHSCORE_QTYPE_TXT;
    r.ttl = ttl;
    r.u.txt.p = p;
    r.u.txt.len = len;
    return r;
}

static as_dns_answer answer(int status, int dnssec, uint32_t ttl, const as_dns_rr *rr, size_t n)
{
    as_dns_answer a = as_dns_answer_status(status, dnssec);
    a.ttl = ttl;
    a.rr = rr;
    a.count = n;
    return a;
}

static void put(as_dns_shared *s, const char *name, uint16_t qtype, const as_dns_answer *a,
                uint32_t life, int64_t now)
{
    as_dns_shared_put(s, name, strlen(name), qtype, a, life, now);
}

static int get(as_dns_shared *s, const char *name, uint16_t qtype, int64_t now, as_dns_answer *out)
{
    return as_dns_shared_get(s, name, strlen(name), qtype, now, 3600, &A, out);
}

/* ---- the codec ---- */

static void roundtrip(uint16_t qtype, const as_dns_answer *in, as_dns_answer *out)
{
    unsigned char buf[4096];
    size_t n = as_dns_answer_encode(qtype, in, buf, sizeof buf);
    cr_assert_gt(n, 0);
    cr_assert_eq(as_dns_answer_decode(buf, n, qtype, &A, out), 0);
    cr_assert_eq(out->status, in->status);
    cr_assert_eq(out->dnssec, in->dnssec);
    cr_assert_eq(out->ttl, in->ttl);
    cr_assert_eq(out->count, in->count);
    for (size_t i = 0; i < in->count; i++) {
        cr_assert_eq(out->rr[i].type, qtype);
        cr_assert_eq(out->rr[i].ttl, in->rr[i].ttl);
    }
    /* Every shorter string is out of shape, and so is a longer one. */
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(as_dns_answer_decode(buf, k, qtype, &A, out), AUTHSCORE_EPARSE, "%zu of %zu", k, n);
    buf[n] = 0;
    cr_assert_eq(as_dns_answer_decode(buf, n + 1, qtype, &A, out), AUTHSCORE_EPARSE);
}

Test(shared, codec_keeps_every_record_type)
{
    as_dns_answer got;
    static const char bin[] = "v=DKIM1; p=\0binary";
    as_dns_rr t[2] = {txt(bin, sizeof bin - 1, 300), txt("", 0, 200)};
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 200, t, 2);
    roundtrip(AUTHSCORE_QTYPE_TXT, &a, &got);
    cr_assert_eq(got.rr[0].u.txt.len, sizeof bin - 1);
    cr_assert_eq(memcmp(got.rr[0].u.txt.p, bin, sizeof bin - 1), 0, "NUL inside TXT kept");
    cr_assert_eq(got.rr[1].u.txt.len, 0);

    as_dns_rr mx[2];
    memset(mx, 0, sizeof mx);
    mx[0].type = mx[1].type = AUTHSCORE_QTYPE_MX;
    mx[0].u.mx.pref = 10;
    mx[0].u.mx.name = "mx1.example.test";
    mx[1].u.mx.pref = 0;
    mx[1].u.mx.name = ""; /* null MX, RFC 7505 */
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INSECURE, 60, mx, 2);
    roundtrip(AUTHSCORE_QTYPE_MX, &a, &got);
    cr_assert_eq(got.rr[0].u.mx.pref, 10);
    cr_assert_str_eq(got.rr[0].u.mx.name, "mx1.example.test");
    cr_assert_str_eq(got.rr[1].u.mx.name, "");

    as_dns_rr ad[2];
    memset(ad, 0, sizeof ad);
    ad[0].type = ad[1].type = AUTHSCORE_QTYPE_AAAA;
    memcpy(ad[0].u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
    memcpy(ad[1].u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2", 16);
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, ad, 2);
    roundtrip(AUTHSCORE_QTYPE_AAAA, &a, &got);
    cr_assert_eq(memcmp(got.rr[1].u.aaaa, ad[1].u.aaaa, 16), 0);

    as_dns_rr v4;
    memset(&v4, 0, sizeof v4);
    v4.type = AUTHSCORE_QTYPE_A;
    memcpy(v4.u.a, "\xc0\x00\x02\x07", 4);
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &v4, 1);
    roundtrip(AUTHSCORE_QTYPE_A, &a, &got);
    cr_assert_eq(memcmp(got.rr[0].u.a, v4.u.a, 4), 0);

    as_dns_rr ptr;
    memset(&ptr, 0, sizeof ptr);
    ptr.type = AUTHSCORE_QTYPE_PTR;
    ptr.u.ptr.name = "mail.example.test";
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &ptr, 1);
    roundtrip(AUTHSCORE_QTYPE_PTR, &a, &got);
    cr_assert_str_eq(got.rr[0].u.ptr.name, "mail.example.test");

    a = answer(AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE, 900, NULL, 0);
    roundtrip(AUTHSCORE_QTYPE_TXT, &a, &got);
    cr_assert_null(got.rr);
}

Test(shared, codec_refuses_what_the_model_cannot_hold)
{
    unsigned char buf[4096];
    as_dns_answer got;
    as_dns_rr mx;
    memset(&mx, 0, sizeof mx);
    mx.type = AUTHSCORE_QTYPE_MX;
    mx.u.mx.name = "Upper.Example.test"; /* names are kept lowercased */
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &mx, 1);
    cr_assert_eq(as_dns_answer_encode(AUTHSCORE_QTYPE_MX, &a, buf, sizeof buf), 0);
    mx.u.mx.name = "a..b";
    cr_assert_eq(as_dns_answer_encode(AUTHSCORE_QTYPE_MX, &a, buf, sizeof buf), 0);
    /* A record of another type than the question. */
    cr_assert_eq(as_dns_answer_encode(AUTHSCORE_QTYPE_PTR, &a, buf, sizeof buf), 0);
    /* Too small a buffer: 0, never a partial string. */
    as_dns_rr t = txt("v=spf1 -all", 11, 60);
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &t, 1);
    size_t n = as_dns_answer_encode(AUTHSCORE_QTYPE_TXT, &a, buf, sizeof buf);
    cr_assert_gt(n, 0);
    cr_assert_eq(as_dns_answer_encode(AUTHSCORE_QTYPE_TXT, &a, buf, n - 1), 0);

    /* Decoding: an OK answer without records, a NODATA with some, enums out
     * of range, a name with an uppercase byte written by someone else. */
    unsigned char ok_empty[8] = {AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 0, 0, 60, 0, 0, 0};
    cr_assert_eq(as_dns_answer_decode(ok_empty, 8, AUTHSCORE_QTYPE_TXT, &A, &got), AUTHSCORE_EPARSE);
    buf[0] = AUTHSCORE_DNS_NODATA;
    cr_assert_eq(as_dns_answer_decode(buf, n, AUTHSCORE_QTYPE_TXT, &A, &got), AUTHSCORE_EPARSE);
    buf[0] = 9;
    cr_assert_eq(as_dns_answer_decode(buf, n, AUTHSCORE_QTYPE_TXT, &A, &got), AUTHSCORE_EPARSE);
    buf[0] = AUTHSCORE_DNS_OK;
    buf[1] = 7;
    cr_assert_eq(as_dns_answer_decode(buf, n, AUTHSCORE_QTYPE_TXT, &A, &got), AUTHSCORE_EPARSE);
    mx.u.mx.name = "mx.example.test";
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &mx, 1);
    n = as_dns_answer_encode(AUTHSCORE_QTYPE_MX, &a, buf, sizeof buf);
    cr_assert_gt(n, 0);
    buf[n - 1] = 'T';
    cr_assert_eq(as_dns_answer_decode(buf, n, AUTHSCORE_QTYPE_MX, &A, &got), AUTHSCORE_EPARSE);
    /* The arena's refusal is the message's fault, not a parse error. */
    buf[n - 1] = 't';
    as_arena tiny;
    as_arena_init(&tiny, 16);
    int rc = as_dns_answer_decode(buf, n, AUTHSCORE_QTYPE_MX, &tiny, &got);
    cr_assert(rc == AUTHSCORE_ELIMIT || rc == AUTHSCORE_ENOMEM, "rc %d", rc);
    as_arena_free(&tiny);
}

/* ---- the file ---- */

Test(shared, one_process_reads_what_another_stored)
{
    as_dns_shared *w = open_ok(AS_DNS_SHARED_MIN_BYTES);
    as_dns_shared *r = open_ok(AS_DNS_SHARED_DEFAULT_BYTES); /* the file's size wins */
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(st.st_size, AS_DNS_SHARED_MIN_BYTES);

    as_dns_rr t[2] = {txt("v=DKIM1; k=ed25519; p=abc", 26, 600), txt("second", 6, 300)};
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 300, t, 2);
    as_dns_answer got;
    cr_assert_eq(get(r, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    put(w, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, &a, 300, NOW);
    cr_assert_eq(get(r, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, NOW + 100, &got), 1);
    cr_assert_eq(got.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(got.dnssec, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(got.count, 2);
    cr_assert_str_eq(got.rr[0].u.txt.p, "v=DKIM1; k=ed25519; p=abc");
    cr_assert_eq(got.ttl, 200, "TTL cut to what is left: %u", got.ttl);
    cr_assert_eq(got.rr[0].ttl, 200);
    cr_assert_eq(got.rr[1].ttl, 200);
    /* Another type, another name: misses. */
    cr_assert_eq(get(r, "sel._domainkey.example.test", AUTHSCORE_QTYPE_A, NOW, &got), 0);
    cr_assert_eq(get(r, "el._domainkey.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    /* At its expiry it is gone; a reader with a lower cap cuts further. */
    cr_assert_eq(get(r, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, NOW + 300, &got), 0);
    cr_assert_eq(as_dns_shared_get(r, "sel._domainkey.example.test", 27, AUTHSCORE_QTYPE_TXT,
                                   NOW, 30, &A, &got), 1);
    cr_assert_eq(got.ttl, 30);
    /* A newer answer replaces the older in place. */
    as_dns_answer nx = answer(AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_INSECURE, 900, NULL, 0);
    put(w, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, &nx, 900, NOW + 10);
    cr_assert_eq(get(r, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, NOW + 20, &got), 1);
    cr_assert_eq(got.status, AUTHSCORE_DNS_NXDOMAIN);
    cr_assert_eq(got.dnssec, AUTHSCORE_DNSSEC_INSECURE);
    cr_assert_eq(got.ttl, 890);
    as_dns_shared_stats ss;
    as_dns_shared_stats_get(r, &ss);
    cr_assert_eq(ss.hits, 3);
    cr_assert_eq(ss.misses, 4);
    cr_assert_eq(ss.rejected, 0);
    as_dns_shared_stats_get(w, &ss);
    cr_assert_eq(ss.stores, 2);
    as_dns_shared_close(w);
    as_dns_shared_close(r);
}

Test(shared, only_proven_answers_are_shared)
{
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    as_dns_rr t = txt("v=spf1 -all", 11, 600);
    static const int dnssec[] = {AUTHSCORE_DNSSEC_BOGUS, AUTHSCORE_DNSSEC_INDETERMINATE};
    as_dns_answer got;
    for (int i = 0; i < 2; i++) {
        as_dns_answer a = answer(AUTHSCORE_DNS_OK, dnssec[i], 600, &t, 1);
        put(s, "bad.example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW);
        cr_assert_eq(get(s, "bad.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0, "dnssec %d", dnssec[i]);
    }
    as_dns_answer sf = answer(AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNSSEC_SECURE, 600, NULL, 0);
    as_dns_answer to = answer(AUTHSCORE_DNS_TIMEOUT, AUTHSCORE_DNSSEC_INSECURE, 600, NULL, 0);
    put(s, "sf.example.test", AUTHSCORE_QTYPE_TXT, &sf, 600, NOW);
    put(s, "to.example.test", AUTHSCORE_QTYPE_TXT, &to, 600, NOW);
    cr_assert_eq(get(s, "sf.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    cr_assert_eq(get(s, "to.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    /* A lifetime of 0 (TTL 0) is not kept; nor is an answer too large for
     * a slot (it stays in the process's own cache). */
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 0, &t, 1);
    put(s, "zero.example.test", AUTHSCORE_QTYPE_TXT, &a, 0, NOW);
    cr_assert_eq(get(s, "zero.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    static char big[3000];
    memset(big, 'k', sizeof big);
    as_dns_rr bt = txt(big, sizeof big, 600);
    a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &bt, 1);
    put(s, "big.example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW);
    cr_assert_eq(get(s, "big.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    as_dns_shared_stats st;
    as_dns_shared_stats_get(s, &st);
    cr_assert_eq(st.stores, 0);
    as_dns_shared_close(s);
}

/* Flip every byte of the one stored slot in turn: each flip is a miss
 * (the checksum, or a check under it), never a different answer. */
Test(shared, a_damaged_slot_is_a_miss)
{
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    as_dns_rr t = txt("v=DMARC1; p=reject", 18, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &t, 1);
    put(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW);
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    unsigned char *img = malloc((size_t)st.st_size);
    cr_assert_eq(pread(fd, img, (size_t)st.st_size, 0), st.st_size);
    /* Find the slot: the only non-zero bytes after the 4 KiB header. */
    size_t first = 0, last = 0;
    for (size_t i = 4096; i < (size_t)st.st_size; i++)
        if (img[i]) {
            if (!first)
                first = i;
            last = i;
        }
    cr_assert_gt(first, 0);
    as_dns_answer got;
    size_t flips = 0;
    for (size_t i = first & ~(size_t)2047; i <= last; i++) {
        unsigned char b = img[i] ^ 0x01;
        cr_assert_eq(pwrite(fd, &b, 1, (off_t)i), 1);
        cr_assert_eq(get(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0, "byte %zu", i);
        cr_assert_eq(pwrite(fd, &img[i], 1, (off_t)i), 1);
        flips++;
    }
    cr_assert_eq(get(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 1, "restored");
    as_dns_shared_stats sst;
    as_dns_shared_stats_get(s, &sst);
    cr_assert_gt(flips, 40);
    cr_assert_eq(sst.hits, 1);
    /* Random bytes over every slot: misses only, and stores still work. */
    srand(7);
    for (size_t i = 4096; i < (size_t)st.st_size; i++)
        img[i] = (unsigned char)rand();
    cr_assert_eq(pwrite(fd, img, (size_t)st.st_size, 0), st.st_size);
    cr_assert_eq(get(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    put(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW);
    cr_assert_eq(get(s, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 1);
    /* A damaged header: the file is refused at open. */
    img[20] ^= 1;
    cr_assert_eq(pwrite(fd, img, 64, 0), 64);
    cr_assert_eq(open_fails("not a shared DNS cache"), AUTHSCORE_ECONFIG);
    close(fd);
    free(img);
    as_dns_shared_close(s);
}

Test(shared, a_stored_time_in_the_future_is_refused)
{
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    as_dns_rr t = txt("v=spf1 -all", 11, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &t, 1);
    /* Written by a process whose clock was an hour ahead (or a clock
     * that went back): not trusted for an hour of extra life. */
    put(s, "ahead.example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW + 3600);
    as_dns_answer got;
    cr_assert_eq(get(s, "ahead.example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 0);
    as_dns_shared_stats st;
    as_dns_shared_stats_get(s, &st);
    cr_assert_eq(st.rejected, 1);
    as_dns_shared_close(s);
}

Test(shared, unsafe_files_are_refused)
{
    /* Another file type, a link, group- or world-writable modes. */
    cr_assert_eq(mkdir(path, 0700), 0);
    open_fails("cannot open");
    cr_assert_eq(rmdir(path), 0);
    cr_assert_eq(mkfifo(path, 0600), 0);
    open_fails("not a regular file");
    cr_assert_eq(unlink(path), 0);
    char target[160];
    snprintf(target, sizeof target, "%s/target", dir);
    cr_assert_eq(symlink(target, path), 0);
    open_fails("cannot open");
    cr_assert_eq(unlink(path), 0);
    as_dns_shared_close(open_ok(AS_DNS_SHARED_MIN_BYTES));
    cr_assert_eq(chmod(path, 0620), 0);
    open_fails("writable by group or others");
    cr_assert_eq(chmod(path, 0602), 0);
    open_fails("writable by group or others");
    cr_assert_eq(chmod(path, 0644), 0);
    as_dns_shared_close(open_ok(AS_DNS_SHARED_MIN_BYTES)); /* readable is fine */
    if (geteuid() == 0) {
        cr_assert_eq(chown(path, 65534, 65534), 0);
        open_fails("owned by another user");
    }
    /* A file of the right name but not ours in shape: refused, untouched. */
    cr_assert_eq(unlink(path), 0);
    FILE *f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    cr_assert_eq(chmod(path, 0600), 0);
    open_fails("not a shared DNS cache");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 6);
    /* Sizes out of range, and a directory that does not exist. */
    char err[256];
    as_dns_shared *s;
    cr_assert_eq(as_dns_shared_open(path, AS_DNS_SHARED_MIN_BYTES - 1, &s, err, sizeof err),
                 AUTHSCORE_ECONFIG);
    snprintf(path, sizeof path, "%s/missing/dns.cache", dir);
    open_fails("cannot open");
}

/* Several processes store and read the same names at once.  Each name's
 * answer carries the name itself and the writer's round: a reader that
 * gets a hit must get text that some writer wrote for that name. */
Test(shared, concurrent_processes_never_see_a_torn_answer, .timeout = 60)
{
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    enum { PROCS = 4, ROUNDS = 3000, NAMES = 64 };
    pid_t kids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        kids[p] = fork();
        cr_assert_geq(kids[p], 0);
        if (kids[p] > 0)
            continue;
        as_arena a;
        int bad = 0;
        for (int r = 0; r < ROUNDS && !bad; r++) {
            char name[64], text[1500];
            int k = (r * 7 + p * 13) % NAMES;
            snprintf(name, sizeof name, "n%d.example.test", k);
            /* Lengths vary so a torn slot mixes different layouts. */
            int len = snprintf(text, sizeof text, "%s|%d|", name, r);
            memset(text + len, 'a' + (r % 26), (size_t)(r % 1200));
            len += r % 1200;
            as_dns_rr t = txt(text, (size_t)len, 600);
            as_dns_answer ans = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &t, 1);
            as_dns_shared_put(s, name, strlen(name), AUTHSCORE_QTYPE_TXT, &ans, 600, NOW);
            as_arena_init(&a, 1u << 16);
            as_dns_answer got;
            snprintf(name, sizeof name, "n%d.example.test", (k + 1 + p) % NAMES);
            if (as_dns_shared_get(s, name, strlen(name), AUTHSCORE_QTYPE_TXT, NOW, 3600, &a, &got) == 1) {
                const char *g = got.rr[0].u.txt.p;
                size_t n = strlen(name), gl = got.rr[0].u.txt.len;
                int rr = -1, used = 0;
                if (gl <= n || memcmp(g, name, n) != 0 || g[n] != '|' ||
                    sscanf(g + n + 1, "%d|%n", &rr, &used) != 1 || rr < 0 || rr >= ROUNDS ||
                    gl != n + 1 + (size_t)used + (size_t)(rr % 1200))
                    bad = 1;
                for (size_t i = n + 1 + (size_t)used; !bad && i < gl; i++)
                    bad = g[i] != 'a' + (rr % 26);
            }
            as_arena_free(&a);
        }
        _exit(bad ? 3 : 0);
    }
    for (int p = 0; p < PROCS; p++) {
        int status;
        cr_assert_eq(waitpid(kids[p], &status, 0), kids[p]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "process %d saw a torn answer", p);
    }
    as_dns_shared_close(s);
}

/* ---- through the context's cache ---- */

static int64_t wall_now = NOW;
static int64_t wall(void *u)
{
    (void)u;
    return wall_now;
}
static int64_t mono_ms;
static int64_t mono(void *u)
{
    (void)u;
    return mono_ms;
}

Test(shared, the_process_cache_asks_the_file_and_keeps_its_hit)
{
    as_dns_shared *s1 = open_ok(AS_DNS_SHARED_MIN_BYTES), *s2 = open_ok(AS_DNS_SHARED_MIN_BYTES);
    as_dns_cache_config cfg = {.max_bytes = 1u << 20, .max_ttl = 3600, .short_ttl = 5,
                               .clock = mono, .shared = s1, .wall = wall};
    as_dns_cache *first, *second;
    cr_assert_eq(as_dns_cache_new(&cfg, &first), 0);
    cfg.shared = s2;
    cr_assert_eq(as_dns_cache_new(&cfg, &second), 0);
    as_dns_rr t = txt("v=spf1 ip4:192.0.2.0/24 -all", 28, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &t, 1);
    as_dns_answer bogus = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_BOGUS, 600, NULL, 0);
    cr_assert_eq(as_dns_cache_put(first, "example.test", 12, AUTHSCORE_QTYPE_TXT, &a), 1);
    cr_assert_eq(as_dns_cache_put(first, "bogus.test", 10, AUTHSCORE_QTYPE_TXT, &bogus), 1,
                 "bogus: kept briefly by the process");
    wall_now = NOW + 100;
    as_dns_answer got;
    cr_assert_eq(as_dns_cache_get(second, "example.test", 12, AUTHSCORE_QTYPE_TXT, &A, &got), 1);
    cr_assert_str_eq(got.rr[0].u.txt.p, "v=spf1 ip4:192.0.2.0/24 -all");
    cr_assert_eq(got.ttl, 500);
    cr_assert_eq(as_dns_cache_get(second, "bogus.test", 10, AUTHSCORE_QTYPE_TXT, &A, &got), 0,
                 "bogus: never shared");
    /* The second ask is answered by the process's own cache. */
    cr_assert_eq(as_dns_cache_get(second, "example.test", 12, AUTHSCORE_QTYPE_TXT, &A, &got), 1);
    as_dns_shared_stats st;
    as_dns_shared_stats_get(s2, &st);
    cr_assert_eq(st.hits, 1);
    cr_assert_eq(st.misses, 1);
    as_dns_cache_stats cs;
    as_dns_cache_stats_get(second, &cs);
    cr_assert_eq(cs.hits, 1);
    cr_assert_eq(cs.entries, 1);
    /* Its remaining life came along: gone after 500 s, not 600. */
    mono_ms += 501 * 1000;
    wall_now = NOW + 601;
    cr_assert_eq(as_dns_cache_get(second, "example.test", 12, AUTHSCORE_QTYPE_TXT, &A, &got), 0);
    as_dns_cache_free(first);
    as_dns_cache_free(second);
    as_dns_shared_close(s1);
    as_dns_shared_close(s2);
}

/* Root (exim4 -be, authscore check by hand) and the daemon's user share
 * one file in the user's private directory: root creating it gives it to
 * that user, and root uses a file of the directory's owner; in a
 * directory others may write, root trusts only its own file. */
Test(shared, root_shares_the_file_of_a_private_directory_owner)
{
    if (geteuid() != 0)
        cr_skip_test("needs root (chown)"); /* main() then reports SKIP */
    char sub[128];
    snprintf(sub, sizeof sub, "%s/spool", dir);
    cr_assert_eq(mkdir(sub, 0750), 0);
    cr_assert_eq(chown(sub, 65534, 65534), 0);
    snprintf(path, sizeof path, "%s/dns.cache", sub);
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_uid, 65534, "given to the directory's owner");
    cr_assert_eq(st.st_gid, 65534);
    cr_assert_eq(st.st_mode & 0777, 0600);
    as_dns_shared_close(s);
    as_dns_shared_close(open_ok(AS_DNS_SHARED_MIN_BYTES)); /* and used again */
    /* The same file in a directory others may write: not trusted. */
    cr_assert_eq(chmod(sub, 0770), 0);
    open_fails("owned by another user");
    /* There, root creates a file of its own and keeps it. */
    cr_assert_eq(unlink(path), 0);
    as_dns_shared_close(open_ok(AS_DNS_SHARED_MIN_BYTES));
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_uid, 0);
}

/* A creator that died after reserving the blocks left a header of zeros:
 * the next process makes the file anew instead of refusing it (which
 * would defer every message until someone removed it). */
Test(shared, a_file_left_half_made_is_made_anew)
{
    as_dns_shared_close(open_ok(AS_DNS_SHARED_DEFAULT_BYTES));
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    static const unsigned char zero[4096];
    cr_assert_eq(pwrite(fd, zero, sizeof zero, 0), (ssize_t)sizeof zero);
    close(fd);
    as_dns_shared *s = open_ok(AS_DNS_SHARED_MIN_BYTES);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, AS_DNS_SHARED_MIN_BYTES, "made anew at the size asked now");
    as_dns_rr t = txt("v=spf1 -all", 11, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &t, 1), got;
    put(s, "example.test", AUTHSCORE_QTYPE_TXT, &a, 600, NOW);
    cr_assert_eq(get(s, "example.test", AUTHSCORE_QTYPE_TXT, NOW, &got), 1);
    /* A context that keeps nothing (dns.cache_max_ttl=0) takes nothing. */
    cr_assert_eq(as_dns_shared_get(s, "example.test", 12, AUTHSCORE_QTYPE_TXT, NOW, 0, &A, &got), 0);
    as_dns_shared_close(s);
}

/* Every case runs; without root one of them cannot, and then the binary
 * says SKIP (77) instead of OK, unless another case failed. */
int main(int argc, char *argv[])
{
    int rc = cases_run(argc, argv);
    if (rc == 0 && geteuid() != 0) {
        printf("SKIP: the root cases need root (chown)\n");
        return 77;
    }
    return rc;
}
