/* policy_bench: a load client for Postfix policy services (SMTPD_POLICY_README
 * protocol). One thread, epoll, CONNS connections each sending one request at
 * a time as Postfix's smtpd does: per message an RCPT request and an
 * END-OF-MESSAGE request with Postfix 3.7's full attribute set, senders drawn
 * from a Zipf distribution, a share of recipients drawn from the suppressed
 * set. Prints one line: throughput, p50/p99 latency, connections answered.
 * Closed loop by default (each connection sends its next request as soon as
 * the last is answered: the throughput test); with -r RATE, open loop: the
 * connections together offer RATE requests/s on a fixed schedule, still one
 * in flight each, and a request's latency counts from when it was due, so a
 * server that falls behind is charged for the wait.
 * Used by bench/policy_bench.sh (sendsentry-policyd against postfwd). C so
 * that the client's own cost stays small next to the servers'. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Latency histogram: 1 us buckets up to 200 ms, then one overflow bucket. */
#define HIST_BUCKETS 200000
#define REPLY_MAX 4096

struct conn {
    int fd;
    char out[4096];
    size_t out_len, out_off;
    char in[REPLY_MAX];
    size_t in_len;
    uint64_t sent_at; /* ns */
    uint64_t message;  /* per-connection message number */
    int stage;         /* 0 = RCPT next, 1 = END-OF-MESSAGE next */
    uint64_t due;      /* open loop: when the next request is to be sent (ns) */
    int waiting;       /* open loop: answered, the next request not yet due */
    int sender;
    long answered;
    int in_flight;
};

static uint64_t hist[HIST_BUCKETS + 1];
static double *zipf_cdf;
static int senders = 10000;
static double zipf_s = 1.0;
static long suppressed = 1000000;
static double suppressed_share = 0.1;
static uint64_t rng = 88172645463325252ull;
static double rate; /* offered requests/s over all connections; 0 = closed loop */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double uniform(void) { return (double)(xorshift() >> 11) / 9007199254740992.0; }

static void zipf_init(void)
{
    zipf_cdf = malloc(sizeof(double) * (size_t)senders);
    if (!zipf_cdf) {
        perror("malloc");
        exit(1);
    }
    double sum = 0;
    for (int i = 0; i < senders; ++i)
        sum += 1.0 / pow(i + 1, zipf_s);
    double acc = 0;
    for (int i = 0; i < senders; ++i) {
        acc += 1.0 / pow(i + 1, zipf_s) / sum;
        zipf_cdf[i] = acc;
    }
}

static int zipf_draw(void)
{
    double u = uniform();
    int lo = 0, hi = senders - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void build_request(struct conn *c, int index)
{
    char recipient[96];
    const char *state = c->stage == 0 ? "RCPT" : "END-OF-MESSAGE";
    if (c->stage == 0) {
        c->sender = zipf_draw();
        ++c->message;
    }
    if (uniform() < suppressed_share)
        snprintf(recipient, sizeof recipient, "s%07ld@suppressed.example", (long)(xorshift() % (uint64_t)suppressed));
    else
        snprintf(recipient, sizeof recipient, "u%llu@remote.example", (unsigned long long)(xorshift() % 100000000));
    int n = snprintf(c->out, sizeof c->out,
        "request=smtpd_access_policy\nprotocol_state=%s\nprotocol_name=ESMTP\nhelo_name=app%02d.example.net\n"
        "queue_id=%s\nsender=user%d@sender%d.example\nrecipient=%s\nrecipient_count=%d\n"
        "client_address=10.1.%d.%d\nclient_name=app%02d.example.net\nreverse_client_name=app%02d.example.net\n"
        "instance=%x.%llx.0\nsasl_method=\nsasl_username=\nsasl_sender=\nsize=%d\nccert_subject=\nccert_issuer=\n"
        "ccert_fingerprint=\nccert_pubkey_fingerprint=\nencryption_protocol=TLSv1.3\n"
        "encryption_cipher=TLS_AES_256_GCM_SHA384\nencryption_keysize=256\netrn_domain=\nstress=\n"
        "server_address=10.0.0.1\nserver_port=587\nclient_port=%d\npolicy_context=\ncompatibility_level=3.6\n"
        "mail_version=3.7.11\n\n",
        state, index % 100, c->stage == 0 ? "" : "4QXYZ1ABCD", c->sender, c->sender % 500,
        c->stage == 0 ? recipient : "", c->stage == 0 ? 0 : 1, index % 250, c->sender % 250, index % 100, index % 100,
        (unsigned)index, (unsigned long long)c->message, 1000 + (int)(xorshift() % 100000), 1024 + index % 60000);
    c->out_len = (size_t)n;
    c->out_off = 0;
}

static int connect_to(const char *target)
{
    int fd;
    if (strncmp(target, "unix:", 5) == 0) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", target + 5);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
            return -1;
    } else if (strncmp(target, "inet:", 5) == 0) {
        char host[64];
        const char *colon = strrchr(target + 5, ':');
        if (!colon || (size_t)(colon - target - 5) >= sizeof host)
            return -1;
        memcpy(host, target + 5, (size_t)(colon - target - 5));
        host[colon - target - 5] = 0;
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1)) };
        inet_pton(AF_INET, host, &sin.sin_addr);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
            return -1;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        return -1;
    }
    return fd;
}

static int send_request(int ep, struct conn *c, int index)
{
    build_request(c, index);
    c->sent_at = rate > 0 ? c->due : now_ns();
    c->in_flight = 1;
    ssize_t n = write(c->fd, c->out, c->out_len);
    if (n < 0 && errno != EAGAIN)
        return -1;
    c->out_off = n > 0 ? (size_t)n : 0;
    if (c->out_off < c->out_len) {
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)index };
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

static double percentile(uint64_t total, double p)
{
    uint64_t want = (uint64_t)ceil(p * (double)total), seen = 0;
    for (int i = 0; i <= HIST_BUCKETS; ++i) {
        seen += hist[i];
        if (seen >= want && want > 0)
            return i;
    }
    return HIST_BUCKETS;
}

int main(int argc, char **argv)
{
    const char *target = NULL, *label = "server";
    int conns = 1;
    double seconds = 5;
    int opt;
    while ((opt = getopt(argc, argv, "t:c:d:s:z:u:f:l:r:")) != -1) {
        switch (opt) {
        case 't': target = optarg; break;
        case 'c': conns = atoi(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 's': senders = atoi(optarg); break;
        case 'z': zipf_s = atof(optarg); break;
        case 'u': suppressed = atol(optarg); break;
        case 'f': suppressed_share = atof(optarg); break;
        case 'l': label = optarg; break;
        case 'r': rate = atof(optarg); break;
        default:
            fprintf(stderr, "usage: policy_bench -t unix:PATH|inet:HOST:PORT [-c CONNS] [-d SECONDS] [-s SENDERS] "
                            "[-z ZIPF_S] [-u SUPPRESSED] [-f SUPPRESSED_SHARE] [-l LABEL] [-r RATE]\n");
            return 2;
        }
    }
    if (!target || conns < 1 || conns > 100000 || senders < 1 || suppressed < 1 || seconds <= 0 || rate < 0) {
        fprintf(stderr, "policy_bench: bad arguments\n");
        return 2;
    }
    zipf_init();
    struct conn *cs = calloc((size_t)conns, sizeof *cs);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!cs || ep < 0) {
        perror("setup");
        return 1;
    }
    int connected = 0;
    for (int i = 0; i < conns; ++i) {
        cs[i].fd = connect_to(target);
        if (cs[i].fd < 0) {
            fprintf(stderr, "policy_bench: connection %d: %s\n", i, strerror(errno));
            break;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
        ++connected;
    }
    uint64_t start = now_ns(), stop = start + (uint64_t)(seconds * 1e9);
    /* After the run, replies still owed get this long before they count as unanswered. */
    uint64_t grace = 10ull * 1000000000ull;
    long requests = 0, errors = 0, closed = 0, deferred = 0, rejected = 0;
    /* Open loop: each connection's requests INTERVAL apart, the connections staggered. */
    const uint64_t interval = rate > 0 ? (uint64_t)((double)connected * 1e9 / rate) : 0;
    for (int i = 0; i < connected; ++i) {
        if (rate > 0) {
            cs[i].due = start + interval * (uint64_t)i / (uint64_t)connected;
            cs[i].waiting = 1;
        } else if (send_request(ep, &cs[i], i) != 0) {
            ++errors;
        }
    }
    struct epoll_event evs[512];
    int in_flight = connected; /* connections not finished */
    for (int i = 0; i < connected; ++i)
        if (rate > 0 && cs[i].due >= stop) { /* a schedule too sparse to reach this connection */
            cs[i].waiting = 0;
            --in_flight;
        }
    uint64_t end = 0;
    while (in_flight > 0) {
        uint64_t t = now_ns();
        if (t > stop + grace)
            break;
        struct timespec wait = { .tv_sec = 0, .tv_nsec = 100000000 };
        if (rate > 0) {
            uint64_t next = t + 100000000ull;
            for (int i = 0; i < connected; ++i) {
                if (!cs[i].waiting || cs[i].fd < 0)
                    continue;
                if (cs[i].due <= t) {
                    cs[i].waiting = 0;
                    if (send_request(ep, &cs[i], i) != 0)
                        ++errors;
                } else if (cs[i].due < next) {
                    next = cs[i].due;
                }
            }
            wait.tv_nsec = (long)(next > t ? next - t : 0);
        }
        int n = epoll_pwait2(ep, evs, 512, &wait, NULL); /* Linux 5.11, glibc 2.35 */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_pwait2");
            return 1;
        }
        for (int k = 0; k < n; ++k) {
            int i = (int)evs[k].data.u32;
            struct conn *c = &cs[i];
            if (c->fd < 0)
                continue;
            if (evs[k].events & EPOLLOUT) {
                ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
                if (w > 0)
                    c->out_off += (size_t)w;
                if (c->out_off == c->out_len) {
                    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                ++closed;
                close(c->fd);
                c->fd = -1;
                --in_flight;
                continue;
            }
            c->in_len += (size_t)r;
            if (c->in_len < 2 || memcmp(c->in + c->in_len - 2, "\n\n", 2) != 0) {
                if (c->in_len == sizeof c->in) {
                    ++errors;
                    c->in_len = 0;
                }
                continue;
            }
            uint64_t done = now_ns();
            uint64_t us = (done - c->sent_at) / 1000;
            ++hist[us < HIST_BUCKETS ? us : HIST_BUCKETS];
            ++requests;
            ++c->answered;
            if (strncmp(c->in, "action=", 7) != 0)
                ++errors;
            else if (strncmp(c->in + 7, "DEFER", 5) == 0 || c->in[7] == '4')
                ++deferred;
            else if (c->in[7] == '5' || strncmp(c->in + 7, "REJECT", 6) == 0)
                ++rejected;
            c->in_len = 0;
            c->in_flight = 0;
            end = done;
            /* The RCPT was refused: Postfix would not get to END-OF-MESSAGE. */
            int refused = c->stage == 0 && strncmp(c->in + 7, "DUNNO", 5) != 0 && strncmp(c->in + 7, "OK", 2) != 0
                && strncmp(c->in + 7, "dunno", 5) != 0;
            c->stage = c->stage == 0 && !refused ? 1 : 0;
            if (rate > 0) {
                c->due += interval;
                if (c->due < stop)
                    c->waiting = 1; /* sent at the top of the loop when due */
                else
                    --in_flight;
            } else if (done < stop) {
                if (send_request(ep, c, i) != 0)
                    ++errors;
            } else {
                --in_flight;
            }
        }
    }
    long unanswered = 0, silent_conns = 0;
    for (int i = 0; i < connected; ++i) {
        unanswered += cs[i].in_flight;
        silent_conns += cs[i].answered == 0;
    }
    double elapsed = (double)((end ? end : now_ns()) - start) / 1e9;
    printf("%-10s conns=%-5d offered=%-6.0f connected=%-5d requests=%-8ld seconds=%.2f rps=%.0f p50_us=%.0f p99_us=%.0f "
           "deferred=%ld rejected=%ld errors=%ld closed=%ld unanswered=%ld conns_never_answered=%ld\n",
        label, conns, rate, connected, requests, elapsed, requests / elapsed, percentile((uint64_t)requests, 0.50),
        percentile((uint64_t)requests, 0.99), deferred, rejected, errors, closed, unanswered,
        silent_conns + (conns - connected));
    return 0;
}
