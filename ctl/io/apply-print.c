/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "commands.h"
#include "strbuf.h"

static const char *state_name(enum app_state st) {
        return app_state_to_string(st);
}

static void json_str(struct strbuf *sb, const char *s) {
        strbuf_json_string(sb, s ? s : "", s ? strlen(s) : 0);
}

static void json_list(struct strbuf *sb, const char *key, char *const *v, size_t n) {
        strbuf_printf(sb, ",\"%s\":[", key);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_putc(sb, ',');
                json_str(sb, v[i]);
        }
        strbuf_putc(sb, ']');
}

static void emit(struct strbuf *sb) {
        if (!strbuf_failed(sb))
                printf("%s\n", strbuf_str(sb));
        fflush(stdout);
        strbuf_free(sb);
}

static void plan_json(const char *file, const char *installed, const struct plan *p) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "{\"event\":\"plan\",\"file\":");
        json_str(&sb, file);
        strbuf_puts(&sb, ",\"installed\":");
        json_str(&sb, installed);
        strbuf_printf(&sb, ",\"noop\":%s,\"network_stop\":%s,\"apps\":[", plan_is_noop(p) ? "true" : "false",
                      p->network_stop ? "true" : "false");
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *a = &p->apps[i];
                strbuf_puts(&sb, i > 0 ? ",{\"name\":" : "{\"name\":");
                json_str(&sb, a->name);
                strbuf_printf(&sb, ",\"action\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"", plan_action_to_string(a->action),
                              state_name(a->from), state_name(a->to));
                json_list(&sb, "stop", a->stop, a->n_stop);
                json_list(&sb, "restart", a->restart, a->n_restart);
                json_list(&sb, "start", a->start, a->n_start);
                strbuf_printf(&sb, ",\"wait\":%s}", a->wait ? "true" : "false");
        }
        strbuf_puts(&sb, "]}");
        emit(&sb);
}

static void text_units(const char *what, char *const *v, size_t n) {
        if (n == 0)
                return;
        printf("      %s:", what);
        for (size_t i = 0; i < n; i++)
                printf(" %s", v[i]);
        putchar('\n');
}

void print_plan(const struct apply_settings *s, const char *file, const struct plan *p) {
        if (s->json) {
                plan_json(file, s->manifest_path, p);
                return;
        }
        printf("plan: %s over the installed %s%s\n", file, s->manifest_path, plan_is_noop(p) ? ": nothing to do" : "");
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *a = &p->apps[i];
                printf("  %-24s %-9s (%s -> %s)\n", a->name, plan_action_to_string(a->action), state_name(a->from),
                       state_name(a->to));
                text_units("stop", a->stop, a->n_stop);
                text_units("restart", a->restart, a->n_restart);
                text_units("start", a->start, a->n_start);
        }
        if (p->network_stop)
                printf("  archipelago-network.service stops: no app is left\n");
        fflush(stdout);
}

void print_step(const struct apply_settings *s, enum apply_phase phase, const char *what) {
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_printf(&sb, "{\"event\":\"step\",\"phase\":\"%s\"", apply_phase_to_string(phase));
                if (what) {
                        strbuf_puts(&sb, ",\"detail\":");
                        json_str(&sb, what);
                }
                strbuf_putc(&sb, '}');
                emit(&sb);
                return;
        }
        printf("%s%s%s\n", apply_phase_to_string(phase), what ? ": " : "", what ? what : "");
        fflush(stdout);
}

static void app_json(const struct app_progress *a) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "{\"event\":\"app\",\"name\":");
        json_str(&sb, a->name);
        strbuf_puts(&sb, ",\"state\":");
        json_str(&sb, a->state);
        strbuf_puts(&sb, ",\"detail\":");
        json_str(&sb, a->detail);
        strbuf_putc(&sb, '}');
        emit(&sb);
}

static void app_line(const struct app_progress *a, bool tty) {
        printf("%s  %-24s %-8s %s\n", tty ? "\r\033[K" : "", a->name, a->state, a->detail);
}

/* Not on a terminal (and in JSON): a line per app when its state changed; on a terminal the
 * block of lines is redrawn in place. */
void print_progress(const struct apply_settings *s, struct app_progress *apps, size_t n, bool redraw, bool changed) {
        static const char *shown[256];
        if (!s->tty || s->json) {
                for (size_t i = 0; i < n; i++) {
                        bool again = i < 256 && shown[i] == apps[i].state;
                        if (again && redraw)
                                continue;
                        if (i < 256)
                                shown[i] = apps[i].state;
                        if (s->json)
                                app_json(&apps[i]);
                        else
                                app_line(&apps[i], false);
                }
                fflush(stdout);
                return;
        }
        if (redraw && n > 0)
                printf("\033[%zuA", n);
        for (size_t i = 0; i < n; i++)
                app_line(&apps[i], true);
        (void)changed;
        fflush(stdout);
}

void print_result(const struct apply_settings *s, int status, const struct app_progress *apps, size_t n) {
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_printf(&sb, "{\"event\":\"result\",\"converged\":%s,\"exit\":%d,\"not_converged\":[",
                              status == CTL_EXIT_OK ? "true" : "false", status);
                bool first = true;
                for (size_t i = 0; i < n; i++)
                        if (strcmp(apps[i].state, "timeout") == 0) {
                                strbuf_puts(&sb, first ? "{\"name\":" : ",{\"name\":");
                                json_str(&sb, apps[i].name);
                                strbuf_puts(&sb, ",\"detail\":");
                                json_str(&sb, apps[i].detail);
                                strbuf_putc(&sb, '}');
                                first = false;
                        }
                strbuf_puts(&sb, "]}");
                emit(&sb);
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (strcmp(apps[i].state, "timeout") == 0)
                        fprintf(stderr, "archyctl apply: %s did not get running and healthy in time: %s\n",
                                apps[i].name, apps[i].detail);
        printf("%s\n", status == CTL_EXIT_OK ? "done: converged" : "done: not converged");
        fflush(stdout);
}
