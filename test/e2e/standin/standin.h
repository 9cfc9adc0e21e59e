/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every file of the stand-in includes this header first: the build line has no -D_GNU_SOURCE, and
 * ppoll, accept4 and memrchr need it defined before the first system header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define HEAD_MAX 16384

/* main.c: the process frame every subcommand shares */
extern volatile sig_atomic_t stop_signal;
extern volatile sig_atomic_t hup_pending;
__attribute__((format(printf, 1, 2))) void logmsg(const char *fmt, ...);
void usage(FILE *f);
int install_signals(void);

/* net.c */
int wait_readable(int fd, int64_t timeout_ms);
int64_t now_ms(void);
bool parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret);
void set_timeouts(int fd, int seconds);
int send_all(int fd, const char *buf, size_t len);
int listen_tcp(unsigned port);
void format_peer(const struct sockaddr_in *sa, char *out, size_t cap);
int accept_client(int lfd, int timeout_s, char *peer, size_t peer_cap);

/* http.c */
ssize_t read_head(int fd, char *buf, size_t cap, size_t *head_len);
bool find_header(const char *head, const char *name, char *out, size_t cap);
void http_respond(int fd, const char *status, const char *headers, const char *body);

/* The subcommands, each in its own file; argv[0] is the subcommand's name. */
int node_main(int argc, char **argv);
int consumer_main(int argc, char **argv);
int resolve_main(int argc, char **argv);
int web_main(int argc, char **argv);
int hog_main(int argc, char **argv);

/* applets.c: argv[0]-dispatched applets (name, entry point, one-line summary), ended by {NULL} */
struct applet {
        const char *name;
        int (*main)(int argc, char **argv);
        const char *summary;
};
extern const struct applet applets[];
const struct applet *find_applet(const char *name);

/* app-fedimint.c */
int fedimintd_main(int argc, char **argv);
