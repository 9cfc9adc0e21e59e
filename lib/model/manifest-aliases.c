/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network aliases (a container's aliases: key, Quadlet's NetworkAlias=): more names a container
 * answers to on the archipelago network. Two running containers with one alias would both be
 * answered by podman's DNS (aardvark-dns returns every address), so a dependent would reach
 * either; an alias may therefore be held by one app at a time among those that are not
 * uninstalled. That is what lets two implementations of one service (bitcoin-knots and
 * bitcoin-core) both say "bitcoind", the installed one being the one reached. Pure.
 */
#include <string.h>

#include "manifest-checks.h"

struct alias_owner {
        const struct app *app;
        const struct container *ct;
};

/* The first container before (ai, ci, k) holding alias, or {NULL}. */
static struct alias_owner first_holder(const struct manifest *m, size_t ai, size_t ci, size_t k, const char *alias) {
        for (size_t i = 0; i <= ai; i++) {
                const struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < a->n_containers && (i < ai || c <= ci); c++) {
                        const struct container *ct = &a->containers[c];
                        size_t end = i == ai && c == ci ? k : ct->n_aliases;
                        for (size_t j = 0; j < end; j++)
                                if (ct->aliases[j] && strcmp(ct->aliases[j], alias) == 0)
                                        return (struct alias_owner){a, ct};
                }
        }
        return (struct alias_owner){NULL, NULL};
}

void manifest_check_aliases(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < a->n_containers; c++) {
                        const struct container *ct = &a->containers[c];
                        for (size_t k = 0; k < ct->n_aliases; k++) {
                                /* a bad item is NULL: parse_text_list() reported it */
                                struct alias_owner o = ct->aliases[k] ? first_holder(m, i, c, k, ct->aliases[k])
                                                                      : (struct alias_owner){NULL, NULL};
                                if (!o.ct)
                                        continue;
                                diag_add(diags, a->name, ct->aliases_pos.line, ct->aliases_pos.col,
                                         "apps.%s.containers.%s.aliases[%zu]: network alias \"%s\" is already an "
                                         "alias of %s, expected each alias on one container of the apps that are not "
                                         "uninstalled (podman's DNS would answer with both)",
                                         a->name, ct->part, k, ct->aliases[k], o.ct->unit);
                                a->skip = true;
                        }
                }
        }
}
