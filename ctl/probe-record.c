/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-doc.h"
#include "macro.h"
#include "strbuf.h"
#include "url.h"
#include "values-probe.h"
#include "values.h"

#define FORMAT_KEY "archy_probes"
/* checked_at before the year 10000 */
#define CHECKED_AT_MAX 253402300799ULL
#define DURATION_MS_MAX 3600000ULL

static void jstr(struct strbuf *b, const char *key, const char *v) {
        strbuf_printf(b, "\"%s\": ", key);
        strbuf_json_string(b, v, strlen(v));
}

char *probe_record_render(const struct probe_record *r) {
        struct strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "{\"" FORMAT_KEY "\": 1, \"probes\": [");
        for (size_t i = 0; i < r->n; i++) {
                const struct probe_outcome *o = &r->items[i];
                strbuf_puts(&b, i ? ",\n  {" : "\n  {");
                jstr(&b, "app", o->app);
                strbuf_puts(&b, ", ");
                jstr(&b, "name", o->name);
                strbuf_printf(&b, ", \"kind\": \"%s\", ", probe_kind_to_string(o->kind));
                jstr(&b, "target", o->target);
                strbuf_printf(&b, ", \"ok\": %s, \"duration_ms\": %u, \"checked_at\": %lld, ", o->ok ? "true" : "false",
                              o->duration_ms, o->checked_at);
                jstr(&b, "detail", o->detail ? o->detail : "");
                strbuf_putc(&b, '}');
        }
        strbuf_puts(&b, r->n ? "\n]}\n" : "]}\n");
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}

struct probe_outcome *probe_record_add(struct probe_record *r, const struct probe_outcome *o) {
        struct probe_outcome *items = reallocarray(r->items, r->n + 1, sizeof(*items));
        if (!items)
                return NULL;
        r->items = items;
        struct probe_outcome *n = &items[r->n++];
        *n = *o;
        n->app = strdup(o->app);
        n->name = strdup(o->name);
        n->target = strdup(o->target);
        n->detail = strdup(o->detail ? o->detail : "");
        return n->app && n->name && n->target && n->detail ? n : NULL;
}

const struct probe_outcome *probe_record_find(const struct probe_record *r, const char *app, const char *name) {
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->items[i].app, app) == 0 && strcmp(r->items[i].name, name) == 0)
                        return &r->items[i];
        return NULL;
}

void probe_record_done(struct probe_record *r) {
        for (size_t i = 0; i < r->n; i++) {
                free(r->items[i].app);
                free(r->items[i].name);
                free(r->items[i].target);
                free(r->items[i].detail);
        }
        free(r->items);
        *r = (struct probe_record){0};
}

/* ---- parsing ---- */

_printf_(2, 3) static int fail(char **ret_error, const char *fmt, ...) {
        if (!ret_error)
                return -EINVAL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        if (k < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

static bool text_ok(const char *s, size_t max) {
        return s && strlen(s) <= max && text_valid(s, strlen(s));
}

static int parse_bool(yaml_document_t *doc, yaml_node_t *map, const char *key, bool *ret) {
        yaml_node_t *v = json_member(doc, map, key);
        if (!v || v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return -EINVAL;
        const char *s = (const char *)v->data.scalar.value;
        if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
                return -EINVAL;
        *ret = s[0] == 't';
        return 0;
}

static int parse_kind(const char *s, const char *target, enum probe_kind *ret) {
        char host[PROBE_HOST_MAX];
        unsigned port;
        if (s && strcmp(s, "tcp") == 0 && probe_tcp_target_parse(target, host, &port) == 0)
                *ret = PROBE_TCP;
        else if (s && strcmp(s, "http") == 0 && probe_url_valid(target))
                *ret = PROBE_HTTP;
        else
                return -EINVAL;
        return 0;
}

/* One result; *why names what is wrong. */
static int parse_item(yaml_document_t *doc, yaml_node_t *n, struct probe_record *r, const char **why) {
        struct probe_outcome o = {0};
        unsigned long long duration, at;
        const char *app = json_string_member(doc, n, "app"), *name = json_string_member(doc, n, "name"),
                   *kind = json_string_member(doc, n, "kind"), *target = json_string_member(doc, n, "target");
        o.detail = (char *)json_string_member(doc, n, "detail");
        if (!app || !name_valid(app) || !name || !probe_name_valid(name))
                return *why = "app or name missing or not a name", -EINVAL;
        if (!text_ok(target, URL_MAX) || parse_kind(kind, target, &o.kind) < 0)
                return *why = "kind not tcp or http, or a target that is not one of its kind", -EINVAL;
        if (parse_bool(doc, n, "ok", &o.ok) < 0)
                return *why = "ok not true or false", -EINVAL;
        if (!json_unsigned_member(doc, n, "duration_ms", DURATION_MS_MAX, &duration) ||
            !json_unsigned_member(doc, n, "checked_at", CHECKED_AT_MAX, &at))
                return *why = "duration_ms or checked_at missing or out of range", -EINVAL;
        if (!text_ok(o.detail, PROBE_DETAIL_MAX))
                return *why = "detail missing, too long or with control characters", -EINVAL;
        if (probe_record_find(r, app, name))
                return *why = "a probe recorded twice", -EINVAL;
        o.app = (char *)app;
        o.name = (char *)name;
        o.target = (char *)target;
        o.duration_ms = (unsigned)duration;
        o.checked_at = (long long)at;
        return probe_record_add(r, &o) ? 0 : -ENOMEM;
}

static int parse_doc(yaml_document_t *doc, struct probe_record *ret, char **ret_error) {
        unsigned long long format;
        if (!json_unsigned_member(doc, NULL, FORMAT_KEY, 1, &format) || format != 1)
                return fail(ret_error, "not a probe record (no \"" FORMAT_KEY "\": 1)");
        yaml_node_t *list = json_member(doc, NULL, "probes");
        if (!list || list->type != YAML_SEQUENCE_NODE)
                return fail(ret_error, "\"probes\" is not a list");
        size_t i = 0;
        for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, i++) {
                yaml_node_t *n = yaml_document_get_node(doc, *it);
                const char *why = "not an object";
                if (i >= PROBES_RECORD_MAX)
                        return fail(ret_error, "more than %d results", PROBES_RECORD_MAX);
                int k = n && n->type == YAML_MAPPING_NODE ? parse_item(doc, n, ret, &why) : -EINVAL;
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        return fail(ret_error, "result %zu: %s", i + 1, why);
        }
        return 0;
}

int probe_record_parse(const char *text, size_t len, struct probe_record *ret, char **ret_error) {
        *ret = (struct probe_record){0};
        if (ret_error)
                *ret_error = NULL;
        yaml_document_t doc;
        int k = json_doc_load(text, len, &doc);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return fail(ret_error, "not JSON");
        k = parse_doc(&doc, ret, ret_error);
        yaml_document_delete(&doc);
        if (k < 0)
                probe_record_done(ret);
        return k;
}

/* ---- archyctl probe's report ---- */

char *probe_report_text(const struct probe_record *r) {
        struct strbuf b = STRBUF_INIT;
        if (r->n == 0)
                strbuf_puts(&b, "no probes to run: no app desired started declares any (archy-manifest(5), probes)\n");
        for (size_t i = 0; i < r->n; i++) {
                const struct probe_outcome *o = &r->items[i];
                char who[2 * ARCHY_NAME_MAX + 2];
                snprintf(who, sizeof(who), "%s/%s", o->app, o->name);
                strbuf_printf(&b, "%-28s %-4s %5u ms  %s  (%s %s)\n", who, o->ok ? "ok" : "FAIL", o->duration_ms,
                              o->detail, probe_kind_to_string(o->kind), o->target);
        }
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}

char *probe_report_json(const struct probe_record *r) {
        struct strbuf b = STRBUF_INIT;
        bool all = true;
        for (size_t i = 0; i < r->n; i++)
                all = all && r->items[i].ok;
        strbuf_printf(&b, "{\"ok\": %s, \"probes\": [", all ? "true" : "false");
        for (size_t i = 0; i < r->n; i++) {
                const struct probe_outcome *o = &r->items[i];
                strbuf_puts(&b, i ? ",\n  {" : "\n  {");
                jstr(&b, "app", o->app);
                strbuf_puts(&b, ", ");
                jstr(&b, "name", o->name);
                strbuf_printf(&b, ", \"kind\": \"%s\", ", probe_kind_to_string(o->kind));
                jstr(&b, "target", o->target);
                strbuf_printf(&b, ", \"ok\": %s, ", o->ok ? "true" : "false");
                jstr(&b, "detail", o->detail);
                strbuf_printf(&b, ", \"duration_ms\": %u, \"checked_at\": %lld}", o->duration_ms, o->checked_at);
        }
        strbuf_puts(&b, r->n ? "\n]}\n" : "]}\n");
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}
