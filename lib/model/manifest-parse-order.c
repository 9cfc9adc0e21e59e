/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Order and readiness keys: a container's depends_on and restart, an app's requires. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "values.h"

static const char *const condition_names[] = {"started", "healthy", "completed", NULL};
static const char *const depends_on_keys[] = {"condition", NULL};
static const char *const requires_keys[] = {"app", "condition", NULL};

const char *dep_condition_to_string(enum dep_condition c) {
        return condition_names[c];
}

/* `max` is the last condition allowed here: completed for parts, healthy between apps. */
static bool parse_condition(const struct yctx *c, const yaml_node_t *n, const char *key, enum dep_condition max,
                            enum dep_condition *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        for (size_t i = 0; i <= (size_t)max; i++)
                if (strcmp(s, condition_names[i]) == 0) {
                        *ret = (enum dep_condition)i;
                        return true;
                }
        const char *compose = strncmp(s, "service_", 8) == 0 ? " (compose's service_* conditions drop the prefix)" : "";
        if (max == DEP_COMPLETED)
                yerror(c, n, "%s: expected one of started, healthy, completed%s, got \"%s\"", key, compose, s);
        else
                yerror(c, n, "%s: expected one of started, healthy%s, got \"%s\"", key, compose, s);
        return false;
}

static bool parse_part_name(const struct yctx *c, const yaml_node_t *n, const char *key, const char **ret) {
        const char *s = yexpect_text(c, n, key);
        if (s && !name_valid(s)) {
                yerror(c, n, "%s: expected a container name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", key, s);
                return false;
        }
        *ret = s;
        return s;
}

/* The short form, a list of part names (condition started). */
static bool parse_depends_on_list(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                struct part_dep *d = &ct->depends_on[ct->n_depends_on];
                if (!parse_part_name(c, item, k, &d->part)) {
                        ok = false;
                        continue;
                }
                d->pos = ypos(item);
                ct->n_depends_on++;
        }
        return ok;
}

/* The long form, PART: {condition: CONDITION}. */
static bool parse_depends_on_map(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        if (!ycheck_keys(c, n, key, NULL))
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                yaml_node_t *kn = ynode(c, pair->key), *v = ynode(c, pair->value);
                struct part_dep *d = &ct->depends_on[ct->n_depends_on];
                if (!parse_part_name(c, kn, key, &d->part)) {
                        ok = false;
                        continue;
                }
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, d->part);
                if (!yexpect_mapping(c, v, k) || !ycheck_keys(c, v, k, depends_on_keys)) {
                        ok = false;
                        continue;
                }
                yaml_node_t *cond = ylookup(c, v, "condition");
                if (!cond) {
                        yerror(c, v, "%s: missing required key \"condition\" (started, healthy or completed)", k);
                        ok = false;
                        continue;
                }
                ykeyf(k, sizeof(k), "%s.%s.condition", key, d->part);
                if (!parse_condition(c, cond, k, DEP_COMPLETED, &d->condition)) {
                        ok = false;
                        continue;
                }
                d->pos = ypos(kn);
                ct->n_depends_on++;
        }
        return ok;
}

bool parse_depends_on(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        size_t len;
        if (n->type == YAML_SEQUENCE_NODE)
                len = ysequence_len(n);
        else if (n->type == YAML_MAPPING_NODE)
                len = ymapping_len(n);
        else {
                yerror(c, n, "%s: expected a list of containers or a mapping CONTAINER: {condition: ...}, got %s", key,
                       ynode_kind(n));
                return false;
        }
        ct->depends_on = calloc(len + 1, sizeof(*ct->depends_on));
        if (!ct->depends_on)
                return false;
        return n->type == YAML_SEQUENCE_NODE ? parse_depends_on_list(c, n, key, ct)
                                             : parse_depends_on_map(c, n, key, ct);
}

/* restart: always (the default: Restart=always) or "no" (a one-shot part). */
bool parse_restart(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (strcmp(s, "always") == 0 || strcmp(s, "no") == 0) {
                ct->oneshot = strcmp(s, "no") == 0;
                return true;
        }
        bool compose = strcmp(s, "on-failure") == 0 || strcmp(s, "unless-stopped") == 0;
        yerror(c, n,
               "%s: expected \"always\" (the default: restarted whenever it stops) or \"no\" (a one-shot part that "
               "runs to completion), got \"%s\"%s",
               key, s, compose ? " (archy restarts every other part whenever it stops: leave restart out)" : "");
        return false;
}

/* One item of an app's requires: APP, or {app: APP, condition: started|healthy}. */
bool parse_requires_item(const struct yctx *c, const yaml_node_t *item, const char *k, const char **ret_app,
                         enum dep_condition *ret_condition) {
        *ret_condition = DEP_STARTED;
        const yaml_node_t *name = item;
        if (item->type == YAML_MAPPING_NODE) {
                if (!ycheck_keys(c, item, k, requires_keys))
                        return false;
                name = ylookup(c, item, "app");
                if (!name) {
                        yerror(c, item, "%s: missing required key \"app\" (the app this app requires)", k);
                        return false;
                }
                yaml_node_t *cond = ylookup(c, item, "condition");
                char ck[MANIFEST_KEY_MAX];
                ykeyf(ck, sizeof(ck), "%s.condition", k);
                if (cond && !parse_condition(c, cond, ck, DEP_HEALTHY, ret_condition))
                        return false;
        }
        const char *s = yexpect_text(c, name, k);
        if (s && !name_valid(s)) {
                yerror(c, name, "%s: expected an app name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", k, s);
                s = NULL;
        }
        *ret_app = s;
        return s;
}
