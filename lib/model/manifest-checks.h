/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Checks manifest_validate() runs on a parsed manifest, each in its own file. A problem skips
 * its app (diag_add with the app's name). */

#include "diag.h"
#include "manifest.h"

/* No two containers of apps that are not uninstalled answer to one network alias, and an alias is
 * no container's name (manifest-aliases.c). */
void manifest_check_aliases(struct manifest *m, struct diag_list *diags);

/* No two apps claim the same unit, volume or host port (manifest-conflicts.c). */
void manifest_check_conflicts(struct manifest *m, struct diag_list *diags);

/* A rootless node publishes no host port below 1024: the apps' user cannot bind one
 * (net.ipv4.ip_unprivileged_port_start); the node's nginx serves those (manifest-check-rootless.c). */
#define ROOTLESS_PORT_MIN 1024
void manifest_check_rootless(struct manifest *m, struct diag_list *diags);

/* nginx-route ports: each used once, by no container's published port either (manifest-routes.c). */
void manifest_check_nginx_ports(struct manifest *m, struct diag_list *diags);

/* An upper bound on the ExecStart= line podman's Quadlet makes of a container: Quadlet puts the
 * image, the command, every environment variable, env file, volume, port and the health
 * command on that one line, each escaped (at most doubled) after a flag. Pure. */
size_t container_exec_line_bound(const struct app *a, const struct container *ct);
/* Every container's bound is below ARCHY_UNIT_LINE_MAX (manifest-limits.c). */
void manifest_check_line_limits(struct manifest *m, struct diag_list *diags);

/* archy-derive's default canonical secrets directory (archy-derive --secrets-dir). */
#define ARCHY_SECRETS_DIR "/var/lib/archipelago/secrets"
/* No derived path may be, lie below or above the secrets directory, the manifest (the default
 * one and the one being read) or its last good copy; nor lie in a directory any container
 * mounts read-write (manifest-derived-paths.c). */
void manifest_check_derived_paths(struct manifest *m, struct diag_list *diags);

/* Between apps: requires with condition healthy needs the required app's main container to have
 * a health check; marks that container Notify=healthy. */
void manifest_check_requires_health(struct manifest *m, struct diag_list *diags);

/* Volumes (manifest-volumes.c): a declared volume is mounted by a container of its app; another
 * app's volume (mount with app:) names an app this one requires and a volume that app mounts. */
void manifest_check_volumes(struct manifest *m, struct diag_list *diags);
