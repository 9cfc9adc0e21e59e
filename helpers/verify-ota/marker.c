/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "marker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "macro.h"
#include "parse-number.h"
#include "url.h"
#include "values.h"
#include "yaml-node.h"

#define KEY_MAX 128
/* Versions and URLs are copied into the state file and the node's UI: long enough for any real
 * one, short enough that a runaway marker cannot bloat them. */
#define VERSION_MAX 255
/* applied_at: after the epoch and before the year 10000. */
#define APPLIED_AT_MAX 253402300799LL

#define DEFAULT_DEADLINE_SECONDS 300
#define DEFAULT_GRACE_SECONDS 15
#define DEFAULT_MAX_ATTEMPTS 3
#define DEFAULT_CHECK_URL "https://127.0.0.1/"
#define DEFAULT_EXPECT_STATUS 200

static const char *const top_keys[] = {
        "marker_version", "new_version",  "previous_version", "applied_at", "deadline_seconds",
        "grace_seconds",  "max_attempts", "checks",           "rollback",   NULL};
static const char *const check_keys[] = {"url", "expect_status", NULL};
static const char *const rollback_keys[] = {"swap", "restart", NULL};
static const char *const swap_keys[] = {"current", "backup", NULL};

/* ---- unit names ---- */

static bool unit_part_valid(const char *s, size_t len) {
        static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-";
        for (size_t i = 0; i < len; i++)
                if (!memchr(allowed, s[i], sizeof(allowed) - 1))
                        return false;
        return len > 0;
}

/* systemd's unit name rules (unit_name_is_valid(): NAME[@INSTANCE].TYPE, at most 255
 * characters), restricted to types that can be restarted to bring the old version back, and to
 * concrete units: a template ("x@.service") cannot be restarted. A leading '-' would read as an
 * option to systemctl. */
static bool unit_name_valid(const char *s) {
        static const char *const suffixes[] = {".service", ".socket", ".target", ".timer", ".path", NULL};
        size_t len = strlen(s);
        if (len == 0 || len > 255 || s[0] == '-')
                return false;
        const char *dot = strrchr(s, '.');
        bool known = false;
        for (size_t i = 0; dot && suffixes[i] && !known; i++)
                known = strcmp(dot, suffixes[i]) == 0;
        if (!known)
                return false;
        const char *at = memchr(s, '@', (size_t)(dot - s));
        if (!at)
                return unit_part_valid(s, (size_t)(dot - s));
        return unit_part_valid(s, (size_t)(at - s)) && unit_part_valid(at + 1, (size_t)(dot - at - 1));
}

/* ---- typed scalars ---- */

static bool plain_null_or_bool(const yaml_node_t *n) {
        static const char *const words[] = {"",     "~",    "null",  "Null",  "NULL",  "true",
                                            "True", "TRUE", "false", "False", "FALSE", NULL};
        if (n->style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        for (size_t i = 0; words[i]; i++)
                if (strcmp(yscalar(n), words[i]) == 0)
                        return true;
        return false;
}

/* Non-empty text. JSON's null and booleans are not text, even though YAML would hand them over
 * as the scalars "null" and "true". */
static const char *expect_string(const struct yctx *c, const yaml_node_t *n, const char *key, size_t max) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return NULL;
        if (plain_null_or_bool(n)) {
                yerror(c, n, "%s: expected a string, got %s", key, s[0] ? s : "nothing");
                return NULL;
        }
        if (s[0] == '\0' || strlen(s) > max) {
                char shown[96];
                yerror(c, n, "%s: expected text of 1 to %zu characters, got \"%s\"", key, max,
                       value_for_message(s, strlen(s), shown, sizeof(shown)));
                return NULL;
        }
        return s;
}

/* Decimal as JSON writes it: an optional '-', no '+', no leading zero (YAML 1.1 would read
 * "0300" as octal), no fraction or exponent; values beyond long long fail. */
static bool integer_text(const char *s, size_t len, long long *ret) {
        const char *digits = s + (s[0] == '-');
        size_t n = len - (size_t)(digits - s);
        if (strlen(s) != len || n == 0 || n > 19 || strspn(digits, "0123456789") != n || (digits[0] == '0' && n > 1))
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return false;
        *ret = v;
        return true;
}

static bool expect_integer(const struct yctx *c, const yaml_node_t *n, const char *key, long long min, long long max,
                           long long *ret) {
        if (n->type != YAML_SCALAR_NODE) {
                yerror(c, n, "%s: expected a whole number from %lld to %lld, got %s", key, min, max, ynode_kind(n));
                return false;
        }
        char shown[96];
        value_for_message(yscalar(n), n->data.scalar.length, shown, sizeof(shown));
        if (n->style != YAML_PLAIN_SCALAR_STYLE) {
                yerror(c, n, "%s: expected a whole number from %lld to %lld, got the string \"%s\" (no quotes)", key,
                       min, max, shown);
                return false;
        }
        long long v;
        if (!integer_text(yscalar(n), n->data.scalar.length, &v) || v < min || v > max) {
                yerror(c, n, "%s: expected a whole number from %lld to %lld, got %s", key, min, max,
                       shown[0] ? shown : "nothing");
                return false;
        }
        *ret = v;
        return true;
}

static bool expect_unsigned(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned min, unsigned max,
                            unsigned *ret) {
        long long v;
        if (!expect_integer(c, n, key, min, max, &v))
                return false;
        *ret = (unsigned)v;
        return true;
}

/* A copy that outlives the YAML document; allocation failure is remembered in the diagnostics. */
static bool copy_text(const struct yctx *c, const char *s, char **ret) {
        *ret = strdup(s);
        if (!*ret)
                c->diags->oom = true;
        return *ret != NULL;
}

static bool missing(const struct yctx *c, const yaml_node_t *map, const char *key, const char *name, const char *what) {
        yerror(c, map, "%s: missing required key \"%s\" (%s)", key, name, what);
        return false;
}

/* ---- the schema, one level per function ---- */

static bool parse_marker_version(const struct yctx *c, const yaml_node_t *root) {
        yaml_node_t *v = ylookup(c, root, "marker_version");
        if (!v)
                return missing(c, root, "(top level)", "marker_version", "this archy-verify-ota reads version 1");
        long long version;
        if (!expect_integer(c, v, "marker_version", 1, LLONG_MAX, &version))
                return false;
        if (version != 1) {
                yerror(c, v,
                       "marker_version: expected 1 (the only marker version this archy-verify-ota reads), "
                       "got %lld",
                       version);
                return false;
        }
        return true;
}

static bool parse_version_text(const struct yctx *c, const yaml_node_t *root, const char *name, char **ret) {
        yaml_node_t *v = ylookup(c, root, name);
        if (!v)
                return missing(c, root, "(top level)", name, "the version as the node's UI shows it");
        const char *s = expect_string(c, v, name, VERSION_MAX);
        return s && copy_text(c, s, ret);
}

static bool parse_url(const struct yctx *c, const yaml_node_t *n, const char *key, char **ret) {
        const char *s = expect_string(c, n, key, URL_MAX);
        if (!s)
                return false;
        char shown[96];
        value_for_message(s, strlen(s), shown, sizeof(shown));
        struct url_parts u;
        if (!url_after_scheme(s)) {
                yerror(c, n, "%s: expected a URL starting with http:// or https://, got \"%s\"", key, shown);
                return false;
        }
        if (!url_split(s, &u)) {
                yerror(c, n,
                       "%s: expected a URL http(s)://HOST[:PORT]/PATH without user name, spaces or control "
                       "characters, got \"%s\"",
                       key, shown);
                return false;
        }
        return copy_text(c, s, ret);
}

static bool parse_check(const struct yctx *c, const yaml_node_t *n, const char *key, struct ota_check *ck) {
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, check_keys);
        char k[KEY_MAX];
        yaml_node_t *url = ylookup(c, n, "url");
        ykeyf(k, sizeof(k), "%s.url", key);
        if (!url)
                ok = missing(c, n, key, "url", "what to probe, e.g. https://127.0.0.1/");
        else
                ok = parse_url(c, url, k, &ck->url) && ok;
        ck->expect_status = DEFAULT_EXPECT_STATUS;
        yaml_node_t *status = ylookup(c, n, "expect_status");
        ykeyf(k, sizeof(k), "%s.expect_status", key);
        unsigned st;
        if (status && expect_unsigned(c, status, k, 100, 599, &st))
                ck->expect_status = (int)st;
        else if (status)
                ok = false;
        return ok;
}

/* A list of 1..max items; reports an empty or too long one at the list. */
static bool expect_list(const struct yctx *c, const yaml_node_t *n, const char *key, size_t min, size_t max,
                        const char *what) {
        if (!yexpect_sequence(c, n, key))
                return false;
        size_t len = ysequence_len(n);
        if (len < min || len > max) {
                yerror(c, n, "%s: expected %zu to %zu %s, got %zu", key, min, max, what, len);
                return false;
        }
        return true;
}

static bool parse_checks(const struct yctx *c, const yaml_node_t *root, struct ota_marker *m) {
        yaml_node_t *n = ylookup(c, root, "checks");
        if (!n) {
                m->n_checks = 1;
                m->checks[0].expect_status = DEFAULT_EXPECT_STATUS;
                return copy_text(c, DEFAULT_CHECK_URL, &m->checks[0].url);
        }
        if (!expect_list(c, n, "checks", 1, MARKER_MAX_CHECKS, "checks"))
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[KEY_MAX];
                ykeyf(k, sizeof(k), "checks[%zu]", m->n_checks);
                ok = parse_check(c, ynode(c, *it), k, &m->checks[m->n_checks++]) && ok;
        }
        return ok;
}

static bool has_dot_component(const char *s) {
        for (const char *p = s + strspn(s, "/"); *p; p += strspn(p, "/")) {
                size_t len = strcspn(p, "/");
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return true;
                p += len;
        }
        return false;
}

/* Why a rollback path is refused, or NULL. Swapping "/" or a path with ".." in it could
 * exchange something the update never touched. */
static const char *path_problem(const char *s) {
        size_t len = strlen(s);
        if (s[0] != '/')
                return "a relative path";
        if (len == 1)
                return "the root directory";
        if (len >= PATH_MAX)
                return "longer than PATH_MAX";
        if (abs_path_valid(s))
                return NULL;
        if (has_dot_component(s))
                return "a \".\" or \"..\" component";
        if (strstr(s, "//"))
                return "an empty component (//)";
        if (s[len - 1] == '/')
                return "a trailing /";
        return "a character outside A-Z a-z 0-9 . _ / @ + -";
}

static bool parse_path(const struct yctx *c, const yaml_node_t *n, const char *key, char **ret) {
        const char *s = expect_string(c, n, key, PATH_MAX);
        if (!s)
                return false;
        const char *problem = path_problem(s);
        if (problem) {
                char shown[96];
                yerror(c, n, "%s: expected an absolute, normalised path, got \"%s\" (%s)", key,
                       value_for_message(s, strlen(s), shown, sizeof(shown)), problem);
                return false;
        }
        return copy_text(c, s, ret);
}

/* Where each rollback path came from, to name both ends of an overlap. */
struct path_ref {
        const char *path;
        const yaml_node_t *node;
        char key[KEY_MAX];
};

static bool parse_swap(const struct yctx *c, const yaml_node_t *n, const char *key, struct ota_swap *sw,
                       struct path_ref refs[2]) {
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, swap_keys);
        static const char *const names[] = {"current", "backup"};
        char **fields[] = {&sw->current, &sw->backup};
        for (size_t i = 0; i < 2; i++) {
                yaml_node_t *v = ylookup(c, n, names[i]);
                ykeyf(refs[i].key, sizeof(refs[i].key), "%s.%s", key, names[i]);
                if (!v)
                        ok = missing(c, n, key, names[i], "an absolute path");
                else if (parse_path(c, v, refs[i].key, fields[i])) {
                        refs[i].path = *fields[i];
                        refs[i].node = v;
                } else
                        ok = false;
        }
        return ok;
}

/* a is b or one of its parents. */
static bool path_covers(const char *a, const char *b) {
        size_t len = strlen(a);
        return strncmp(a, b, len) == 0 && (b[len] == '\0' || b[len] == '/');
}

/* Each swap must stand on its own: a path in two pairs, or inside another pair's path, makes the
 * result depend on the order of the swaps, and a rollback resumed after a crash could then
 * exchange something twice. */
static bool check_overlaps(const struct yctx *c, const struct path_ref *refs, size_t n) {
        bool ok = true;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < i && refs[i].path; j++) {
                        if (!refs[j].path)
                                continue;
                        const char *how = NULL;
                        if (strcmp(refs[i].path, refs[j].path) == 0)
                                how = i / 2 == j / 2 ? "is the same path as" : "is also used by";
                        else if (path_covers(refs[j].path, refs[i].path))
                                how = "is inside";
                        else if (path_covers(refs[i].path, refs[j].path))
                                how = "contains";
                        if (!how)
                                continue;
                        yerror(c, refs[i].node,
                               "%s: \"%s\" %s %s (line %zu), expected paths that no other swap touches", refs[i].key,
                               refs[i].path, how, refs[j].key, ypos(refs[j].node).line);
                        ok = false;
                }
        return ok;
}

static bool parse_swaps(const struct yctx *c, const yaml_node_t *rollback, struct ota_marker *m) {
        yaml_node_t *n = ylookup(c, rollback, "swap");
        if (!n)
                return missing(c, rollback, "rollback", "swap", "the pairs of paths that bring the old version back");
        if (!expect_list(c, n, "rollback.swap", 1, MARKER_MAX_SWAPS, "pairs"))
                return false;
        struct path_ref refs[2 * MARKER_MAX_SWAPS] = {0};
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[KEY_MAX];
                ykeyf(k, sizeof(k), "rollback.swap[%zu]", m->n_swaps);
                ok = parse_swap(c, ynode(c, *it), k, &m->swaps[m->n_swaps], refs + 2 * m->n_swaps) && ok;
                m->n_swaps++;
        }
        return check_overlaps(c, refs, 2 * m->n_swaps) && ok;
}

static bool parse_restarts(const struct yctx *c, const yaml_node_t *rollback, struct ota_marker *m) {
        yaml_node_t *n = ylookup(c, rollback, "restart");
        if (!n)
                return true;
        if (!expect_list(c, n, "rollback.restart", 0, MARKER_MAX_RESTARTS, "unit names"))
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[KEY_MAX];
                ykeyf(k, sizeof(k), "rollback.restart[%zu]", (size_t)(it - n->data.sequence.items.start));
                yaml_node_t *item = ynode(c, *it);
                const char *s = expect_string(c, item, k, 255);
                if (s && !unit_name_valid(s)) {
                        char shown[96];
                        yerror(c, item,
                               "%s: expected a systemd unit name like archipelago.service (NAME[@INSTANCE] of "
                               "A-Z a-z 0-9 : _ . \\ - then .service, .socket, .target, .timer or .path), got \"%s\"",
                               k, value_for_message(s, strlen(s), shown, sizeof(shown)));
                        s = NULL;
                }
                if (s && copy_text(c, s, &m->restarts[m->n_restarts]))
                        m->n_restarts++;
                else
                        ok = false;
        }
        return ok;
}

static bool parse_rollback(const struct yctx *c, const yaml_node_t *root, struct ota_marker *m) {
        yaml_node_t *n = ylookup(c, root, "rollback");
        if (!n)
                return missing(c, root, "(top level)", "rollback", "what brings the previous version back");
        if (!yexpect_mapping(c, n, "rollback"))
                return false;
        bool ok = ycheck_keys(c, n, "rollback", rollback_keys);
        ok = parse_swaps(c, n, m) && ok;
        return parse_restarts(c, n, m) && ok;
}

static bool parse_window(const struct yctx *c, const yaml_node_t *root, struct ota_marker *m) {
        const struct {
                const char *name;
                unsigned min, max, def;
                unsigned *field;
        } fields[] = {
                {"deadline_seconds", 1, 86400, DEFAULT_DEADLINE_SECONDS, &m->deadline_seconds},
                {"grace_seconds", 0, 3600, DEFAULT_GRACE_SECONDS, &m->grace_seconds},
                {"max_attempts", 1, 100, DEFAULT_MAX_ATTEMPTS, &m->max_attempts},
        };
        bool ok = true;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                yaml_node_t *v = ylookup(c, root, fields[i].name);
                *fields[i].field = fields[i].def;
                if (v)
                        ok = expect_unsigned(c, v, fields[i].name, fields[i].min, fields[i].max, fields[i].field) && ok;
        }
        /* The grace period runs inside the deadline: one that fills it leaves no time to probe,
         * and every update would be rolled back. */
        if (ok && m->grace_seconds >= m->deadline_seconds) {
                yaml_node_t *v = ylookup(c, root, "grace_seconds");
                yerror(c, v ? v : root, "grace_seconds: expected less than deadline_seconds (%u), got %u",
                       m->deadline_seconds, m->grace_seconds);
                ok = false;
        }
        return ok;
}

static bool parse_applied_at(const struct yctx *c, const yaml_node_t *root, struct ota_marker *m) {
        yaml_node_t *v = ylookup(c, root, "applied_at");
        if (!v)
                return missing(c, root, "(top level)", "applied_at", "unix seconds when the update was applied");
        return expect_integer(c, v, "applied_at", 1, APPLIED_AT_MAX, &m->applied_at);
}

static bool parse_root(const struct yctx *c, struct ota_marker *m) {
        const yaml_node_t *root = yroot(c->doc);
        if (!root) {
                diag_add(c->diags, NULL, 0, 0, "the marker is empty, expected a JSON object");
                return false;
        }
        if (!yexpect_mapping(c, root, "(top level)"))
                return false;
        bool ok = ycheck_keys(c, root, "(top level)", top_keys);
        ok = parse_marker_version(c, root) && ok;
        ok = parse_version_text(c, root, "new_version", &m->new_version) && ok;
        ok = parse_version_text(c, root, "previous_version", &m->previous_version) && ok;
        ok = parse_applied_at(c, root, m) && ok;
        ok = parse_window(c, root, m) && ok;
        ok = parse_checks(c, root, m) && ok;
        return parse_rollback(c, root, m) && ok;
}

/* ---- loading ---- */

/* One document: a marker with a second one appended (two updates writing to it) is refused. */
static bool load_document(const char *text, size_t len, struct ydoc **doc, struct diag_list *diags) {
        return yload_single(text, len, doc, diags, "not valid JSON or YAML",
                            "expected a single JSON object, found a second document");
}

int marker_parse(const char *text, size_t len, struct diag_list *diags, struct ota_marker *ret) {
        *ret = (struct ota_marker){0};
        /* The header's contract leaves the file name to the caller (diags->file); without one,
         * diag_add() would call this "<manifest>". */
        if (!diags->file)
                diags->file = "<marker>";
        size_t before = diags->n;
        struct ydoc *doc = NULL;
        if (!load_document(text, len, &doc, diags))
                return diags->oom ? -ENOMEM : -EINVAL;
        struct yctx c = {.doc = doc, .diags = diags};
        bool ok = parse_root(&c, ret);
        ydoc_free(doc);
        if (ok && diags->n == before && !diags->oom)
                return 0;
        marker_done(ret);
        return diags->oom ? -ENOMEM : -EINVAL;
}

void marker_done(struct ota_marker *m) {
        free(m->new_version);
        free(m->previous_version);
        for (size_t i = 0; i < m->n_checks; i++)
                free(m->checks[i].url);
        for (size_t i = 0; i < m->n_swaps; i++) {
                free(m->swaps[i].current);
                free(m->swaps[i].backup);
        }
        for (size_t i = 0; i < m->n_restarts; i++)
                free(m->restarts[i]);
        *m = (struct ota_marker){0};
}
