/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "journal.h"

#include "values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "archyctl-apply-journal 1"

static const char *const phase_names[_APPLY_PHASE_MAX] = {
        [APPLY_PLANNED] = "planned",   [APPLY_STOPPED] = "stopped", [APPLY_INSTALLED] = "installed",
        [APPLY_RELOADED] = "reloaded", [APPLY_STARTED] = "started", [APPLY_WAITED] = "waited",
};

const char *apply_phase_to_string(enum apply_phase p) {
        return p >= 0 && p < _APPLY_PHASE_MAX ? phase_names[p] : "?";
}

int apply_phase_from_string(const char *s, enum apply_phase *ret) {
        for (int p = 0; p < _APPLY_PHASE_MAX; p++)
                if (strcmp(s, phase_names[p]) == 0) {
                        *ret = (enum apply_phase)p;
                        return 0;
                }
        return -EINVAL;
}

void journal_hash(const char *data, size_t len, char out[JOURNAL_HASH_HEX + 1]) {
        uint64_t h = 14695981039346656037ULL;
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char)data[i];
                h *= 1099511628211ULL;
        }
        snprintf(out, JOURNAL_HASH_HEX + 1, "%016" PRIx64, h);
}

enum { K_PHASE, K_HASH, K_OLD, K_STARTED, K_PID, K_ROLLBACK, K_REASON, _K_MAX };
static const char *const keys[_K_MAX] = {"phase", "new-hash", "had-old",        "started-at",
                                         "pid",   "rollback", "rollback-reason"};

static int fail(char **ret_error, size_t line, const char *fmt, const char *arg) {
        if (ret_error) {
                char *msg = NULL;
                char head[32];
                snprintf(head, sizeof head, "line %zu: ", line);
                if (asprintf(&msg, "%s%s%s%s", head, fmt, arg ? arg : "", arg ? "\"" : "") < 0)
                        return -ENOMEM;
                *ret_error = msg;
        }
        return -EINVAL;
}

static bool parse_ll(const char *v, long long *ret) {
        char *end;
        if (*v < '0' || *v > '9')
                return false;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno != 0 || *end)
                return false;
        *ret = x;
        return true;
}

static bool is_hash(const char *v) {
        if (strlen(v) != JOURNAL_HASH_HEX)
                return false;
        for (const char *c = v; *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
                        return false;
        return true;
}

/* "a,b": app names, each once, the whole within the journal's list. */
static bool rollback_valid(const char *v) {
        if (strlen(v) >= JOURNAL_ROLLBACK_MAX || !*v)
                return false;
        char buf[JOURNAL_ROLLBACK_MAX];
        snprintf(buf, sizeof buf, "%s", v);
        if (buf[strlen(buf) - 1] == ',')
                return false;
        struct apply_journal seen = {0};
        char *save = NULL;
        for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save))
                if (!name_valid(name) || journal_rolls_back(&seen, name) || journal_add_rollback(&seen, name) < 0)
                        return false;
        return strcmp(seen.rollback, v) == 0; /* no empty name: ",a" or "a,,b" */
}

static int parse_value(int k, const char *v, struct apply_journal *j, size_t line, char **ret_error) {
        switch (k) {
        case K_PHASE:
                if (apply_phase_from_string(v, &j->phase) < 0)
                        return fail(ret_error, line,
                                    "phase: expected planned, stopped, installed, reloaded, started "
                                    "or waited, got \"",
                                    v);
                return 0;
        case K_HASH:
                if (!is_hash(v))
                        return fail(ret_error, line, "new-hash: expected 16 lowercase hex digits, got \"", v);
                memcpy(j->new_hash, v, JOURNAL_HASH_HEX + 1);
                return 0;
        case K_OLD:
                if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
                        return fail(ret_error, line, "had-old: expected yes or no, got \"", v);
                j->had_old = strcmp(v, "yes") == 0;
                return 0;
        case K_STARTED:
        case K_PID:
                if (!parse_ll(v, k == K_PID ? &j->pid : &j->started_at))
                        return fail(ret_error, line,
                                    k == K_PID ? "pid: expected a number, got \""
                                               : "started-at: expected a number, got \"",
                                    v);
                return 0;
        case K_ROLLBACK:
                if (!rollback_valid(v))
                        return fail(ret_error, line,
                                    "rollback: expected app names separated by commas, each once, got \"", v);
                snprintf(j->rollback, sizeof j->rollback, "%s", v);
                return 0;
        case K_REASON:
                if (strlen(v) >= sizeof j->reason)
                        return fail(ret_error, line, "rollback-reason: longer than 511 bytes", NULL);
                journal_set_reason(j, v);
                return 0;
        default: return -EINVAL;
        }
}

static int parse_line(char *s, size_t line, bool seen[_K_MAX], struct apply_journal *j, char **ret_error) {
        char *eq = strchr(s, '=');
        if (!eq)
                return fail(ret_error, line, "expected key=value, got \"", s);
        *eq = '\0';
        for (int k = 0; k < _K_MAX; k++) {
                if (strcmp(s, keys[k]) != 0)
                        continue;
                if (seen[k])
                        return fail(ret_error, line, "duplicate key \"", s);
                seen[k] = true;
                return parse_value(k, eq + 1, j, line, ret_error);
        }
        return fail(ret_error, line, "unknown key \"", s);
}

static int parse_lines(char *buf, struct apply_journal *j, char **ret_error) {
        bool seen[_K_MAX] = {0};
        size_t line = 1;
        char *s = buf, *nl = strchr(s, '\n');
        if (!nl || (size_t)(nl - s) != strlen(MAGIC) || strncmp(s, MAGIC, strlen(MAGIC)) != 0)
                return fail(ret_error, 1, "expected \"" MAGIC "\" (an archyctl apply journal, format 1)", NULL);
        for (s = nl + 1; *s; s = nl + 1) {
                line++;
                nl = strchr(s, '\n');
                if (!nl)
                        return fail(ret_error, line, "the last line has no newline (a torn write?)", NULL);
                *nl = '\0';
                int r = parse_line(s, line, seen, j, ret_error);
                if (r < 0)
                        return r;
        }
        if (!seen[K_PHASE])
                return fail(ret_error, line, "the key phase is missing", NULL);
        if (!seen[K_HASH])
                return fail(ret_error, line, "the key new-hash is missing", NULL);
        if (seen[K_REASON] && !seen[K_ROLLBACK])
                return fail(ret_error, line, "rollback-reason without rollback", NULL);
        return 0;
}

int journal_parse(const char *text, struct apply_journal *ret, char **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        char *buf = strdup(text);
        if (!buf)
                return -ENOMEM;
        struct apply_journal j = {0};
        int r = parse_lines(buf, &j, ret_error);
        free(buf);
        if (r >= 0)
                *ret = j;
        return r;
}

char *journal_render(const struct apply_journal *j) {
        char *out = NULL;
        bool rb = j->rollback[0] != '\0';
        if (asprintf(&out, MAGIC "\nphase=%s\nnew-hash=%s\nhad-old=%s\nstarted-at=%lld\npid=%lld\n%s%s%s%s%s",
                     apply_phase_to_string(j->phase), j->new_hash, j->had_old ? "yes" : "no", j->started_at, j->pid,
                     rb ? "rollback=" : "", rb ? j->rollback : "", rb ? "\nrollback-reason=" : "", rb ? j->reason : "",
                     rb ? "\n" : "") < 0)
                return NULL;
        return out;
}

bool journal_rolls_back(const struct apply_journal *j, const char *app) {
        size_t n = strlen(app);
        for (const char *p = j->rollback; *p;) {
                const char *e = strchrnul(p, ',');
                if ((size_t)(e - p) == n && strncmp(p, app, n) == 0)
                        return true;
                p = *e ? e + 1 : e;
        }
        return false;
}

int journal_add_rollback(struct apply_journal *j, const char *app) {
        size_t have = strlen(j->rollback), n = strlen(app);
        if (have + (have ? 1 : 0) + n >= sizeof j->rollback)
                return -E2BIG;
        if (have)
                j->rollback[have++] = ',';
        memcpy(j->rollback + have, app, n + 1);
        return 0;
}

void journal_set_reason(struct apply_journal *j, const char *reason) {
        snprintf(j->reason, sizeof j->reason, "%s", reason);
        for (char *c = j->reason; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = ' ';
}

void journal_copies(const struct apply_journal *j, const char **ret_old, const char **ret_new) {
        bool rb = j->rollback[0] != '\0';
        *ret_new = rb ? "rollback.yaml" : "new.yaml";
        *ret_old = rb ? "new.yaml" : j->had_old ? "old.yaml" : NULL;
}

void journal_step_name(const struct apply_journal *j, char *buf, size_t size) {
        snprintf(buf, size, "%s%s", j->rollback[0] ? "rollback-" : "", apply_phase_to_string(j->phase));
}
