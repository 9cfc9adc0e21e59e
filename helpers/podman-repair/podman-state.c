/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman-state.h"

#include <string.h>

/* Error texts of podman and its databases (see shared domain facts: podman state corruption).
 * Each entry is tested with a recorded message in test/unit/test-podman-state.c. */
static const struct {
        enum podman_state state;
        const char *text;
} signatures[] = {
        /* First: on a full disk any other text may follow (a write that failed half way), and a full
         * disk must never be taken for a corrupt database to move aside. */
        {PODMAN_DISK_FULL, "database or disk is full"}, /* SQLITE_FULL */
        {PODMAN_DISK_FULL, "no space left on device"},  /* ENOSPC, as Go prints it */
        {PODMAN_CONFIG_MISMATCH, "database configuration mismatch"},
        {PODMAN_PAUSE_PROCESS, "invalid internal status, try resetting the pause process"},
        {PODMAN_DB_CORRUPT, "panic: invalid page type"},         /* BoltDB */
        {PODMAN_DB_CORRUPT, "scanning container state row"},     /* SQLite rows that do not scan */
        {PODMAN_DB_CORRUPT, "database disk image is malformed"}, /* SQLITE_CORRUPT */
        {PODMAN_DB_CORRUPT, "file is not a database"},           /* SQLITE_NOTADB: overwritten */
        {PODMAN_DB_CORRUPT, "invalid database"},                 /* BoltDB: bad magic or version */
        /* SQLite gives up after its busy timeout while another process holds the database. */
        {PODMAN_HUNG, "database is locked"},
};

static const char *const state_names[] = {
        [PODMAN_HEALTHY] = "healthy",
        [PODMAN_HUNG] = "hung",
        [PODMAN_DB_CORRUPT] = "database-corrupt",
        [PODMAN_DB_MISSING] = "database-missing",
        [PODMAN_CONFIG_MISMATCH] = "configuration-mismatch",
        [PODMAN_PAUSE_PROCESS] = "pause-process",
        [PODMAN_BROKEN] = "podman-broken",
        [PODMAN_UNKNOWN_ERROR] = "unknown-error",
        [PODMAN_DISK_FULL] = "disk-full",
        [PODMAN_NETNS_BROKEN] = "network-namespace-broken",
};

const char *podman_state_to_string(enum podman_state s) {
        return s < _PODMAN_STATE_MAX ? state_names[s] : NULL;
}

/* The line of text that holds needle, for the report. */
static void line_around(const char *text, const char *hit, const char **line, size_t *len) {
        const char *start = hit;
        while (start > text && start[-1] != '\n')
                start--;
        *line = start;
        *len = strcspn(start, "\n");
}

static enum podman_state match_signatures(const struct podman_probe *p, const char **ev, size_t *ev_len) {
        const char *texts[] = {p->err, p->out};
        for (size_t s = 0; s < sizeof(signatures) / sizeof(signatures[0]); s++)
                for (size_t t = 0; t < 2; t++) {
                        const char *hit = texts[t] ? strstr(texts[t], signatures[s].text) : NULL;
                        if (hit) {
                                line_around(texts[t], hit, ev, ev_len);
                                return signatures[s].state;
                        }
                }
        return _PODMAN_STATE_MAX;
}

/* podman info --format json prints one JSON object on stdout, warnings go to stderr. */
static bool looks_like_info(const char *out) {
        if (!out)
                return false;
        out += strspn(out, " \t\r\n");
        return out[0] == '{' && strstr(out, "\"host\"") && strstr(out, "\"store\"");
}

static enum podman_state set_evidence(enum podman_state s, const char *text, const char **ev, size_t *ev_len) {
        *ev = text;
        *ev_len = text ? strlen(text) : 0;
        return s;
}

enum podman_state podman_classify(const struct podman_probe *p, const struct podman_facts *f, const char **ev,
                                  size_t *ev_len) {
        *ev = NULL;
        *ev_len = 0;
        switch (p->end) {
        case PROBE_TIMED_OUT: return set_evidence(PODMAN_HUNG, "podman info did not finish in time", ev, ev_len);
        case PROBE_NOT_FOUND: return set_evidence(PODMAN_BROKEN, "podman is not installed", ev, ev_len);
        case PROBE_SPAWN_FAILED: return set_evidence(PODMAN_BROKEN, "podman could not be started", ev, ev_len);
        default: break;
        }
        /* A known text wins over everything else: a panic also ends in a signal or a status. */
        enum podman_state s = match_signatures(p, ev, ev_len);
        if (s != _PODMAN_STATE_MAX)
                return s;
        if (p->end == PROBE_SIGNALED)
                return set_evidence(PODMAN_BROKEN, "podman was killed by a signal", ev, ev_len);
        if (p->exit_status == 126 || p->exit_status == 127)
                return set_evidence(PODMAN_BROKEN, "podman could not be executed", ev, ev_len);
        if (p->exit_status != 0 || !looks_like_info(p->out))
                return set_evidence(PODMAN_UNKNOWN_ERROR, p->err && *p->err ? p->err : NULL, ev, ev_len);
        /* podman silently starts an empty database when its file is gone: only what it forgot shows. */
        if (f && f->units_without_container > 0)
                return set_evidence(PODMAN_DB_MISSING, "active app units whose containers podman does not know", ev,
                                    ev_len);
        if (f && f->volume_dirs_without_record > 0)
                return set_evidence(PODMAN_DB_MISSING, "volume data directories without a podman volume", ev, ev_len);
        if (f && f->netns != NETNS_OK)
                return set_evidence(PODMAN_NETNS_BROKEN, netns_health_text(f->netns), ev, ev_len);
        return PODMAN_HEALTHY;
}
