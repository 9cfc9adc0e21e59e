/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rollback-record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strbuf.h"
#include "values.h"

#define MAGIC "archyctl-rolled-back 1"

char *rollback_record_render(const struct rollback_record *r) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, MAGIC "\napp=%s\nat=%lld\nreason=%s\n", r->app, r->at, r->reason ? r->reason : "");
        for (size_t i = 0; i < r->n_images; i++)
                strbuf_printf(&sb, "image=%s %s %s\n", r->images[i].part, r->images[i].from, r->images[i].to);
        if (strbuf_failed(&sb)) {
                strbuf_free(&sb);
                return NULL;
        }
        return sb.data;
}

int rollback_record_add_image(struct rollback_record *r, const char *part, const char *from, const char *to) {
        struct rollback_image *g = reallocarray(r->images, r->n_images + 1, sizeof *g);
        if (!g)
                return -ENOMEM;
        r->images = g;
        struct rollback_image *it = &g[r->n_images];
        *it = (struct rollback_image){.part = strdup(part), .from = strdup(from), .to = strdup(to)};
        r->n_images++;
        return it->part && it->from && it->to ? 0 : -ENOMEM;
}

void rollback_record_done(struct rollback_record *r) {
        for (size_t i = 0; i < r->n_images; i++) {
                free(r->images[i].part);
                free(r->images[i].from);
                free(r->images[i].to);
        }
        free(r->images);
        free(r->app);
        free(r->reason);
        *r = (struct rollback_record){0};
}

/* ---- parsing ---- */

_printf_(3, 4) static int fail(char **ret_error, size_t line, const char *fmt, ...) {
        if (!ret_error)
                return -EINVAL;
        va_list ap;
        va_start(ap, fmt);
        char *what = NULL, *msg = NULL;
        int r = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&msg, "line %zu: %s", line, what) < 0) {
                free(what);
                return -ENOMEM;
        }
        free(what);
        *ret_error = msg;
        return -EINVAL;
}

static bool parse_at(const char *v, long long *ret) {
        char *end;
        if (*v < '0' || *v > '9')
                return false;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || *end)
                return false;
        *ret = x;
        return true;
}

/* "PART FROM TO" */
static int parse_image(struct rollback_record *r, char *v, size_t line, char **ret_error) {
        char *save = NULL, *part = strtok_r(v, " ", &save), *from = strtok_r(NULL, " ", &save),
             *to = strtok_r(NULL, " ", &save);
        if (!part || !from || !to || strtok_r(NULL, " ", &save) || !name_valid(part) || !image_ref_valid(from) ||
            !image_ref_valid(to))
                return fail(ret_error, line, "image: expected PART FROM-IMAGE TO-IMAGE");
        return rollback_record_add_image(r, part, from, to);
}

static int parse_line(struct rollback_record *r, char *s, size_t line, unsigned *seen, char **ret_error) {
        static const char *const keys[] = {"app", "at", "reason", "image"};
        char *eq = strchr(s, '=');
        if (!eq)
                return fail(ret_error, line, "expected key=value, got \"%s\"", s);
        *eq = '\0';
        char *v = eq + 1;
        for (unsigned k = 0; k < ELEMENTSOF(keys); k++) {
                if (strcmp(s, keys[k]) != 0)
                        continue;
                if (k != 3 && (*seen & (1U << k)))
                        return fail(ret_error, line, "duplicate key \"%s\"", s);
                *seen |= 1U << k;
                switch (k) {
                case 0:
                        if (!name_valid(v))
                                return fail(ret_error, line, "app: expected an app name, got \"%s\"", v);
                        return (r->app = strdup(v)) ? 0 : -ENOMEM;
                case 1: return parse_at(v, &r->at) ? 0 : fail(ret_error, line, "at: expected seconds, got \"%s\"", v);
                case 2: return (r->reason = strdup(v)) ? 0 : -ENOMEM;
                default: return parse_image(r, v, line, ret_error);
                }
        }
        return fail(ret_error, line, "unknown key \"%s\"", s);
}

static int parse_all(struct rollback_record *r, char *buf, char **ret_error) {
        char *nl = strchr(buf, '\n');
        if (!nl || (size_t)(nl - buf) != strlen(MAGIC) || strncmp(buf, MAGIC, strlen(MAGIC)) != 0)
                return fail(ret_error, 1, "expected \"%s\" (an archyctl rollback record, format 1)", MAGIC);
        unsigned seen = 0;
        size_t line = 1;
        for (char *s = nl + 1; *s; s = nl + 1) {
                line++;
                nl = strchr(s, '\n');
                if (!nl)
                        return fail(ret_error, line, "the last line has no newline (a torn write?)");
                *nl = '\0';
                int k = parse_line(r, s, line, &seen, ret_error);
                if (k < 0)
                        return k;
        }
        if ((seen & 3U) != 3U || r->n_images == 0)
                return fail(ret_error, line, "app, at and an image are required");
        return 0;
}

int rollback_record_parse(const char *text, struct rollback_record *ret, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        _cleanup_free_ char *buf = strdup(text);
        if (!buf)
                return -ENOMEM;
        struct rollback_record r = {0};
        int k = parse_all(&r, buf, ret_error);
        if (k < 0) {
                rollback_record_done(&r);
                return k;
        }
        if (!r.reason && !(r.reason = strdup(""))) {
                rollback_record_done(&r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}
