/* null_policy: a policy service that answers every request "action=DUNNO"
   and does nothing else, the protocol floor of bench/policy_bench.sh: one
   epoll thread, one read() and one write() per request, as in
   sendsentry-policyd. What it reaches with the benchmark's client is the
   floor of this protocol on the machine: the cost of the system calls and
   wake-ups alone, with no work per request.
     null_policy unix:PATH | inet:HOST:PORT */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FD 65536
#define BUF 8192

struct conn {
    char in[BUF];
    size_t len;
};
static struct conn *conns[MAX_FD];

static int listen_on(const char *target)
{
    int fd;
    if (strncmp(target, "unix:", 5) == 0) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", target + 5);
        unlink(sun.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
            return -1;
    } else if (strncmp(target, "inet:", 5) == 0) {
        char host[64];
        snprintf(host, sizeof host, "%s", target + 5);
        char *colon = strrchr(host, ':');
        if (!colon)
            return -1;
        *colon = '\0';
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1)) };
        if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
            || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
            return -1;
    } else {
        errno = EINVAL;
        return -1;
    }
    return listen(fd, 4096) == 0 ? fd : -1;
}

static void drop(int ep, int fd)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    free(conns[fd]);
    conns[fd] = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: null_policy unix:PATH | inet:HOST:PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(argv[1]);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
    if (lfd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
        perror(argv[1]);
        return 1;
    }
    static const char reply[] = "action=DUNNO\n\n";
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, -1);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        for (int k = 0; k < n; ++k) {
            int fd = evs[k].data.fd;
            if (fd == lfd) {
                int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0 || c >= MAX_FD || !(conns[c] = calloc(1, sizeof *conns[c]))) {
                    if (c >= 0)
                        close(c);
                    continue;
                }
                struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                continue;
            }
            struct conn *c = conns[fd];
            ssize_t r = read(fd, c->in + c->len, BUF - c->len);
            if (r <= 0) {
                if (r == 0 || errno != EAGAIN)
                    drop(ep, fd);
                continue;
            }
            c->len += (size_t)r;
            /* One request in flight per connection: it is complete when the
               buffer ends in an empty line. */
            if (c->len >= 2 && memcmp(c->in + c->len - 2, "\n\n", 2) == 0) {
                c->len = 0;
                if (write(fd, reply, sizeof reply - 1) != (ssize_t)(sizeof reply - 1))
                    drop(ep, fd);
            } else if (c->len == BUF) {
                drop(ep, fd);
            }
        }
    }
}
