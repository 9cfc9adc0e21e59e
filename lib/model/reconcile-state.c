/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "reconcile-state.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "json-doc.h"
#include "strbuf.h"

struct reconcile_app_state *reconcile_state_find(const struct reconcile_state *s, const char *app) {
        for (size_t i = 0; i < s->n_apps; i++)
                if (strcmp(s->apps[i].app, app) == 0)
                        return &s->apps[i];
        return NULL;
}

struct reconcile_app_state *reconcile_state_get(struct reconcile_state *s, const char *app) {
        struct reconcile_app_state *e = reconcile_state_find(s, app);
        if (e)
                return e;
        char *name = strdup(app);
        struct reconcile_app_state *n = name ? realloc(s->apps, (s->n_apps + 1) * sizeof(*n)) : NULL;
        if (!n) {
                free(name);
                return NULL;
        }
        s->apps = n;
        e = &s->apps[s->n_apps++];
        *e = (struct reconcile_app_state){.app = name};
        return e;
}

static void app_state_done(struct reconcile_app_state *e) {
        free(e->app);
        free(e->last_reason);
}

void reconcile_state_remove(struct reconcile_state *s, size_t i) {
        app_state_done(&s->apps[i]);
        memmove(&s->apps[i], &s->apps[i + 1], (s->n_apps - i - 1) * sizeof(s->apps[0]));
        s->n_apps--;
}

void reconcile_state_done(struct reconcile_state *s) {
        for (size_t i = 0; i < s->n_apps; i++)
                app_state_done(&s->apps[i]);
        free(s->apps);
        *s = (struct reconcile_state){0};
}

int reconcile_state_copy(const struct reconcile_state *src, struct reconcile_state *dst) {
        *dst = (struct reconcile_state){.last_full_scan = src->last_full_scan};
        for (size_t i = 0; i < src->n_apps; i++) {
                const struct reconcile_app_state *a = &src->apps[i];
                struct reconcile_app_state *e = reconcile_state_get(dst, a->app);
                if (!e)
                        return -ENOMEM;
                char *name = e->app;
                *e = *a;
                e->app = name;
                e->last_reason = a->last_reason ? strdup(a->last_reason) : NULL;
                if (a->last_reason && !e->last_reason)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- the file ----------------------------------------------------------------------------- */

static bool time_member(yaml_document_t *doc, yaml_node_t *map, const char *key, long long *ret) {
        unsigned long long v;
        if (!json_unsigned_member(doc, map, key, LLONG_MAX, &v))
                return false;
        *ret = (long long)v;
        return true;
}

static bool count_member(yaml_document_t *doc, yaml_node_t *map, const char *key, unsigned *ret) {
        unsigned long long v;
        if (!json_unsigned_member(doc, map, key, UINT_MAX, &v))
                return false;
        *ret = (unsigned)v;
        return true;
}

static int parse_app(struct reconcile_state *s, yaml_document_t *doc, yaml_node_t *n, const char **error) {
        const char *app = json_string_member(doc, n, "app");
        if (!app || !*app)
                return *error = "an entry of \"apps\" has no \"app\" string", -EINVAL;
        if (reconcile_state_find(s, app))
                return *error = "an app is listed twice", -EINVAL;
        struct reconcile_app_state v = {0};
        if (!count_member(doc, n, "restarts", &v.restarts) || !count_member(doc, n, "streak", &v.streak) ||
            !time_member(doc, n, "last_restart_unix", &v.last_restart) ||
            !time_member(doc, n, "next_retry_unix", &v.next_retry) ||
            !time_member(doc, n, "healthy_since_unix", &v.healthy_since))
                return *error = "an app entry lacks a number: restarts, streak, last_restart_unix, "
                                "next_retry_unix or healthy_since_unix",
                       -EINVAL;
        const char *reason = json_string_member(doc, n, "last_reason");
        struct reconcile_app_state *e = reconcile_state_get(s, app);
        if (!e)
                return -ENOMEM;
        v.app = e->app;
        v.last_reason = reason ? strdup(reason) : NULL;
        *e = v;
        return reason && !v.last_reason ? -ENOMEM : 0;
}

static int parse_doc(struct reconcile_state *s, yaml_document_t *doc, const char **error) {
        yaml_node_t *root = yaml_document_get_root_node(doc);
        if (!root || root->type != YAML_MAPPING_NODE)
                return *error = "not a JSON object", -EINVAL;
        if (!time_member(doc, root, "last_full_scan_unix", &s->last_full_scan))
                return *error = "no number \"last_full_scan_unix\"", -EINVAL;
        yaml_node_t *apps = json_member(doc, root, "apps");
        if (!apps || apps->type != YAML_SEQUENCE_NODE)
                return *error = "no array \"apps\"", -EINVAL;
        for (yaml_node_item_t *i = apps->data.sequence.items.start; i < apps->data.sequence.items.top; i++) {
                yaml_node_t *n = yaml_document_get_node(doc, *i);
                if (!n || n->type != YAML_MAPPING_NODE)
                        return *error = "an entry of \"apps\" is not an object", -EINVAL;
                int r = parse_app(s, doc, n, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int reconcile_state_parse(const char *text, size_t len, struct reconcile_state *ret, const char **error) {
        const char *why = NULL;
        *ret = (struct reconcile_state){0};
        yaml_document_t doc;
        int r = json_doc_load(text, len, &doc);
        if (r == -EINVAL)
                why = "not JSON";
        if (r == 0) {
                r = parse_doc(ret, &doc, &why);
                yaml_document_delete(&doc);
        }
        if (error)
                *error = why;
        return r;
}

char *reconcile_state_render(const struct reconcile_state *s) {
        struct strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "{\"last_full_scan_unix\": %lld, \"apps\": [", s->last_full_scan);
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct reconcile_app_state *e = &s->apps[i];
                strbuf_puts(&b, i ? ",\n  {\"app\": " : "\n  {\"app\": ");
                strbuf_json_string(&b, e->app, strlen(e->app));
                strbuf_printf(&b,
                              ", \"restarts\": %u, \"streak\": %u, \"last_restart_unix\": %lld, "
                              "\"next_retry_unix\": %lld, \"healthy_since_unix\": %lld, \"last_reason\": ",
                              e->restarts, e->streak, e->last_restart, e->next_retry, e->healthy_since);
                if (e->last_reason)
                        strbuf_json_string(&b, e->last_reason, strlen(e->last_reason));
                else
                        strbuf_puts(&b, "null");
                strbuf_putc(&b, '}');
        }
        strbuf_puts(&b, s->n_apps ? "\n]}\n" : "]}\n");
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}
