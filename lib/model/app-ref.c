/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Wiring between apps: ${app:...} references resolved from the referenced app's manifest entry,
 * the way Umbrel's exports.sh (APP_BITCOIN_NODE_IP, APP_BITCOIN_RPC_PORT) and StartOS's
 * dependency interfaces hand an app its dependency's address, but by name and checked. */
#include "app-ref.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naming.h"
#include "suggest.h"
#include "values.h"

#define REF_PREFIX "${app:"
#define REF_PREFIX_LEN (sizeof(REF_PREFIX) - 1)
#define REF_TOKENS 4

struct ref {
        char app[ARCHY_NAME_MAX + 1], part[ARCHY_NAME_MAX + 1], port[ARCHY_NAME_MAX + 1];
        bool is_port;
};

/* Splits "a.b.c" (len bytes) into at most REF_TOKENS valid names. */
static size_t ref_tokens(const char *s, size_t len, char tok[REF_TOKENS][ARCHY_NAME_MAX + 1]) {
        size_t n = 0;
        for (size_t i = 0; i <= len; n++) {
                size_t k = 0;
                while (i + k < len && s[i + k] != '.')
                        k++;
                if (n == REF_TOKENS || k == 0 || k > ARCHY_NAME_MAX)
                        return 0;
                memcpy(tok[n], s + i, k);
                tok[n][k] = 0;
                if (!name_valid(tok[n]))
                        return 0;
                i += k + 1;
        }
        return n;
}

/* The reference at s, len bytes from "${app:" to "}" included. */
static bool ref_parse(const char *s, size_t len, struct ref *r) {
        char tok[REF_TOKENS][ARCHY_NAME_MAX + 1];
        *r = (struct ref){0};
        if (len < REF_PREFIX_LEN + 1 || strncmp(s, REF_PREFIX, REF_PREFIX_LEN) != 0 || s[len - 1] != '}')
                return false;
        size_t n = ref_tokens(s + REF_PREFIX_LEN, len - REF_PREFIX_LEN - 1, tok);
        if (n < 2)
                return false;
        memcpy(r->app, tok[0], sizeof(r->app));
        snprintf(r->part, sizeof(r->part), "%s", ARCHY_MAIN_PART);
        /* APP.host, APP.ports.NAME, APP.PART.host, APP.PART.ports.NAME */
        size_t rest = 1;
        if ((n == 3 && strcmp(tok[1], "ports") != 0) || n == 4)
                memcpy(r->part, tok[rest++], sizeof(r->part));
        if (n - rest == 1 && strcmp(tok[rest], "host") == 0)
                return true;
        if (n - rest == 2 && strcmp(tok[rest], "ports") == 0) {
                memcpy(r->port, tok[rest + 1], sizeof(r->port));
                return (r->is_port = true);
        }
        return false;
}

static const struct exposed_port *find_port(const struct container *ct, const char *name) {
        for (size_t i = 0; i < ct->n_expose; i++)
                if (strcmp(ct->expose[i].name, name) == 0)
                        return &ct->expose[i];
        return NULL;
}

/* The app the reference names, or NULL with *problem saying why. */
static const struct app *ref_app(const struct manifest *m, const struct app *a, const struct ref *r,
                                 enum app_ref_problem *problem) {
        const struct app *o = strcmp(r->app, a->name) == 0 ? a : manifest_find_app(m, r->app);
        *problem = !o                                        ? APP_REF_UNKNOWN_APP
                   : o->state == APP_STATE_UNINSTALLED       ? APP_REF_UNINSTALLED
                   : o != a && !app_requires_app(a, o->name) ? APP_REF_NOT_REQUIRED
                                                             : APP_REF_OK;
        return *problem == APP_REF_OK ? o : NULL;
}

static enum app_ref_problem ref_resolve(const struct manifest *m, const struct app *a, const struct ref *r,
                                        struct strbuf *out) {
        enum app_ref_problem problem;
        const struct app *o = ref_app(m, a, r, &problem);
        if (!o)
                return problem;
        const struct container *ct = app_find_container(o, r->part);
        if (!ct)
                return APP_REF_UNKNOWN_PART;
        if (!r->is_port) {
                naming_put_unit(out, o->name, ct->part);
                return APP_REF_OK;
        }
        const struct exposed_port *p = find_port(ct, r->port);
        if (!p)
                return APP_REF_UNKNOWN_PORT;
        strbuf_printf(out, "%u", p->port);
        return APP_REF_OK;
}

int app_refs_expand(const struct manifest *m, const struct app *a, const char *text, bool dollar_escape,
                    struct strbuf *out, struct app_ref_error *err) {
        *err = (struct app_ref_error){0};
        for (size_t i = 0; text[i];) {
                const char *p = text + i;
                if (dollar_escape && p[0] == '$' && p[1] == '$') {
                        strbuf_add(out, p, 2);
                        i += 2;
                        continue;
                }
                if (strncmp(p, REF_PREFIX, REF_PREFIX_LEN) != 0) {
                        size_t n = 1 + strcspn(p + 1, "$");
                        strbuf_add(out, p, n);
                        i += n;
                        continue;
                }
                const char *end = strchr(p, '}');
                size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
                struct ref r;
                *err = (struct app_ref_error){APP_REF_SYNTAX, i, len};
                if (!ref_parse(p, len, &r))
                        return -EINVAL;
                if ((err->problem = ref_resolve(m, a, &r, out)) != APP_REF_OK)
                        return -EINVAL;
                i += len;
        }
        *err = (struct app_ref_error){0};
        return strbuf_failed(out) ? -ENOMEM : 0;
}

/* ", "-separated names for a message. */
static void put_part_names(struct strbuf *out, const struct app *o) {
        for (size_t i = 0; i < o->n_containers; i++)
                strbuf_printf(out, "%s%s", i ? ", " : "", o->containers[i].part);
}

static void put_port_names(struct strbuf *out, const struct container *ct) {
        for (size_t i = 0; i < ct->n_expose; i++)
                strbuf_printf(out, "%s%s", i ? ", " : "", ct->expose[i].name);
}

static void message_unknown_app(const struct manifest *m, const struct ref *r, struct strbuf *out) {
        _cleanup_free_ const char **names = calloc(m->n_apps + 1, sizeof(*names));
        for (size_t i = 0; names && i < m->n_apps; i++)
                names[i] = m->apps[i].name;
        const char *hint = names ? suggest_closest(r->app, names) : NULL;
        strbuf_printf(out, "unknown app \"%s\"%s%s%s, expected an app defined under apps", r->app,
                      hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
}

static void message_missing(const struct manifest *m, const struct app *a, const struct ref *r,
                            enum app_ref_problem problem, struct strbuf *out) {
        const struct app *o = strcmp(r->app, a->name) == 0 ? a : manifest_find_app(m, r->app);
        const struct container *ct = o ? app_find_container(o, r->part) : NULL;
        switch (problem) {
        case APP_REF_UNKNOWN_APP: message_unknown_app(m, r, out); break;
        case APP_REF_UNINSTALLED:
                strbuf_printf(out,
                              "app \"%s\" is uninstalled, expected an installed app (it has a host and ports only "
                              "while installed)",
                              r->app);
                break;
        case APP_REF_NOT_REQUIRED:
                strbuf_printf(out,
                              "app %s does not require app \"%s\", expected it in apps.%s.requires (add %s there: "
                              "archy then starts it first and checks that it stays installed)",
                              a->name, r->app, a->name, r->app);
                break;
        case APP_REF_UNKNOWN_PART:
                strbuf_printf(out, "app %s has no container \"%s\", expected one of ", r->app, r->part);
                put_part_names(out, o);
                break;
        case APP_REF_UNKNOWN_PORT:
                strbuf_printf(out, "container %s of app %s exposes no port \"%s\", ", r->part, r->app, r->port);
                if (ct && ct->n_expose > 0) {
                        strbuf_puts(out, "expected one of ");
                        put_port_names(out, ct);
                } else
                        strbuf_printf(
                                out,
                                "expected a port its expose names (add expose: {%s: PORT} to apps.%s.containers.%s)",
                                r->port, r->app, r->part);
                break;
        default: break;
        }
}

void app_ref_error_message(const struct manifest *m, const struct app *a, const char *text,
                           const struct app_ref_error *err, struct strbuf *out) {
        char shown[128];
        struct ref r;
        value_for_message(text + err->at, err->len, shown, sizeof(shown));
        if (err->problem == APP_REF_SYNTAX || !ref_parse(text + err->at, err->len, &r)) {
                strbuf_printf(out,
                              "expected ${app:APP.host}, ${app:APP.PART.host}, ${app:APP.ports.NAME} or "
                              "${app:APP.PART.ports.NAME} with names matching [a-z][a-z0-9-]{0,47}, got \"%s\"",
                              shown);
                return;
        }
        strbuf_printf(out, "%s: ", shown);
        message_missing(m, a, &r, err->problem, out);
}

static void check_text(struct manifest *m, struct app *a, const char *text, bool dollar_escape, struct mpos pos,
                       const char *key, struct diag_list *diags) {
        if (!strstr(text, REF_PREFIX))
                return;
        _cleanup_strbuf_ struct strbuf scratch = STRBUF_INIT;
        struct app_ref_error err;
        int r = app_refs_expand(m, a, text, dollar_escape, &scratch, &err);
        if (r == -ENOMEM)
                diags->oom = true;
        if (r != -EINVAL)
                return;
        _cleanup_strbuf_ struct strbuf msg = STRBUF_INIT;
        app_ref_error_message(m, a, text, &err, &msg);
        diag_add(diags, a->name, pos.line, pos.col, "%s: %s", key, strbuf_str(&msg));
        a->skip = true;
}

static void check_app(struct manifest *m, struct app *a, struct diag_list *diags) {
        char key[512];
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                for (size_t e = 0; e < ct->n_env; e++) {
                        snprintf(key, sizeof(key), "apps.%s.containers.%s.env.%s", a->name, ct->part, ct->env[e].name);
                        check_text(m, a, ct->env[e].value, false, ct->env[e].pos, key, diags);
                }
        }
        for (size_t d = 0; d < a->n_derived; d++) {
                const struct derived *dv = &a->derived[d];
                for (size_t v = 0; dv->kind == DERIVED_ENV && v < dv->env.n_vars; v++) {
                        snprintf(key, sizeof(key), "apps.%s.derived[%zu].vars.%s", a->name, d, dv->env.vars[v].name);
                        check_text(m, a, dv->env.vars[v].value, false, dv->env.vars[v].pos, key, diags);
                }
                if (dv->kind != DERIVED_FILE || !dv->file.content)
                        continue;
                snprintf(key, sizeof(key), "apps.%s.derived[%zu].content", a->name, d);
                check_text(m, a, dv->file.content, true, dv->file.content_pos, key, diags);
        }
}

void manifest_check_app_refs(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i].state != APP_STATE_UNINSTALLED)
                        check_app(m, &m->apps[i], diags);
}
