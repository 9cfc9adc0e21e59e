/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"

/* Pure: what a derived config file must contain, from the manifest entry, the canonical secrets
 * and (for the kinds that share a file with the user) the file's current text. */

struct secret_value {
        const char *name;
        const char *value;
};

struct secret_set {
        struct secret_value *items;
        size_t n;
};

const char *secret_lookup(const struct secret_set *s, const char *name);

/* Calls fn for every secret name the entry needs: the "secret" setting, every ${secret:NAME}. */
int derived_for_each_secret(const struct derived *d, int (*fn)(const char *name, void *userdata), void *userdata);

struct render_input {
        const struct derived *d;
        const char *app;
        const struct secret_set *secrets;
        const char *current; /* the file's text, NULL when it does not exist or is unusable */
        size_t current_len;
        const char *new_salt; /* used only when no rpcauth line of the block validates */
};

#define SECRET_NAME_BUF 64

/* 0 and the wanted content in *ret; -EINVAL when a secret is missing from the set (missing names
 * it); -ENOMEM. */
int derived_render(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]);

/* The mode a kind's file gets unless the manifest says otherwise: files that hold credentials
 * (lnd.conf, env files) 0600, bitcoin.conf (rpcauth holds only a salted hash) 0640, the rest 0644. */
unsigned derived_default_mode(enum derived_kind kind);
