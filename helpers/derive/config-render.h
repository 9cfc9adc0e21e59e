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

/* Calls fn for every secret name the entry needs: the "secret" setting, every ${secret:NAME} of
 * vars or content. */
int derived_for_each_secret(const struct derived *d, int (*fn)(const char *name, void *userdata), void *userdata);

struct render_input {
        const struct derived *d;
        const char *app;
        const struct secret_set *secrets;
        const char *current; /* the file's text, NULL when it does not exist or is unusable */
        size_t current_len;
        const char *new_salt;          /* used only when no rpcauth line of the block validates */
        enum chain chain;              /* the manifest's, for bitcoin-conf and lnd-conf */
        const struct manifest *m;      /* resolves ${app:...} of a file's content (app-ref.h); NULL: none may occur */
        const char *const *user_salts; /* bitcoin-conf: a new salt for each of rpc_users, like new_salt */
};

#define SECRET_NAME_BUF 64

/* 0 and the wanted content in *ret; -EINVAL when a secret is missing from the set (missing names
 * it); -ENOMEM. NUL bytes of the current text are not content: they are left out, every other
 * byte is kept, and the result never holds one (so its length is strlen()). */
int derived_render(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]);

/* For bitcoin-conf and lnd-conf of an app that is uninstalled: the current text with neither
 * archy's block nor the lines that would have competed with it (credentials), nor NUL bytes; every
 * other line of the user's kept. 0 (*ret NULL when there is no current text); -EINVAL for the
 * other kinds, whose files are archy's whole; -ENOMEM. */
int derived_render_uninstalled(const struct render_input *in, char **ret, size_t *ret_len);

/* The text starts with the header line archy-derive writes into the files it owns whole (env,
 * containers-conf, nginx-route) for app: only such a file is removed when the app is uninstalled. */
bool derived_written_by_archy(const char *text, size_t len, const char *app);

/* The text is exactly what archy-derive writes for a containers-conf entry of some app (its header
 * naming a valid app name, then its [containers] lines), byte for byte: only such a drop-in is
 * removed from a rootless node (stale-dropin.h). */
bool containers_conf_is_archys(const char *text, size_t len);
