/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plan-render.h"

#include <stdio.h>
#include <string.h>

#include "naming.h"

const char *plan_state_to_string(enum app_state s, bool present) {
        return present ? app_state_to_string(s) : "absent";
}

static const char *from_string(const struct plan_app *a) {
        return plan_state_to_string(a->from, a->in_old);
}

static const char *to_string(const struct plan_app *a) {
        return plan_state_to_string(a->to, a->in_new);
}

static bool app_changes(const struct plan_app *a) {
        return a->action != PLAN_UNCHANGED || a->n_stop > 0 || a->n_restart > 0 || a->n_start > 0;
}

/* ---- text ---- */

static void put_units(struct strbuf *out, const char *what, char *const *units, size_t n, bool *first) {
        if (n == 0)
                return;
        strbuf_printf(out, "%s%s:", *first ? "  " : "; ", what);
        for (size_t i = 0; i < n; i++)
                strbuf_printf(out, " %s", units[i]);
        *first = false;
}

static int from_to(const struct plan_app *a, char *buf, size_t size) {
        return snprintf(buf, size, "%s -> %s", from_string(a), to_string(a));
}

/* name  action     from -> to   stop: UNITS; restart: UNITS; start: UNITS */
static void put_app_line(struct strbuf *out, const struct plan_app *a, int name_width, int state_width) {
        char fromto[64];
        from_to(a, fromto, sizeof(fromto));
        bool first = true;
        strbuf_printf(out, "%-*s  %-9s  %-*s", name_width, a->name, plan_action_to_string(a->action), state_width,
                      fromto);
        put_units(out, "stop", a->stop, a->n_stop, &first);
        put_units(out, "restart", a->restart, a->n_restart, &first);
        put_units(out, "start", a->start, a->n_start, &first);
        /* no padding at the end of a line */
        while (out->len > 0 && out->data[out->len - 1] == ' ')
                out->data[--out->len] = '\0';
        strbuf_putc(out, '\n');
}

void plan_render_text(const struct plan *p, struct strbuf *out) {
        if (plan_is_noop(p)) {
                strbuf_puts(out, "nothing to do\n");
                return;
        }
        int name_width = 0, state_width = 0;
        size_t n_unchanged = 0;
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *a = &p->apps[i];
                if (!app_changes(a)) {
                        n_unchanged++;
                        continue;
                }
                char fromto[64];
                int len = (int)strlen(a->name), slen = from_to(a, fromto, sizeof(fromto));
                name_width = len > name_width ? len : name_width;
                state_width = slen > state_width ? slen : state_width;
        }
        for (size_t i = 0; i < p->n_apps; i++)
                if (app_changes(&p->apps[i]))
                        put_app_line(out, &p->apps[i], name_width, state_width);
        if (n_unchanged > 0) {
                strbuf_printf(out, "unchanged (%zu):", n_unchanged);
                for (size_t i = 0; i < p->n_apps; i++)
                        if (!app_changes(&p->apps[i]))
                                strbuf_printf(out, " %s", p->apps[i].name);
                strbuf_putc(out, '\n');
        }
        if (p->network_stop)
                strbuf_puts(out, "network: no app is left, " ARCHY_NETWORK_SERVICE " stops\n");
}

/* ---- JSON ---- */

static void json_str(struct strbuf *out, const char *s) {
        strbuf_json_string(out, s, strlen(s));
}

static void json_list(struct strbuf *out, const char *key, char *const *v, size_t n) {
        strbuf_printf(out, ",\"%s\":[", key);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_putc(out, ',');
                json_str(out, v[i]);
        }
        strbuf_putc(out, ']');
}

void plan_render_json_app(const struct plan_app *a, struct strbuf *out) {
        strbuf_puts(out, "{\"app\":");
        json_str(out, a->name);
        strbuf_puts(out, ",\"action\":");
        json_str(out, plan_action_to_string(a->action));
        strbuf_puts(out, ",\"from\":");
        json_str(out, from_string(a));
        strbuf_puts(out, ",\"to\":");
        json_str(out, to_string(a));
        json_list(out, "stop", a->stop, a->n_stop);
        json_list(out, "restart", a->restart, a->n_restart);
        json_list(out, "start", a->start, a->n_start);
        strbuf_printf(out, ",\"wait\":%s}", a->wait ? "true" : "false");
}

void plan_render_json(const struct plan *p, struct strbuf *out) {
        strbuf_puts(out, "{\"apps\":[");
        for (size_t i = 0; i < p->n_apps; i++) {
                if (i > 0)
                        strbuf_putc(out, ',');
                plan_render_json_app(&p->apps[i], out);
        }
        strbuf_printf(out, "],\"network_stop\":%s,\"noop\":%s}", p->network_stop ? "true" : "false",
                      plan_is_noop(p) ? "true" : "false");
}
