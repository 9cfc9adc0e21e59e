/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "podman-info.h"
#include "podman-state.h"
#include "podman.h"
#include "repair-state.h"
#include "units.h"

/* What archy expects podman to know: the app units of the manifest with their containers, and the
 * named volumes the apps use. */
struct app_units {
        char **units;      /* archy-<app>[-<part>].service */
        char **containers; /* the container each one runs (ContainerName=) */
        bool *active;      /* filled by facts_gather() */
        size_t n;
        char **volumes; /* archy-<app>-<volume>: podman's names for the manifest's named volumes */
        char **volume_apps;
        size_t n_volumes;
        /* Containers of one-shot parts (restart: "no"): their unit stays active after the
         * container exited and podman removed it, so a missing container is expected. */
        char **oneshot_containers;
        size_t n_oneshot;
};

/* Pure. m may be NULL (no manifest: no apps). 0 or -ENOMEM. */
int app_units_from_manifest(const struct manifest *m, struct app_units *ret);
void app_units_done(struct app_units *au);

/* Pure: the names in dirs that are not in records (both NULL-terminated). */
int names_missing(char *const *dirs, char *const *records, char ***ret);

struct podman_knowledge {
        struct podman_facts facts;
        char **volume_dirs_unregistered; /* volume data directories podman has no record of */
};

/* With a healthy probe's info: which active app units' containers podman does not know, and
 * whether volume records went missing. podman is run again only when the answer may have
 * changed: more active units than containers podman counts, or a database file or volume count
 * other than the one last verified (state). */
int facts_gather(const struct podman *p, sd_bus *bus, const struct podman_info *info, struct app_units *au,
                 struct repair_state *state, struct podman_knowledge *ret);
void podman_knowledge_done(struct podman_knowledge *k);

/* Pure: podman's rule for a volume name, [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
bool volume_name_valid(const char *name);
/* Volume data directories (<volume_path>/<name>/_data) whose names podman could have made,
 * NULL-terminated. */
int volume_dirs_list(const char *volume_path, char ***ret);
