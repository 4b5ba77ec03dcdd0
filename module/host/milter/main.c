/* main.c - authscore-milter: options, the daemon, the socket, privileges.
 *
 * Start-up order: read milter.conf (refuse to start on any error, with
 * file:line); detach unless --foreground, the parent waiting until the
 * child says it is ready so that its exit status tells the admin (and
 * systemd) whether the milter runs; open the socket as root, give it its
 * mode and group, write the pid file; drop root; build the context as
 * the unprivileged user (the files it reads at a SIGHUP reload must be
 * readable by that user, so they are read that way at start too); then
 * libmilter's loop until SIGTERM.  Signals are blocked before any thread
 * exists (signals.c).  --check-config started as root reads the files as
 * `user` too. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "host/milter/milter.h"

struct opts {
    const char *config;
    int foreground, check;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: authscore-milter [--config FILE] [--foreground]\n"
               "       authscore-milter --check-config [--config FILE]\n"
               "       authscore-milter --version\n"
               "Default FILE: " AS_MILTER_DEFAULT_CONFIG " (docs/postfix.md, "
               "authscore-milter(8)).\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    o->config = AS_MILTER_DEFAULT_CONFIG;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
            if (++i == argc) {
                fprintf(stderr, "authscore-milter: %s needs a file\n", a);
                return 2;
            }
            o->config = argv[i];
        } else if (strncmp(a, "--config=", 9) == 0)
            o->config = a + 9;
        else if (strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0)
            o->foreground = 1;
        else if (strcmp(a, "--check-config") == 0 || strcmp(a, "-n") == 0)
            o->check = 1;
        else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            unsigned ma = 0, mi = 0, pl = 0;
            (void)smfi_version(&ma, &mi, &pl);
            printf("authscore-milter %s (libauthscore %s, libmilter %u.%u.%u)\n",
                   AUTHSCORE_VERSION_STRING, authscore_version(), ma, mi, pl);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "authscore-milter: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    return -1;
}

/* The path of a unix socket ("unix:/p", "local:/p", or "/p"), or NULL. */
static const char *unix_path(const char *sock)
{
    if (strncmp(sock, "unix:", 5) == 0)
        return sock + 5;
    if (strncmp(sock, "local:", 6) == 0)
        return sock + 6;
    return sock[0] == '/' ? sock : NULL;
}

/* user and socket_group, looked up.  uid (uid_t)-1: stay as we are. */
struct ids {
    uid_t uid;
    gid_t gid, sock_gid;
    const char *name;
};

static int lookup_ids(const struct as_milter_conf *c, struct ids *id, char *err,
                      size_t errlen)
{
    id->uid = (uid_t)-1;
    id->gid = id->sock_gid = (gid_t)-1;
    id->name = c->user;
    if (c->user) {
        struct passwd *pw = getpwnam(c->user);
        if (!pw) {
            snprintf(err, errlen, "%s: user = %s: no such user", c->path, c->user);
            return -1;
        }
        id->uid = pw->pw_uid;
        id->gid = id->sock_gid = pw->pw_gid;
        if (pw->pw_uid == 0) {
            snprintf(err, errlen, "%s: user = %s: a mail filter that reads "
                     "mail from the Internet does not run as root", c->path, c->user);
            return -1;
        }
    } else if (geteuid() == 0) {
        snprintf(err, errlen, "%s: user is not set: started as root, the milter "
                 "needs an unprivileged user to switch to", c->path);
        return -1;
    }
    if (c->socket_group) {
        struct group *gr = getgrnam(c->socket_group);
        if (!gr) {
            snprintf(err, errlen, "%s: socket_group = %s: no such group", c->path,
                     c->socket_group);
            return -1;
        }
        id->sock_gid = gr->gr_gid;
    }
    return 0;
}

/* The socket's directory, when absent (Debian's Postfix runs chrooted
 * in /var/spool/postfix, so the socket lives below it): one level, mode
 * 0750, owned by user and socket_group, so that only Postfix gets in. */
static int make_socket_dir(const char *path, const struct ids *id, char *err,
                           size_t errlen)
{
    char dir[AS_MILTER_TEXT_MAX + 1];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path || (size_t)(slash - path) >= sizeof dir)
        return 0;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    struct stat st;
    if (stat(dir, &st) == 0)
        return 0;
    if (mkdir(dir, 0750) < 0 ||
        ((id->uid != (uid_t)-1 || id->sock_gid != (gid_t)-1) &&
         chown(dir, id->uid, id->sock_gid) < 0)) {
        snprintf(err, errlen, "socket directory %.512s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* libmilter removes an old socket file before it binds: first make sure
 * no running milter still answers there, whose socket would be taken. */
static int socket_in_use(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return 0;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int used = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return used;
}

static int open_socket(const struct as_milter_conf *c, const struct ids *id,
                       char *err, size_t errlen)
{
    const char *path = unix_path(c->socket);
    if (path && make_socket_dir(path, id, err, errlen) < 0)
        return -1;
    if (path && socket_in_use(path)) {
        snprintf(err, errlen, "%.512s: another milter is listening there", path);
        return -1;
    }
    errno = 0;
    if (smfi_setconn((char *)c->socket) != MI_SUCCESS ||
        smfi_opensocket(1) != MI_SUCCESS) {
        snprintf(err, errlen, "cannot listen on %s: %s", c->socket,
                 errno ? strerror(errno) : "libmilter said no");
        return -1;
    }
    if (!path)
        return 0;
    if (chmod(path, c->socket_mode) < 0 ||
        ((id->uid != (uid_t)-1 || id->sock_gid != (gid_t)-1) &&
         chown(path, id->uid, id->sock_gid) < 0)) {
        snprintf(err, errlen, "socket %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_pid(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (fd < 0 || write(fd, buf, (size_t)n) != n) {
        snprintf(err, errlen, "pid_file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int drop_root(const struct ids *id, char *err, size_t errlen)
{
    if (id->uid == (uid_t)-1 || (geteuid() != 0 && geteuid() == id->uid))
        return 0;
    if (geteuid() != 0) {
        snprintf(err, errlen, "cannot switch to user %s: not started as root", id->name);
        return -1;
    }
    if (initgroups(id->name, id->gid) < 0 || setgid(id->gid) < 0 ||
        setuid(id->uid) < 0) {
        snprintf(err, errlen, "cannot switch to user %s: %s", id->name, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {
        snprintf(err, errlen, "root could be regained after switching to %s", id->name);
        return -1;
    }
    return 0;
}

/* Detach: the parent returns only to exit with the child's verdict. */
static int daemonize(int *ready_fd)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char ok = 0;
        ssize_t n;
        while ((n = read(p[0], &ok, 1)) < 0 && errno == EINTR)
            ;
        _exit(n == 1 && ok == 'R' ? 0 : 1);
    }
    close(p[0]);
    *ready_fd = p[1];
    if (setsid() < 0)
        return -1;
    return chdir("/");
}

static void detach_stdio(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return;
    (void)dup2(fd, 0);
    (void)dup2(fd, 1);
    (void)dup2(fd, 2);
    if (fd > 2)
        close(fd);
}

/* Until the daemon is ready, its log also goes to stderr (the admin's
 * terminal, or systemd's journal for `systemctl start`). */
static int fail(const char *err)
{
    as_milter_logf(AUTHSCORE_LOG_ERROR, "not started: %s", err);
    return 1;
}

/* What --check-config reads: milter.conf and the files it names, then
 * the OK line.  Returns the exit status. */
static int check_files(const char *config)
{
    char err[1024];
    struct as_milter_holder *h;
    if (as_milter_holder_build(config, &h, err, sizeof err) < 0) {
        fprintf(stderr, "authscore-milter: %s\n", err);
        return 1;
    }
    printf("%s: OK: socket %s, authserv-id %s, %zu library options, %zu "
           "rules\n", config, h->conf.socket, h->authserv_id, h->conf.nlib,
           authscore_rules_count(h->ctx));
    as_milter_holder_install(h);
    as_milter_holder_shutdown();
    return 0;
}

/* The daemon reads its files only once it is `user` (serve()), so a
 * check started as root reads them as `user` too, in a child that
 * switches: a file only root can read fails here, not at the next start. */
static int check_as_user(const char *config, const struct ids *id)
{
    char err[1024];
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "authscore-milter: cannot fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        if (drop_root(id, err, sizeof err) < 0) {
            fprintf(stderr, "authscore-milter: %s\n", err);
            exit(1);
        }
        exit(check_files(config));
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "authscore-milter: waitpid: %s\n", strerror(errno));
            return 1;
        }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    fprintf(stderr, "authscore-milter: the check as user %s died of signal %d\n",
            id->name, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return 1;
}

static int check_config(const char *config)
{
    char err[1024];
    struct as_milter_conf conf;
    struct ids id;
    int rc;
    if (as_milter_conf_load(config, &conf, err, sizeof err) < 0 ||
        lookup_ids(&conf, &id, err, sizeof err) < 0) {
        fprintf(stderr, "authscore-milter: %s\n", err);
        rc = 1;
    } else if (geteuid() == 0 && id.uid != (uid_t)-1)
        rc = check_as_user(config, &id);
    else
        rc = check_files(config);
    as_milter_conf_free(&conf);
    return rc;
}

/* From detaching to the end of libmilter's loop.  Returns the exit
 * status, or -1 with `err` set when the daemon could not start. */
static int serve(const struct opts *o, const struct as_milter_conf *conf,
                 const struct ids *id, char *err, size_t errlen)
{
    int ready = -1;
    if (!o->foreground && daemonize(&ready) < 0) {
        snprintf(err, errlen, "cannot detach: %s", strerror(errno));
        return -1;
    }
    as_milter_block_signals();
    if (as_milter_register() < 0) {
        snprintf(err, errlen, "smfi_register failed");
        return -1;
    }
    if (open_socket(conf, id, err, errlen) < 0 ||
        (conf->pid_file && write_pid(conf->pid_file, err, errlen) < 0))
        return -1;
    struct as_milter_holder *h;
    if (drop_root(id, err, errlen) < 0 ||
        as_milter_holder_build(o->config, &h, err, errlen) < 0) {
        if (conf->pid_file)
            (void)unlink(conf->pid_file);
        return -1;
    }
    as_milter_holder_install(h);
    if (as_milter_start_reloader(o->config) < 0) {
        snprintf(err, errlen, "cannot start the signal thread");
        as_milter_holder_shutdown();
        return -1;
    }
    as_milter_logf(AUTHSCORE_LOG_INFO, "started: socket %s, authserv-id %s, "
                   "libauthscore %s, pid %ld", conf->socket, h->authserv_id,
                   authscore_version(), (long)getpid());
    if (ready >= 0) {
        (void)!write(ready, "R", 1);
        close(ready);
        as_milter_log_open(0);
        detach_stdio();
    }
    int rc = smfi_main();
    as_milter_logf(AUTHSCORE_LOG_INFO, "stopped");
    as_milter_holder_shutdown();
    if (conf->pid_file)
        (void)unlink(conf->pid_file);
    return rc == MI_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (o.check)
        return check_config(o.config);
    char err[1024];
    struct as_milter_conf conf;
    struct ids id;
    as_milter_log_open(1);
    if (as_milter_conf_load(o.config, &conf, err, sizeof err) < 0 ||
        lookup_ids(&conf, &id, err, sizeof err) < 0)
        rc = -1;
    else
        rc = serve(&o, &conf, &id, err, sizeof err);
    if (rc < 0)
        rc = fail(err);
    as_milter_conf_free(&conf);
    return rc;
}
