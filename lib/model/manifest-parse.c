/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static const char *const top_keys[] = {"version", "chain", "node", "secrets", "apps", NULL};
static const char *const chain_names[] = {"main", "test", "signet", "regtest", NULL};

const char *chain_to_string(enum chain ch) {
        return ch < _CHAIN_MAX ? chain_names[ch] : NULL;
}

/* Like a bad version, a bad chain makes the manifest unusable: every Bitcoin app depends on it. */
static bool parse_chain(const struct yctx *c, const yaml_node_t *n, struct manifest *m) {
        const char *s = yexpect_text(c, n, "chain");
        if (!s)
                return false;
        for (size_t i = 0; chain_names[i]; i++)
                if (strcmp(s, chain_names[i]) == 0) {
                        m->chain = (enum chain)i;
                        return true;
                }
        char shown[96];
        yerror(c, n, "chain: expected one of main, test, signet, regtest, got \"%s\"",
               value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
        return false;
}
static const char *const app_keys[] = {"state", "requires", "containers", "derived", "volumes", "probes", NULL};
static const char *const state_names[] = {"started", "stopped", "uninstalled", NULL};

const char *app_state_to_string(enum app_state s) {
        return state_names[s];
}

const char *health_action_to_string(enum health_action a) {
        static const char *const names[] = {"none", "kill", "restart", "stop"};
        return names[a];
}

static bool parse_state(const struct yctx *c, const yaml_node_t *n, const char *key, enum app_state *ret) {
        size_t i;
        if (!yexpect_choice(c, n, key, state_names, &i))
                return false;
        *ret = (enum app_state)i;
        return true;
}

static bool parse_requires(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a) {
        if (!yexpect_sequence(c, n, key))
                return false;
        a->requires = calloc(ysequence_len(n) + 1, sizeof(*a->requires));
        a->requires_pos = calloc(ysequence_len(n) + 1, sizeof(*a->requires_pos));
        a->requires_condition = calloc(ysequence_len(n) + 1, sizeof(*a->requires_condition));
        if (!a->requires || !a->requires_pos || !a->requires_condition)
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                size_t r = a->n_requires;
                if (!parse_requires_item(c, item, k, &a->requires[r], &a -> requires_condition[r])) {
                        ok = false;
                        continue;
                }
                a->requires_pos[r] = ypos(item);
                a->n_requires++;
        }
        return ok;
}

static bool parse_containers(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a) {
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        a->containers = calloc_items(ymapping_len(n), sizeof(*a->containers));
        if (!a->containers)
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *part = ykey_text(c, pair);
                if (!name_valid(part)) {
                        char shown[96];
                        yaml_node_t *kn = ynode(c, pair->key);
                        yerror(c, kn, "%s: expected a container name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", key,
                               value_for_message(part, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                ok = parse_container(c, a->name, part, ynode(c, pair->value), &a->containers[a->n_containers++]) && ok;
        }
        if (ok && !ylookup(c, n, "main")) {
                yerror(c, n, "%s: missing required container \"main\" (the app's own service, archy-%s)", key, a->name);
                ok = false;
        }
        return ok && check_part_order(c, a);
}

static bool parse_derived_list(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a) {
        if (!yexpect_sequence(c, n, key))
                return false;
        a->derived = calloc_items(ysequence_len(n), sizeof(*a->derived));
        if (!a->derived)
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                ok = parse_derived(c, a->name, a->n_derived, ynode(c, *it), &a->derived[a->n_derived]) && ok;
                a->n_derived++;
        }
        return ok;
}

static bool parse_app(const struct yctx *c, const yaml_node_t *n, struct app *a) {
        char key[MANIFEST_KEY_MAX];
        ykeyf(key, sizeof(key), "apps.%s", a->name);
        a->pos = ypos(n);
        a->state = APP_STATE_STARTED;
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, app_keys);
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                if (strcmp(name, "state") == 0)
                        ok = parse_state(c, v, k, &a->state) && ok;
                else if (strcmp(name, "requires") == 0)
                        ok = parse_requires(c, v, k, a) && ok;
                else if (strcmp(name, "containers") == 0)
                        ok = parse_containers(c, v, k, a) && ok;
                else if (strcmp(name, "derived") == 0)
                        ok = parse_derived_list(c, v, k, a) && ok;
                else if (strcmp(name, "volumes") == 0)
                        ok = parse_app_volumes(c, v, k, a) && ok;
                else if (strcmp(name, "probes") == 0)
                        ok = parse_probes(c, v, k, a) && ok;
        }
        if (!ylookup(c, n, "containers")) {
                yerror(c, n, "%s: missing required key \"containers\" (at least the container \"main\")", key);
                ok = false;
        }
        return ok;
}

static bool parse_apps(struct yctx *c, const yaml_node_t *n, struct manifest *m) {
        if (!yexpect_mapping(c, n, "apps") || !ycheck_keys(c, n, "apps", NULL))
                return false;
        m->apps = calloc_items(ymapping_len(n), sizeof(*m->apps));
        if (!m->apps)
                return false;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *kn = ynode(c, pair->key);
                if (!name_valid(name)) {
                        char shown[96];
                        c->app = name; /* only this app is lost */
                        yerror(c, kn, "apps: expected an app name matching [a-z][a-z0-9-]{0,47}, got \"%s\"",
                               value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        c->app = NULL;
                        continue;
                }
                struct app *a = &m->apps[m->n_apps++];
                a->name = name;
                c->app = name;
                a->skip = !parse_app(c, ynode(c, pair->value), a);
                c->app = NULL;
                /* The apps' nodes run from the first app's key on, each app's up to the next app's
                 * key; no one reads those of the apps parsed so far again. */
                if (pair + 1 < n->data.mapping.pairs.top)
                        ydoc_release(c->doc, n->data.mapping.pairs.start->key, pair[1].key);
        }
        return true;
}

static bool parse_version(const struct yctx *c, const yaml_node_t *root) {
        yaml_node_t *v = ylookup(c, root, "version");
        if (!v) {
                yerror(c, root, "version: missing required key \"version\" (this archy reads version: 1)");
                return false;
        }
        const char *s = yexpect_text(c, v, "version");
        if (s && strcmp(s, "1") != 0) {
                yerror(c, v, "version: expected 1 (the only manifest version this archy reads), got \"%s\"", s);
                return false;
        }
        return s;
}

static bool parse_root(struct yctx *c, struct manifest *m) {
        const yaml_node_t *root = yroot(c->doc);
        if (!root) {
                diag_add(c->diags, NULL, 0, 0,
                         "the manifest is empty, expected a mapping with \"version\" and \"apps\"");
                return false;
        }
        if (!yexpect_mapping(c, root, "(top level)"))
                return false;
        bool ok = ycheck_keys(c, root, "(top level)", top_keys);
        ok = parse_version(c, root) && ok;
        const yaml_node_t *chain = ylookup(c, root, "chain");
        if (chain)
                ok = parse_chain(c, chain, m) && ok;
        m->node = (struct node_settings){.mode = NODE_ROOTFUL};
        const yaml_node_t *node = ylookup(c, root, "node");
        if (node)
                ok = parse_node(c, node, m) && ok;
        const yaml_node_t *secrets = ylookup(c, root, "secrets");
        if (secrets)
                ok = parse_secrets(c, secrets, m) && ok;
        const yaml_node_t *apps = ylookup(c, root, "apps");
        if (apps && !(apps->type == YAML_SCALAR_NODE && apps->data.scalar.length == 0))
                ok = parse_apps(c, apps, m) && ok;
        return ok;
}

/* Where the YAML comes from: a text in memory, or a reader (manifest_parse_reader()). */
struct source {
        const char *text;
        size_t len;
        char *owned; /* `text` when it is the caller's, freed once the YAML is loaded */
        yaml_read_handler_t *read;
        void *data;
        const bool *read_failed;
};

static bool load_document(struct source *src, struct manifest *m, struct diag_list *diags) {
        static const char syntax[] = "YAML syntax error",
                          second[] = "expected a single YAML document, found a second one";
        bool ok = src->read
                          ? yload_single_reader(src->read, src->data, src->read_failed, &m->doc, diags, syntax, second)
                          : yload_single(src->text, src->len, &m->doc, diags, syntax, second);
        free(src->owned);
        src->owned = NULL;
        return ok;
}

static struct manifest *parse_source(struct source *src, const char *path, struct diag_list *diags) {
        _cleanup_manifest_ struct manifest *m = calloc(1, sizeof(*m));
        if (!m || !(m->path = strdup(path))) {
                free(src->owned);
                return NULL;
        }
        diags->file = path;
        if (!load_document(src, m, diags))
                return NULL;
        struct yctx c = {.doc = m->doc, .diags = diags};
        bool parsed = parse_root(&c, m);
        ydoc_drop_tree(m->doc); /* the structs point into its text only */
        if (!parsed || diag_has_global(diags))
                return NULL;
        if (manifest_index_apps(m) < 0) {
                diags->oom = true;
                return NULL;
        }
        manifest_validate(m, diags);
        return TAKE_PTR(m);
}

struct manifest *manifest_parse(const char *text, size_t len, const char *path, struct diag_list *diags) {
        struct source src = {.text = text, .len = len};
        return parse_source(&src, path, diags);
}

struct manifest *manifest_parse_owned(char **text, size_t len, const char *path, struct diag_list *diags) {
        struct source src = {.text = *text, .len = len, .owned = TAKE_PTR(*text)};
        return parse_source(&src, path, diags);
}

struct manifest *manifest_parse_reader(yaml_read_handler_t *read, void *data, const bool *read_failed, const char *path,
                                       struct diag_list *diags) {
        struct source src = {.read = read, .data = data, .read_failed = read_failed};
        return parse_source(&src, path, diags);
}
