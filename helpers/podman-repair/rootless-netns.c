/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rootless-netns.h"

#include <stddef.h>

enum netns_health netns_classify(const struct netns_look *l) {
        if (!l->dir)
                return l->aardvark || l->apps_running ? NETNS_GONE : NETNS_OK;
        if (!l->pasta)
                return NETNS_PASTA_GONE;
        /* podman starts pasta with the namespace, aardvark-dns with the first container in it: a
         * pasta younger than the aardvark-dns serving the names belongs to a namespace made since. */
        if (l->aardvark && l->pasta_start > l->aardvark_start)
                return NETNS_SPLIT;
        return NETNS_OK;
}

const char *netns_health_text(enum netns_health h) {
        static const char *const texts[] = {
                [NETNS_OK] = NULL,
                [NETNS_PASTA_GONE] = "the rootless network namespace has lost its pasta: its containers reach "
                                     "neither the host nor the outside",
                [NETNS_GONE] = "the rootless network namespace is gone while the apps run: they answer on no "
                               "port",
                [NETNS_SPLIT] = "the rootless network namespace was made anew while aardvark-dns runs in the old "
                                "one: a container started since cannot reach the others",
        };
        return h < _NETNS_HEALTH_MAX ? texts[h] : NULL;
}
