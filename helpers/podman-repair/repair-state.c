/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repair-state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse-number.h"
#include "strbuf.h"

int repair_state_set(char **field, const char *value) {
        char *copy = NULL;
        if (value && !(copy = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static bool parse_ull(const char *v, unsigned long long *ret) {
        return parse_unsigned(v, ULLONG_MAX, ret) == 0;
}

static bool parse_repairs(const char *v, struct repair_state *s) {
        s->n_repairs = 0;
        while (*v && s->n_repairs < REPAIR_HISTORY) {
                char *end;
                long long t = strtoll(v, &end, 10);
                if (end == v || (*end && *end != ','))
                        return false;
                s->repairs[s->n_repairs++] = t;
                v = *end ? end + 1 : end;
        }
        return true;
}

static bool kind_valid(const char *k, size_t n) {
        if (n >= REPAIR_KIND_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '-'))
                        return false;
        return true;
}

/* "database-missing,,network-namespace-broken": one per repair, in the order of repairs=; an
 * empty one is unknown. A bad name drops the whole line (every kind unknown: counted for all). */
static bool parse_kinds(const char *v, struct repair_state *s) {
        char kinds[REPAIR_HISTORY][REPAIR_KIND_MAX] = {{0}};
        for (size_t i = 0; i < REPAIR_HISTORY; i++) {
                size_t n = strcspn(v, ",");
                if (!kind_valid(v, n))
                        return false;
                memcpy(kinds[i], v, n);
                if (!v[n])
                        break;
                v += n + 1;
        }
        memcpy(s->kinds, kinds, sizeof(kinds));
        return true;
}

static bool parse_line(char *line, struct repair_state *s, int *r) {
        char *eq = strchr(line, '=');
        if (!eq)
                return false;
        *eq = '\0';
        const char *v = eq + 1;
        unsigned long long n;
        if (strcmp(line, "failures") == 0 && parse_ull(v, &n) && n < 1000000)
                s->failures = (unsigned)n;
        else if (strcmp(line, "repairs_total") == 0 && parse_ull(v, &n))
                s->repairs_total = n;
        else if (strcmp(line, "repairs") == 0)
                return parse_repairs(v, s);
        else if (strcmp(line, "repair_states") == 0)
                return parse_kinds(v, s);
        else if (strcmp(line, "db_dev") == 0 && parse_ull(v, &n))
                s->db_dev = n;
        else if (strcmp(line, "db_ino") == 0 && parse_ull(v, &n))
                s->db_ino = n;
        else if (strcmp(line, "db_btime_ns") == 0 && parse_ull(v, &n))
                s->db_btime_ns = n;
        else if (strcmp(line, "volume_dirs") == 0 && parse_ull(v, &n) && n < 1000000)
                s->volume_dirs = (long)n;
        else if (strcmp(line, "graph_root") == 0 && v[0] == '/')
                *r = repair_state_set(&s->graph_root, v);
        else if (strcmp(line, "volume_path") == 0 && v[0] == '/')
                *r = repair_state_set(&s->volume_path, v);
        else if (strcmp(line, "db_backend") == 0 && (strcmp(v, "sqlite") == 0 || strcmp(v, "boltdb") == 0))
                *r = repair_state_set(&s->db_backend, v);
        else
                return false;
        return true;
}

int repair_state_parse(const char *text, struct repair_state *ret) {
        *ret = (struct repair_state){.volume_dirs = -1};
        char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        int skipped = 0, r = 0;
        for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && r == 0; line = strtok_r(NULL, "\n", &save))
                if (line[0] != '#' && !parse_line(line, ret, &r))
                        skipped++;
        free(copy);
        if (r < 0) {
                repair_state_done(ret);
                return r;
        }
        return skipped;
}

char *repair_state_format(const struct repair_state *s) {
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "# archy-podman-repair state: see archy-podman-repair(8)\n");
        strbuf_printf(&sb, "failures=%u\nrepairs=", s->failures);
        for (size_t i = 0; i < s->n_repairs; i++)
                strbuf_printf(&sb, "%s%lld", i ? "," : "", s->repairs[i]);
        bool any_kind = false;
        for (size_t i = 0; i < s->n_repairs; i++)
                any_kind |= s->kinds[i][0] != '\0';
        if (any_kind) {
                strbuf_puts(&sb, "\nrepair_states=");
                for (size_t i = 0; i < s->n_repairs; i++)
                        strbuf_printf(&sb, "%s%s", i ? "," : "", s->kinds[i]);
        }
        strbuf_printf(&sb, "\nrepairs_total=%llu\n", s->repairs_total);
        if (s->graph_root)
                strbuf_printf(&sb, "graph_root=%s\n", s->graph_root);
        if (s->volume_path)
                strbuf_printf(&sb, "volume_path=%s\n", s->volume_path);
        if (s->db_backend)
                strbuf_printf(&sb, "db_backend=%s\n", s->db_backend);
        if (s->db_ino)
                strbuf_printf(&sb, "db_dev=%llu\ndb_ino=%llu\ndb_btime_ns=%llu\n", s->db_dev, s->db_ino,
                              s->db_btime_ns);
        if (s->volume_dirs >= 0)
                strbuf_printf(&sb, "volume_dirs=%ld\n", s->volume_dirs);
        return strbuf_steal(&sb);
}

void repair_state_done(struct repair_state *s) {
        free(s->graph_root);
        free(s->db_backend);
        free(s->volume_path);
        *s = (struct repair_state){.volume_dirs = -1};
}

enum repair_verdict repair_allowed(const struct repair_state *s, long long now, const char *kind, unsigned max_failures,
                                   unsigned max_per_hour) {
        if (s->failures >= max_failures)
                return REPAIR_GIVE_UP_FAILED;
        unsigned recent = 0;
        /* A clock that jumped back makes a repair look recent: count it, erring on the side of
         * fewer repairs, never more. (Compared this way round, no timestamp from a damaged file
         * can overflow the subtraction.) */
        for (size_t i = 0; i < s->n_repairs; i++)
                if (s->repairs[i] > now - 3600 && (!kind || !s->kinds[i][0] || strcmp(s->kinds[i], kind) == 0))
                        recent++;
        return recent >= max_per_hour ? REPAIR_GIVE_UP_TOO_OFTEN : REPAIR_ALLOWED;
}

size_t repair_state_clamp_future(struct repair_state *s, long long now) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_repairs; i++)
                if (s->repairs[i] > now) {
                        s->repairs[i] = now;
                        n++;
                }
        return n;
}

void repair_state_record(struct repair_state *s, long long now, const char *kind, bool helped) {
        memmove(s->repairs + 1, s->repairs, sizeof(s->repairs[0]) * (REPAIR_HISTORY - 1));
        memmove(s->kinds + 1, s->kinds, sizeof(s->kinds[0]) * (REPAIR_HISTORY - 1));
        s->repairs[0] = now;
        s->kinds[0][0] = '\0';
        if (kind && kind_valid(kind, strlen(kind)))
                memcpy(s->kinds[0], kind, strlen(kind) + 1);
        if (s->n_repairs < REPAIR_HISTORY)
                s->n_repairs++;
        s->failures = helped ? 0 : s->failures + 1;
        if (s->repairs_total < ULLONG_MAX)
                s->repairs_total++;
}
