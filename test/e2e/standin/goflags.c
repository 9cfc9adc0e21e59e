/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The option syntax lnd and litd get from github.com/jessevdk/go-flags v1.4.0 (parser.go, ini.go):
 * "--name=value" or "--name value", bool flags take no argument, positional arguments are left over
 * (lnd ignores them), an unknown flag is an error. The INI file: "[section]" headers that must name an
 * option group, ";" and "#" comment lines, "key = value" trimmed, a value that starts with '"' is
 * unquoted (and an error when it is not a valid quoted string), an unknown key is an error with the
 * file and line. Messages are go-flags' own.
 */
#include "app-lnd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct gf_opt *find_opt(const struct gf_opt *opts, const char *name, size_t len) {
        for (const struct gf_opt *o = opts; o->name; o++)
                if (strlen(o->name) == len && strncasecmp(o->name, name, len) == 0)
                        return o;
        return NULL;
}

/* strconv.ParseBool's accepted spellings */
static int parse_bool(const char *v, bool *ret) {
        static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
        for (size_t i = 0; i < 6; i++) {
                if (strcmp(v, t[i]) == 0)
                        return *ret = true, 0;
                if (strcmp(v, f[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

static int set_opt(const struct gf_opt *o, const char *value, char *err, size_t cap) {
        switch (o->kind) {
        case GF_BOOL:
                if (parse_bool(value ? value : "true", o->ptr) < 0) {
                        snprintf(err, cap, "strconv.ParseBool: parsing \"%s\": invalid syntax", value);
                        return -EINVAL;
                }
                return 0;
        case GF_STR: {
                char **s = o->ptr;
                free(*s);
                return (*s = strdup(value)) ? 0 : -ENOMEM;
        }
        case GF_LIST: {
                struct gf_list *l = o->ptr;
                for (size_t i = 0; i < l->n; i++)
                        if (strcmp(l->v[i], value) == 0)
                                return 0; /* flags are applied twice (before and after the file) */
                if (l->n == GF_LIST_MAX) {
                        snprintf(err, cap, "too many values for %s (stand-in limit %d)", o->name, GF_LIST_MAX);
                        return -E2BIG;
                }
                return (l->v[l->n] = strdup(value)) ? (l->n++, 0) : -ENOMEM;
        }
        }
        return -EINVAL;
}

int gf_parse_flags(const struct gf_opt *opts, int argc, char **argv, char *err, size_t cap) {
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (strncmp(a, "--", 2) != 0)
                        continue; /* positional: go-flags returns it, lnd and litd ignore it */
                const char *name = a + 2, *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const struct gf_opt *o = find_opt(opts, name, len);
                if (!o) {
                        snprintf(err, cap, "unknown flag `%.*s'", (int)len, name);
                        return -EINVAL;
                }
                const char *value = eq ? eq + 1 : NULL;
                if (o->kind == GF_BOOL && value) {
                        snprintf(err, cap, "bool flag `--%s' cannot have an argument", o->name);
                        return -EINVAL;
                }
                if (o->kind != GF_BOOL && !value) {
                        if (i + 1 >= argc) {
                                snprintf(err, cap, "expected argument for flag `--%s'", o->name);
                                return -EINVAL;
                        }
                        value = argv[++i];
                }
                int r = set_opt(o, value, err, cap);
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *trim(char *s) {
        s += strspn(s, " \t\r");
        size_t n = strlen(s);
        while (n > 0 && strchr(" \t\r\n", s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* strconv.Unquote for the "..." form with the escapes a password can need; false when invalid. */
static bool unquote(char *v) {
        size_t n = strlen(v), o = 0;
        if (n < 2 || v[n - 1] != '"')
                return false;
        for (size_t i = 1; i < n - 1; i++) {
                if (v[i] == '"')
                        return false;
                if (v[i] == '\\') {
                        if (++i >= n - 1 || !strchr("\\\"'abfnrtv", v[i]))
                                return false;
                }
                v[o++] = v[i];
        }
        v[o] = '\0';
        return true;
}

static bool known_section(const char *const *sections, const char *name) {
        for (; *sections; sections++)
                if (strcasecmp(*sections, name) == 0)
                        return true;
        return false;
}

static int ini_line(const struct gf_opt *opts, const char *const *sections, const char *path, unsigned lineno,
                    char *line, char *err, size_t cap) {
        char *s = trim(line);
        if (!*s || *s == ';' || *s == '#')
                return 0;
        if (*s == '[') {
                size_t n = strlen(s);
                if (s[n - 1] != ']') {
                        snprintf(err, cap, "%s:%u: malformed section header", path, lineno);
                        return -EINVAL;
                }
                s[n - 1] = '\0';
                if (!known_section(sections, trim(s + 1))) {
                        snprintf(err, cap, "could not find option group `%s'", trim(s + 1));
                        return -EINVAL;
                }
                return 0;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
                snprintf(err, cap, "%s:%u: malformed key=value (%s)", path, lineno, s);
                return -EINVAL;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (*value == '"' && !unquote(value)) {
                snprintf(err, cap, "%s:%u: invalid syntax", path, lineno);
                return -EINVAL;
        }
        const struct gf_opt *o = find_opt(opts, key, strlen(key));
        if (!o) {
                snprintf(err, cap, "%s:%u: unknown option: %s", path, lineno, key);
                return -EINVAL;
        }
        char sub[512];
        int r = set_opt(o, o->kind == GF_BOOL && !*value ? NULL : value, sub, sizeof sub);
        if (r < 0)
                snprintf(err, cap, "%s:%u: %s", path, lineno, sub);
        return r;
}

/* -ENOENT when the file is missing (the caller decides whether that is fine). */
int gf_parse_ini(const struct gf_opt *opts, const char *const *sections, const char *path, char *err, size_t cap) {
        FILE *f = fopen(path, "re");
        if (!f) {
                snprintf(err, cap, "open %s: %s", path, strerror(errno));
                return -errno;
        }
        char line[4096];
        unsigned lineno = 0;
        int r = 0;
        while (r == 0 && fgets(line, sizeof line, f))
                r = ini_line(opts, sections, path, ++lineno, line, err, cap);
        fclose(f);
        return r;
}

const char *gf_get(const struct gf_opt *opts, const char *name) {
        const struct gf_opt *o = find_opt(opts, name, strlen(name));
        return o && o->kind == GF_STR ? *(char **)o->ptr : NULL;
}

void gf_free(const struct gf_opt *opts) {
        for (const struct gf_opt *o = opts; o->name; o++)
                if (o->kind == GF_STR) {
                        free(*(char **)o->ptr);
                        *(char **)o->ptr = NULL;
                } else if (o->kind == GF_LIST) {
                        struct gf_list *l = o->ptr;
                        while (l->n > 0)
                                free(l->v[--l->n]);
                }
}
