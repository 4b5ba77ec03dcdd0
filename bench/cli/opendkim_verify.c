/* opendkim_verify.c - the baseline of the CLI benchmark: Debian's
 * libopendkim (libopendkim-dev) verifying DKIM only, over the same corpus,
 * as one process, as `authscore check` is timed.  Built by
 * scripts/bench.sh only; not part of the module or its tests.
 *
 *   opendkim_verify KEYS LIST
 *
 * KEYS: "name<TAB>TXT text" per line (every DKIM key of the corpus,
 * bench/cli/make_zones.py writes it); LIST: one message path per line.
 * Keys are answered from memory through libopendkim's DNS hooks (a reply
 * packet built per query, no resolver, no file read per query), so the
 * baseline pays nothing for DNS: the comparison leans its way.
 * Prints "messages N signatures S passed P seconds T". */
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include <opendkim/dkim.h>

#define MAX_KEYS 4096
#define REPLY_MAX 8192

typedef struct key {
    char *name, *text;
} key;

static key keys[MAX_KEYS];
static size_t nkeys;

typedef struct query {
    unsigned char *buf;
    size_t len;
} query;

static const key *find(const char *name)
{
    size_t n = strlen(name);
    if (n && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < nkeys; i++)
        if (strlen(keys[i].name) == n && strncasecmp(keys[i].name, name, n) == 0)
            return &keys[i];
    return NULL;
}

static size_t put_name(unsigned char *b, const char *name)
{
    size_t o = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        b[o++] = (unsigned char)l;
        memcpy(b + o, name, l);
        o += l;
        name += l + (dot ? 1 : 0);
    }
    b[o++] = 0;
    return o;
}

/* A reply packet: the key's TXT record in 255-byte strings, or NXDOMAIN. */
static int q_start(void *srv, int type, unsigned char *qname, unsigned char *buf,
                   size_t buflen, void **qh)
{
    (void)srv;
    query *q = malloc(sizeof *q);
    if (!q || buflen < REPLY_MAX)
        return DKIM_DNS_ERROR;
    const key *k = find((const char *)qname);
    unsigned char *b = buf;
    memset(b, 0, 12);
    b[2] = 0x81;
    b[3] = k ? 0x80 : 0x83;
    b[5] = 1;
    b[7] = k ? 1 : 0;
    size_t o = 12 + put_name(b + 12, (const char *)qname);
    b[o++] = 0; b[o++] = (unsigned char)type; b[o++] = 0; b[o++] = 1;
    if (k) {
        size_t tl = strlen(k->text), strings = (tl + 254) / 255, rdlen = tl + strings;
        if (o + 12 + rdlen > buflen)
            return DKIM_DNS_ERROR;
        b[o++] = 0xc0; b[o++] = 12; b[o++] = 0; b[o++] = (unsigned char)type;
        b[o++] = 0; b[o++] = 1; b[o++] = 0; b[o++] = 0; b[o++] = 0x0e; b[o++] = 0x10;
        b[o++] = (unsigned char)(rdlen >> 8);
        b[o++] = (unsigned char)rdlen;
        for (size_t i = 0; i < tl; i += 255) {
            size_t l = tl - i < 255 ? tl - i : 255;
            b[o++] = (unsigned char)l;
            memcpy(b + o, k->text + i, l);
            o += l;
        }
    }
    q->buf = buf;
    q->len = o;
    *qh = q;
    return DKIM_DNS_SUCCESS;
}

static int q_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
                  int *dnssec)
{
    (void)srv;
    (void)to;
    query *q = qh;
    *bytes = q->len;
    if (error)
        *error = 0;
    if (dnssec)
        *dnssec = DKIM_DNSSEC_UNKNOWN;
    return DKIM_DNS_SUCCESS;
}

static int q_cancel(void *srv, void *qh)
{
    (void)srv;
    free(qh);
    return DKIM_DNS_SUCCESS;
}

static int q_init(void **srv)
{
    *srv = NULL;
    return 0;
}

static void q_close(void *srv) { (void)srv; }

static int load_keys(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0 && nkeys < MAX_KEYS) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        keys[nkeys].name = strdup(line);
        keys[nkeys].text = strdup(tab + 1);
        nkeys++;
    }
    free(line);
    fclose(f);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    *len = p ? fread(p, 1, (size_t)n, f) : 0;
    fclose(f);
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s KEYS LIST\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (load_keys(argv[1]) < 0) {
        perror(argv[1]);
        return 1;
    }
    DKIM_LIB *lib = dkim_init(NULL, NULL);
    if (!lib) {
        fprintf(stderr, "dkim_init failed\n");
        return 1;
    }
    dkim_dns_set_init(lib, q_init);
    dkim_dns_set_close(lib, q_close);
    dkim_dns_set_query_start(lib, q_start);
    dkim_dns_set_query_waitreply(lib, q_wait);
    dkim_dns_set_query_cancel(lib, q_cancel);
    FILE *list = fopen(argv[2], "r");
    if (!list) {
        perror(argv[2]);
        return 1;
    }
    char path[4096];
    unsigned long msgs = 0, sigs = 0, passed = 0;
    while (fgets(path, sizeof path, list)) {
        path[strcspn(path, "\r\n")] = '\0';
        if (!path[0])
            continue;
        size_t len;
        char *m = slurp(path, &len);
        if (!m) {
            perror(path);
            return 1;
        }
        DKIM_STAT st;
        DKIM *d = dkim_verify(lib, (const unsigned char *)path, NULL, &st);
        if (!d) {
            fprintf(stderr, "%s: dkim_verify: %d\n", path, (int)st);
            return 1;
        }
        st = dkim_chunk(d, (unsigned char *)m, len);
        if (st == DKIM_STAT_OK)
            st = dkim_chunk(d, NULL, 0);
        _Bool testkey;
        if (st == DKIM_STAT_OK)
            (void)dkim_eom(d, &testkey);
        DKIM_SIGINFO **sl;
        int ns = 0;
        if (dkim_getsiglist(d, &sl, &ns) == DKIM_STAT_OK) {
            for (int i = 0; i < ns; i++) {
                sigs++;
                if (DKIM_SIG_CHECK(sl[i]))
                    passed++;
            }
        }
        dkim_free(d);
        free(m);
        msgs++;
    }
    fclose(list);
    dkim_close(lib);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("messages %lu signatures %lu passed %lu seconds %.6f\n", msgs, sigs, passed,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
