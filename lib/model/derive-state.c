/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "derive-state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse-number.h"
#include "strbuf.h"
#include "values.h"

/* The counts are far below this; a bigger one is not ours. */
#define COUNT_MAX 1000000000000ULL

static struct derive_file_count *find(const struct derive_state *s, const char *app, const char *path) {
        for (size_t i = 0; i < s->n_files; i++)
                if (strcmp(s->files[i].app, app) == 0 && strcmp(s->files[i].path, path) == 0)
                        return &s->files[i];
        return NULL;
}

static struct derive_file_count *add(struct derive_state *s, const char *app, const char *path) {
        struct derive_file_count *f = realloc(s->files, (s->n_files + 1) * sizeof *f);
        if (!f)
                return NULL;
        s->files = f;
        f = &s->files[s->n_files];
        *f = (struct derive_file_count){.app = strdup(app), .path = strdup(path)};
        if (!f->app || !f->path) {
                free(f->app);
                free(f->path);
                return NULL;
        }
        s->n_files++;
        return f;
}

/* "APP FOUND REPAIRED PATH": 1 taken, 0 malformed, -ENOMEM. */
static int parse_line(char *line, struct derive_state *s) {
        char *fields[3], *rest = line;
        for (size_t i = 0; i < 3; i++) {
                fields[i] = rest;
                rest = strchr(rest, ' ');
                if (!rest)
                        return 0;
                *rest++ = '\0';
        }
        unsigned long long found, repaired;
        if (!name_valid(fields[0]) || parse_unsigned(fields[1], COUNT_MAX, &found) < 0 ||
            parse_unsigned(fields[2], COUNT_MAX, &repaired) < 0 || repaired > found || rest[0] != '/' ||
            find(s, fields[0], rest))
                return 0;
        struct derive_file_count *f = add(s, fields[0], rest);
        if (!f)
                return -ENOMEM;
        f->found = found;
        f->repaired = repaired;
        return 1;
}

int derive_state_parse(const char *text, size_t len, struct derive_state *ret) {
        *ret = (struct derive_state){0};
        _cleanup_free_ char *copy = strndup(text, len);
        if (!copy)
                return -ENOMEM;
        int skipped = 0;
        for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#')
                        continue;
                int r = parse_line(line, ret);
                if (r < 0)
                        return r;
                skipped += r == 0;
        }
        /* a NUL inside the text cuts it short: what follows is not read */
        return skipped + (strnlen(text, len) < len);
}

char *derive_state_format(const struct derive_state *s) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "# archy-derive state: see archy-derive(8)\n");
        for (size_t i = 0; i < s->n_files; i++)
                strbuf_printf(&b, "%s %llu %llu %s\n", s->files[i].app, s->files[i].found, s->files[i].repaired,
                              s->files[i].path);
        return strbuf_steal(&b);
}

int derive_state_count(struct derive_state *s, const char *app, const char *path, bool repaired) {
        struct derive_file_count *f = find(s, app, path);
        if (!f && !(f = add(s, app, path)))
                return -ENOMEM;
        if (f->found < COUNT_MAX) /* (not reached: a count every 30 s for a million years) */
                f->found++;
        if (repaired && f->repaired < f->found)
                f->repaired++;
        return 0;
}

size_t derive_state_prune(struct derive_state *s, bool (*keep)(const char *app, void *userdata), void *userdata) {
        size_t kept = 0, n = s->n_files;
        for (size_t i = 0; i < n; i++) {
                if (keep(s->files[i].app, userdata)) {
                        s->files[kept++] = s->files[i];
                        continue;
                }
                free(s->files[i].app);
                free(s->files[i].path);
        }
        s->n_files = kept;
        return n - kept;
}

void derive_state_done(struct derive_state *s) {
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].app);
                free(s->files[i].path);
        }
        free(s->files);
        *s = (struct derive_state){0};
}
