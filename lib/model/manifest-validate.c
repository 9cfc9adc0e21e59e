/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-ref.h"
#include "manifest-checks.h"
#include "strbuf.h"
#include "suggest.h"

static bool app_has_units(const struct app *a) {
        return a->state != APP_STATE_UNINSTALLED;
}

#define app_error(diags, a, pos, ...)                                                                                  \
        do {                                                                                                           \
                diag_add((diags), (a)->name, (pos).line, (pos).col, __VA_ARGS__);                                      \
                (a)->skip = true;                                                                                      \
        } while (0)

static const char *suggest_app(const struct manifest *m, const char *name) {
        _cleanup_free_ const char **names = calloc(m->n_apps + 1, sizeof(*names));
        if (!names)
                return NULL;
        for (size_t i = 0; i < m->n_apps; i++)
                names[i] = m->apps[i].name;
        return suggest_closest(name, names);
}

static void check_requires(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (!app_has_units(a))
                        continue;
                for (size_t r = 0; r < a->n_requires; r++) {
                        const struct app *dep = manifest_find_app(m, a->requires[r]);
                        if (!dep) {
                                const char *hint = suggest_app(m, a->requires[r]);
                                app_error(diags, a, a->requires_pos[r],
                                          "apps.%s.requires: unknown app \"%s\"%s%s%s, expected an app defined under "
                                          "apps",
                                          a->name, a->requires[r], hint ? " (did you mean \"" : "", hint ? hint : "",
                                          hint ? "\"?)" : "");
                        } else if (dep->state == APP_STATE_UNINSTALLED)
                                app_error(diags, a, a->requires_pos[r],
                                          "apps.%s.requires: app \"%s\" is uninstalled; install it or drop the "
                                          "requirement",
                                          a->name, a->requires[r]);
                        else if (a->state == APP_STATE_STARTED && dep->state == APP_STATE_STOPPED)
                                app_error(diags, a, a->requires_pos[r],
                                          "apps.%s.requires: app \"%s\" is stopped, but this app is started: start "
                                          "it or stop this app too",
                                          a->name, a->requires[r]);
                }
        }
}

enum { WHITE, GREY, BLACK };

/* Depth-first search; a GREY node reached again closes a cycle, which `stack` spells out. */
static bool find_cycle(struct manifest *m, size_t i, unsigned char *color, size_t *stack, size_t depth,
                       struct diag_list *diags) {
        struct app *a = &m->apps[i];
        color[i] = GREY;
        stack[depth] = i;
        for (size_t r = 0; r < a->n_requires; r++) {
                const struct app *dep = manifest_find_app(m, a->requires[r]);
                if (!dep || !app_has_units(dep))
                        continue;
                size_t j = (size_t)(dep - m->apps);
                if (color[j] == GREY) {
                        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
                        size_t start = depth;
                        while (stack[start] != j)
                                start--;
                        for (size_t s = start; s <= depth; s++) {
                                strbuf_printf(&path, "%s -> ", m->apps[stack[s]].name);
                                m->apps[stack[s]].skip = true;
                        }
                        strbuf_puts(&path, dep->name);
                        for (size_t s = start; s <= depth; s++) {
                                struct app *c = &m->apps[stack[s]];
                                diag_add(diags, c->name, c->pos.line, c->pos.col,
                                         "apps.%s.requires: dependency cycle %s, expected apps to require each "
                                         "other in one direction only",
                                         c->name, strbuf_str(&path));
                        }
                        color[i] = BLACK;
                        return true;
                }
                if (color[j] == WHITE && find_cycle(m, j, color, stack, depth + 1, diags))
                        break;
        }
        color[i] = BLACK;
        return false;
}

static void check_cycles(struct manifest *m, struct diag_list *diags) {
        _cleanup_free_ unsigned char *color = calloc(m->n_apps + 1, 1);
        _cleanup_free_ size_t *stack = calloc(m->n_apps + 1, sizeof(*stack));
        if (!color || !stack) {
                diags->oom = true;
                return;
        }
        for (size_t i = 0; i < m->n_apps; i++)
                if (color[i] == WHITE && app_has_units(&m->apps[i]))
                        find_cycle(m, i, color, stack, 0, diags);
}

/* An app that requires a skipped app is skipped too: its units would name a missing unit. */
static void propagate_skips(struct manifest *m, struct diag_list *diags) {
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < m->n_apps; i++) {
                        struct app *a = &m->apps[i];
                        if (a->skip || !app_has_units(a))
                                continue;
                        for (size_t r = 0; r < a->n_requires; r++) {
                                const struct app *dep = manifest_find_app(m, a->requires[r]);
                                if (dep && dep->skip) {
                                        app_error(diags, a, a->requires_pos[r],
                                                  "apps.%s.requires: app \"%s\" has errors, so this app is "
                                                  "skipped too",
                                                  a->name, dep->name);
                                        changed = true;
                                        break;
                                }
                        }
                }
        }
}

void manifest_validate(struct manifest *m, struct diag_list *diags) {
        check_requires(m, diags);
        check_cycles(m, diags);
        manifest_check_requires_health(m, diags);
        manifest_check_conflicts(m, diags);
        manifest_check_aliases(m, diags);
        manifest_check_nginx_ports(m, diags);
        manifest_check_line_limits(m, diags);
        manifest_check_derived_paths(m, diags);
        manifest_check_app_refs(m, diags);
        manifest_check_volumes(m, diags);
        manifest_check_rootless(m, diags);
        propagate_skips(m, diags);
}
