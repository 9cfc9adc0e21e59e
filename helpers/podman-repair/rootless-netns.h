/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Pure: whether rootless podman's network namespace still serves the apps (chaos scenario 7, the
 * rootless network namespace revoked). Rootless podman 5 runs every container of a bridge network
 * (archy's archipelago) in one namespace of its own, $XDG_RUNTIME_DIR/containers/networks/
 * rootless-netns, which pasta connects to the host (its pid in rootless-netns-conn.pid) and in
 * which aardvark-dns answers the containers' names (its pid in ../aardvark-dns/aardvark.pid).
 * When pasta dies or the namespace goes, the running containers lose the host and the outside;
 * the next container started gets a namespace of its own and cannot reach the others (netavark:
 * "aardvark-dns runs in a different netns, dns will not work for this container"). */

enum netns_health {
        NETNS_OK,         /* as podman made it, or none (no container needs one) */
        NETNS_PASTA_GONE, /* the namespace is there, its pasta is not */
        NETNS_GONE,       /* the namespace is gone while the apps run in it, or aardvark-dns serves
                           * their names (its whole runtime directory removed, or just the namespace) */
        NETNS_SPLIT,      /* a new namespace was made while aardvark-dns runs in the old one */
        _NETNS_HEALTH_MAX,
};

/* What /proc and the runtime directory show. Start times are clock ticks after boot. */
struct netns_look {
        bool dir;   /* rootless-netns exists */
        bool pasta; /* its rootless-netns-conn.pid names a running pasta (or slirp4netns) */
        unsigned long long pasta_start;
        bool aardvark; /* aardvark.pid names a running aardvark-dns */
        unsigned long long aardvark_start;
        /* an app unit is active: every archy container is on the archipelago bridge network, so in
         * this namespace (containers of others may use none) */
        bool apps_running;
};

enum netns_health netns_classify(const struct netns_look *l);
/* What a person reads for each, for the evidence of the state; NULL for NETNS_OK. */
const char *netns_health_text(enum netns_health h);
