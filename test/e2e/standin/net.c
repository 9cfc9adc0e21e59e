/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sockets and waiting: what the node and the consumer both need to listen, accept and send. */
#include "standin.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Wait for fd with the signals blocked except inside ppoll(): checking the flags and then blocking in
 * accept() would lose a SIGTERM that lands in between, and podman stop would end in a SIGKILL.
 */
int wait_any(struct pollfd *p, nfds_t n, int64_t timeout_ms) {
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGHUP);
        sigprocmask(SIG_BLOCK, &block, &old);
        int r = -1;
        errno = EINTR;
        if (!stop_signal && !hup_pending) {
                struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000};
                r = ppoll(p, n, timeout_ms < 0 ? NULL : &ts, &old);
        }
        int saved = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return r;
}

int wait_readable(int fd, int64_t timeout_ms) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        return wait_any(&p, 1, timeout_ms);
}

/* Accepts one client at a time until SIGTERM; probe(ctx) runs every probe_ms, serve(fd, ctx) per client. */
void serve_forever(int lfd, int64_t probe_ms, void (*probe)(void *ctx), void (*serve)(int fd, void *ctx), void *ctx) {
        int64_t next = 0;
        while (!stop_signal) {
                if (probe && now_ms() >= next) {
                        probe(ctx);
                        next = now_ms() + probe_ms;
                }
                char peer[64];
                int cfd = wait_readable(lfd, 1000) > 0 ? accept_client(lfd, 5, peer, sizeof peer) : -1;
                if (cfd >= 0) {
                        serve(cfd, ctx);
                        close(cfd);
                }
        }
}

int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret) {
        char *end;
        errno = 0;
        if (!s || *s < '0' || *s > '9')
                return false;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

void set_timeouts(int fd, int seconds) {
        struct timeval tv = {.tv_sec = seconds};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int send_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (n < 0)
                        return -1;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

int listen_tcp(unsigned port) {
        return listen_tcp_at(htonl(INADDR_ANY), port);
}

/* addr in network byte order */
int listen_tcp_at(uint32_t addr, unsigned port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        int one = 1;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = addr};
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}

void format_peer(const struct sockaddr_in *sa, char *out, size_t cap) {
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, (unsigned)ntohs(sa->sin_port));
}

/* Returns a connected blocking socket with the given receive/send timeout, or -1. */
int accept_client(int lfd, int timeout_s, char *peer, size_t peer_cap) {
        struct sockaddr_in sa = {0};
        socklen_t sl = sizeof sa;
        int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        logmsg("accept: %s", strerror(errno));
                return -1;
        }
        set_timeouts(fd, timeout_s);
        format_peer(&sa, peer, peer_cap);
        return fd;
}

/* Resolves on every call (a restarted container has a new address); IPv4 only, 2 s connect timeout. */
int tcp_connect(const char *host, const char *port, char *err, size_t cap) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(host, port, &hints, &res);
        if (g != 0) {
                snprintf(err, cap, "dial tcp %s:%s: lookup %s: %s", host, port, host,
                         g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
                return -1;
        }
        int fd = -1;
        for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
                fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        break;
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                int e = 0;
                socklen_t el = sizeof e;
                if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
                    (errno != EINPROGRESS || poll(&p, 1, 2000) <= 0 ||
                     getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e != 0)) {
                        char ip[INET_ADDRSTRLEN] = "?";
                        inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof ip);
                        snprintf(err, cap, "dial tcp %s:%s: connect: %s", ip, port,
                                 strerror(e                      ? e
                                          : errno == EINPROGRESS ? ETIMEDOUT
                                                                 : errno));
                        close(fd);
                        fd = -1;
                }
        }
        freeaddrinfo(res);
        if (fd >= 0) {
                (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
                set_timeouts(fd, 5);
        }
        return fd;
}
