/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"
#include "naming.h"
#include "strbuf.h"

/* Pure: manifest structs in, Quadlet unit text out. Same input, same bytes. */

#define ARCHY_NETWORK_SUBNET "10.89.0.0/24"
#define ARCHY_NETWORK_GATEWAY "10.89.0.1"
#define ARCHY_HOST_ALIAS "host.archipelago"
#define ARCHY_SLICE "archipelago-apps.slice"
#define ARCHY_TARGET "archy-apps.target"
#define ARCHY_DERIVE_SERVICE "archy-derive.service"
#define ARCHY_PODMAN_REPAIR_SERVICE "archy-podman-repair.service"

/* Restart policy: quick first retry, exponential backoff to 5 minutes. With the backoff, a
 * crash-looping app retries forever without ever hitting the start limit; only a storm of
 * manual start requests does. */
#define ARCHY_RESTART_SEC 5
#define ARCHY_RESTART_STEPS 5
#define ARCHY_RESTART_MAX_DELAY_SEC 300
#define ARCHY_START_LIMIT_INTERVAL_SEC 600
#define ARCHY_START_LIMIT_BURST 30
/* Pulling an image on a slow home connection takes minutes. */
#define ARCHY_TIMEOUT_START_SEC 900
/* systemd must outwait podman's own stop timeout, then `podman rm`. */
#define ARCHY_STOP_GRACE_SEC 30

/* File names in the Quadlet staging dir. */
int render_container_filename(const struct container *ct, char **ret);
int render_volume_filename(const struct app *a, const char *volume, char **ret);

void render_container(const struct manifest *m, const struct app *a, const struct container *ct, struct strbuf *out);
void render_volume(const struct manifest *m, const struct app *a, const char *volume, struct strbuf *out);
void render_network(const struct manifest *m, struct strbuf *out);
