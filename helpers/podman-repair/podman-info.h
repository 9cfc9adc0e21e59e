/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure: the few facts archy-podman-repair needs from `podman info --format json` (stdout only:
 * podman prints warnings on stderr). JSON is YAML, so libyaml reads it. */
struct podman_info {
        char *version;     /* version.Version */
        char *db_backend;  /* host.databaseBackend: "sqlite" or "boltdb" */
        char *graph_root;  /* store.graphRoot */
        char *run_root;    /* store.runRoot */
        char *volume_path; /* store.volumePath */
        long containers;   /* store.containerStore.number: what the database knows */
        long containers_running;
};

/* Returns 0, or -EINVAL when text is not podman's info object (no store.graphRoot). */
int podman_info_parse(const char *text, size_t len, struct podman_info *ret);
void podman_info_done(struct podman_info *info);

/* Where podman keeps its database, from the backend and graph root (NULL on OOM). */
char *podman_db_path(const char *db_backend, const char *graph_root);
