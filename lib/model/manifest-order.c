/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of order and readiness: depends_on within an app, requires' healthy between apps. */
#include "manifest-checks.h"

#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "naming.h"
#include "strbuf.h"
#include "suggest.h"

#define part_error(c, pos, ...) diag_add((c)->diags, (c)->app, (pos).line, (pos).col, __VA_ARGS__)

static const char *suggest_part(const struct app *a, const char *name) {
        _cleanup_free_ const char **names = calloc(a->n_containers + 1, sizeof(*names));
        if (!names)
                return NULL;
        for (size_t i = 0; i < a->n_containers; i++)
                names[i] = a->containers[i].part;
        return suggest_closest(name, names);
}

static bool check_dep(const struct yctx *c, const struct app *a, const struct container *ct, const struct part_dep *d) {
        const struct container *dep = app_find_container(a, d->part);
        if (!dep) {
                const char *hint = suggest_part(a, d->part);
                part_error(c, d->pos,
                           "apps.%s.containers.%s.depends_on: unknown container \"%s\"%s%s%s, expected a container "
                           "of app %s",
                           a->name, ct->part, d->part, hint ? " (did you mean \"" : "", hint ? hint : "",
                           hint ? "\"?)" : "", a->name);
                return false;
        }
        if (dep == ct) {
                part_error(c, d->pos,
                           "apps.%s.containers.%s.depends_on: container \"%s\" depends on itself, expected another "
                           "container of app %s",
                           a->name, ct->part, d->part, a->name);
                return false;
        }
        if (d->condition == DEP_HEALTHY && !dep->has_health) {
                part_error(c, d->pos,
                           "apps.%s.containers.%s.depends_on.%s.condition: healthy needs container \"%s\" to have a "
                           "health check (health.cmd)",
                           a->name, ct->part, d->part, d->part);
                return false;
        }
        if (d->condition == DEP_COMPLETED && !dep->oneshot) {
                part_error(c, d->pos,
                           "apps.%s.containers.%s.depends_on.%s.condition: completed needs container \"%s\" to be a "
                           "one-shot part (restart: \"no\")",
                           a->name, ct->part, d->part, d->part);
                return false;
        }
        return true;
}

enum { WHITE, GREY, BLACK };

/* Depth-first over depends_on; a GREY part reached again closes a cycle, spelled out from `stack`. */
static bool part_cycle(const struct yctx *c, const struct app *a, size_t i, unsigned char *color, size_t *stack,
                       size_t depth) {
        const struct container *ct = &a->containers[i];
        color[i] = GREY;
        stack[depth] = i;
        for (size_t d = 0; d < ct->n_depends_on; d++) {
                size_t j = (size_t)(app_find_container(a, ct->depends_on[d].part) - a->containers);
                if (color[j] == GREY) {
                        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
                        size_t start = depth;
                        while (stack[start] != j)
                                start--;
                        for (size_t s = start; s <= depth; s++)
                                strbuf_printf(&path, "%s -> ", a->containers[stack[s]].part);
                        strbuf_puts(&path, a->containers[j].part);
                        const struct container *first = &a->containers[j];
                        part_error(c, first->pos,
                                   "apps.%s.containers.%s.depends_on: dependency cycle %s, expected containers to "
                                   "depend on each other in one direction only",
                                   a->name, first->part, strbuf_str(&path));
                        return true;
                }
                if (color[j] == WHITE && part_cycle(c, a, j, color, stack, depth + 1))
                        return true;
        }
        color[i] = BLACK;
        return false;
}

static bool check_oneshot(const struct yctx *c, const struct app *a, const struct container *ct) {
        if (!ct->oneshot || !ct->has_health)
                return true;
        part_error(c, ct->pos,
                   "apps.%s.containers.%s.restart: a one-shot part (restart: \"no\") cannot have a health check, "
                   "expected one of the two",
                   a->name, ct->part);
        return false;
}

bool check_part_order(const struct yctx *c, struct app *a) {
        bool ok = true;
        for (size_t i = 0; i < a->n_containers; i++) {
                const struct container *ct = &a->containers[i];
                ok = check_oneshot(c, a, ct) && ok;
                for (size_t d = 0; d < ct->n_depends_on; d++)
                        ok = check_dep(c, a, ct, &ct->depends_on[d]) && ok;
        }
        if (!ok)
                return false;
        _cleanup_free_ unsigned char *color = calloc(a->n_containers + 1, 1);
        _cleanup_free_ size_t *stack = calloc(a->n_containers + 1, sizeof(*stack));
        if (!color || !stack)
                return false;
        for (size_t i = 0; i < a->n_containers; i++)
                if (color[i] == WHITE && part_cycle(c, a, i, color, stack, 0))
                        return false;
        for (size_t i = 0; i < a->n_containers; i++)
                for (size_t d = 0; d < a->containers[i].n_depends_on; d++)
                        if (a->containers[i].depends_on[d].condition == DEP_HEALTHY)
                                ((struct container *)app_find_container(a, a->containers[i].depends_on[d].part))
                                        ->notify_healthy = true;
        return true;
}

static struct container *main_container(struct app *a) {
        return (struct container *)app_find_container(a, ARCHY_MAIN_PART);
}

void manifest_check_requires_health(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (a->skip || a->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t r = 0; r < a->n_requires; r++) {
                        if (a->requires_condition[r] != DEP_HEALTHY)
                                continue;
                        struct app *dep = (struct app *)manifest_find_app(m, a->requires[r]);
                        struct container *main = dep && !dep->skip ? main_container(dep) : NULL;
                        if (!main)
                                continue; /* an unknown or broken app is reported already */
                        if (main->has_health) {
                                main->notify_healthy = true;
                                continue;
                        }
                        diag_add(diags, a->name, a->requires_pos[r].line, a->requires_pos[r].col,
                                 "apps.%s.requires[%zu].condition: healthy needs app \"%s\" to have a health check on "
                                 "its container main (health.cmd)",
                                 a->name, r, dep->name);
                        a->skip = true;
                }
        }
}
