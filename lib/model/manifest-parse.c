/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static const char *const top_keys[] = {"version", "secrets", "apps", NULL};
static const char *const app_keys[] = {"state", "requires", "containers", "derived", NULL};
static const char *const state_names[] = {"started", "stopped", "uninstalled", NULL};

const char *app_state_to_string(enum app_state s) {
        return state_names[s];
}

const char *health_action_to_string(enum health_action a) {
        static const char *const names[] = {"none", "kill", "restart", "stop"};
        return names[a];
}

static bool parse_state(const struct yctx *c, const yaml_node_t *n, const char *key, enum app_state *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        for (size_t i = 0; state_names[i]; i++)
                if (strcmp(s, state_names[i]) == 0) {
                        *ret = (enum app_state)i;
                        return true;
                }
        yerror(c, n, "%s: expected one of started, stopped, uninstalled, got \"%s\"", key, s);
        return false;
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
                ykeyf(k, sizeof(k), "%s[%zu]", key, (size_t)(it - n->data.sequence.items.start));
                yaml_node_t *item = ynode(c, *it);
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
        a->containers = calloc(ymapping_len(n) + 1, sizeof(*a->containers));
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
        a->derived = calloc(ysequence_len(n) + 1, sizeof(*a->derived));
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
        m->apps = calloc(ymapping_len(n) + 1, sizeof(*m->apps));
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
        yaml_node_t *root = yaml_document_get_root_node(c->doc);
        if (!root) {
                diag_add(c->diags, NULL, 0, 0,
                         "the manifest is empty, expected a mapping with \"version\" and \"apps\"");
                return false;
        }
        if (!yexpect_mapping(c, root, "(top level)"))
                return false;
        bool ok = ycheck_keys(c, root, "(top level)", top_keys);
        ok = parse_version(c, root) && ok;
        yaml_node_t *secrets = ylookup(c, root, "secrets");
        if (secrets)
                ok = parse_secrets(c, secrets, m) && ok;
        yaml_node_t *apps = ylookup(c, root, "apps");
        if (apps && !(apps->type == YAML_SCALAR_NODE && apps->data.scalar.length == 0))
                ok = parse_apps(c, apps, m) && ok;
        return ok;
}

static bool load_document(const char *text, size_t len, struct manifest *m, struct diag_list *diags) {
        m->have_doc = yload_single(text, len, &m->doc, diags, "YAML syntax error",
                                   "expected a single YAML document, found a second one");
        return m->have_doc;
}

struct manifest *manifest_parse(const char *text, size_t len, const char *path, struct diag_list *diags) {
        _cleanup_manifest_ struct manifest *m = calloc(1, sizeof(*m));
        if (!m || !(m->path = strdup(path)))
                return NULL;
        diags->file = path;
        if (!load_document(text, len, m, diags))
                return NULL;
        struct yctx c = {.doc = &m->doc, .diags = diags};
        if (!parse_root(&c, m) || diag_has_global(diags))
                return NULL;
        if (manifest_index_apps(m) < 0) {
                diags->oom = true;
                return NULL;
        }
        manifest_validate(m, diags);
        return TAKE_PTR(m);
}
