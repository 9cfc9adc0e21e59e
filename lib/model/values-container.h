/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure checks for the runtime and hardening keys of a container (manifest-parse-runtime.c). Like
 * values.h, each accepts a conservative language and rejects, never repairs. */

/* The largest UID or GID: 2^32 - 2 ((uid_t)-1 means "unchanged" to the kernel). */
#define ARCHY_ID_MAX 4294967294u

/* "UID" or "UID:GID", decimal. 0 or -EINVAL; *ret_has_gid says whether a GID was given. */
int user_parse(const char *s, unsigned *ret_uid, unsigned *ret_gid, bool *ret_has_gid);
/* A host name (RFC 1123): labels of [A-Za-z0-9-], 1..63 characters, neither starting nor ending
 * with '-', joined by single dots; at most 64 characters in all (the kernel's HOST_NAME_MAX). */
bool hostname_valid(const char *s);
/* The same labels, at most max characters in all (a DNS name: 253). */
bool host_labels_valid(const char *s, size_t max);
/* A name for NetworkAlias=: a host name that is not one of archy's container names (archy-*). */
bool network_alias_valid(const char *s);
/* A signal as compose writes stop_signal: "SIGTERM", "TERM" or "15" (1..31, the standard
 * signals). Returns the "SIGTERM" form (static), or NULL. */
const char *signal_canonical(const char *s);
/* The number of a signal in that form (15 for "SIGTERM"), 0 for anything else. */
unsigned signal_number(const char *canonical);
/* A capability as compose writes one: "NET_ADMIN" or "CAP_NET_ADMIN" (capabilities(7), upper
 * case), or "ALL" when allow_all. Returns the "CAP_NET_ADMIN" form or "ALL" (static), or NULL. */
const char *capability_canonical(const char *s, bool allow_all);
/* "/path" or "/path:OPTIONS": an absolute, normalized path other than "/" and a comma-separated
 * list of tmpfs options: ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup,
 * size=N[k|m|g] (as the kernel reads it), mode=OCTAL (at most 4 digits), uid=N, gid=N, nr_inodes=N. */
bool tmpfs_valid(const char *s);
/* A resource name of ulimits (setrlimit(2) without RLIMIT_): as, core, cpu, data, fsize, locks,
 * memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack. */
bool ulimit_name_valid(const char *s);
/* An entrypoint item: 1..255 characters of [A-Za-z0-9._/:@+=,-] (podman
 * reads a multi-item entrypoint as a JSON array, which these need no escaping in). */
bool entrypoint_arg_valid(const char *s);
