/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "values.h"

static const char *const secret_keys[] = {"generate", "chars", NULL};

/* chars: any (the default) or alnum, for a secret that reaches text no encoding protects (an
 * entrypoint's sed). The order is enum secret_chars'. */
static bool parse_chars(const struct yctx *c, const yaml_node_t *v, const char *key, struct secret_decl *sd) {
        static const char *const names[] = {"any", "alnum", NULL};
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.chars", key);
        size_t i;
        if (!v)
                return true;
        if (!yexpect_choice(c, v, k, names, &i))
                return false;
        sd->chars = (enum secret_chars)i;
        return true;
}

static bool parse_secret(const struct yctx *c, const char *name, const yaml_node_t *n, struct secret_decl *sd) {
        char key[MANIFEST_KEY_MAX];
        ykeyf(key, sizeof(key), "secrets.%s", name);
        sd->name = name;
        sd->pos = ypos(n);
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, secret_keys))
                return false;
        yaml_node_t *g = ylookup(c, n, "generate");
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.generate", key);
        bool ok = !g || yexpect_bool(c, g, k, &sd->generate);
        return parse_chars(c, ylookup(c, n, "chars"), key, sd) && ok;
}

bool parse_secrets(const struct yctx *c, const yaml_node_t *n, struct manifest *m) {
        if (!yexpect_mapping(c, n, "secrets") || !ycheck_keys(c, n, "secrets", NULL))
                return false;
        m->secrets = calloc_items(ymapping_len(n), sizeof(*m->secrets));
        if (!m->secrets)
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                if (!name_valid(name)) {
                        yaml_node_t *kn = ynode(c, pair->key);
                        char shown[96];
                        yerror(c, kn, "secrets: expected a secret name matching [a-z][a-z0-9-]{0,47}, got \"%s\"",
                               value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                ok = parse_secret(c, name, ynode(c, pair->value), &m->secrets[m->n_secrets++]) && ok;
        }
        return ok;
}
