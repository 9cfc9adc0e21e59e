/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The applets: when archy-standin runs under one of these names (a symlink in /usr/local/bin of a
 * stand-in image), it is that app. One line per applet; each app's code lives in app-<app>.c.
 */
#include "standin.h"

#include <string.h>

const struct applet applets[] = {
        {"fedimintd", fedimintd_main, "fedimintd v0.13 stand-in: env contract, bitcoind RPC, P2P/API/UI ports"},
        {NULL, NULL, NULL},
};

const struct applet *find_applet(const char *name) {
        for (const struct applet *a = applets; a->name; a++)
                if (strcmp(a->name, name) == 0)
                        return a;
        return NULL;
}
