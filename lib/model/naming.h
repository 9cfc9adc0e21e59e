/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "strbuf.h"

/* The naming contract: the names archy gives the units, containers, volumes and labels of an app.
 * The generator writes them, archy-derive restarts them, archy-podman-repair finds them again in
 * podman's state; all of them ask here. Pure. */

#define ARCHY_MAIN_PART "main"
#define ARCHY_NETWORK_NAME "archipelago"
#define ARCHY_NETWORK_FILE ARCHY_NETWORK_NAME ".network"
/* The service Quadlet makes of the network file. */
#define ARCHY_NETWORK_SERVICE ARCHY_NETWORK_NAME "-network.service"
/* Labels on every container, volume and network archy makes: KEY=VALUE as podman takes them. */
#define ARCHY_LABEL_MANAGED "archy.managed=true"
#define ARCHY_LABEL_APP "archy.app"
#define ARCHY_LABEL_CONTAINER "archy.container"

/* Appenders (a failed allocation is sticky in the strbuf). */
/* archy-<app> for the part "main", archy-<app>-<part> otherwise: the unit and container name. */
void naming_put_unit(struct strbuf *out, const char *app, const char *part);
/* <unit>.service */
void naming_put_service(struct strbuf *out, const char *unit);
/* archy-<app>.service: the service of the app's main part, which other apps require. */
void naming_put_app_service(struct strbuf *out, const char *app);
/* archy-<app>-<volume>: podman's volume name. */
void naming_put_volume(struct strbuf *out, const char *app, const char *volume);
/* archy-<app>-<volume>.volume: the Quadlet file. */
void naming_put_volume_file(struct strbuf *out, const char *app, const char *volume);
/* archy-<app>-<volume>-volume.service: the service Quadlet makes of the volume file. */
void naming_put_volume_service(struct strbuf *out, const char *app, const char *volume);
/* archy.app=<app> */
void naming_put_label_app(struct strbuf *out, const char *app);

/* The same names allocated: 0 or -ENOMEM. */
int naming_unit(const char *app, const char *part, char **ret);
int naming_service(const char *unit, char **ret);
int naming_volume(const char *app, const char *volume, char **ret);
int naming_volume_file(const char *app, const char *volume, char **ret);
int naming_volume_service(const char *app, const char *volume, char **ret);
int naming_label_app(const char *app, char **ret);
