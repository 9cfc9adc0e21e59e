/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "manifest-checks.h"
#include "values.h"

/* Quadlet's own part of the line: the podman binary, --name, --cidfile, --replace, --rm,
 * --cgroups, --sdnotify, -d, the labels, the network, the host alias, --init, --stop-timeout;
 * about 700 bytes for the longest names archy allows, counted generously. */
#define EXEC_LINE_FIXED 4096u
/* A flag ("--health-cmd ", "--env-file ", "-v "...), the quotes and the space around a value. */
#define EXEC_ITEM_OVERHEAD 32u

/* One value as Quadlet writes it: each byte at most doubled by escaping (%% $$ \" \\). */
static size_t item(size_t len) {
        return 2 * len + EXEC_ITEM_OVERHEAD;
}

/* A value an app with problems may have left unset counts as empty. */
static size_t slen(const char *s) {
        return s ? strlen(s) : 0;
}

size_t container_exec_line_bound(const struct app *a, const struct container *ct) {
        size_t n = EXEC_LINE_FIXED + item(slen(ct->image)) + item(slen(ct->unit)) + item(slen(a->name));
        for (size_t i = 0; i < ct->n_command; i++)
                n += item(slen(ct->command[i]));
        for (size_t i = 0; i < ct->n_mounts; i++) /* "archy-APP-VOLUME:/target:ro" */
                n += item(slen(ct->mounts[i].app ?: a->name) + slen(ct->mounts[i].source) + slen(ct->mounts[i].target) +
                          16);
        for (size_t i = 0; i < ct->n_ports; i++) /* "255.255.255.255:65535:65535/udp" */
                n += item(32);
        for (size_t i = 0; i < ct->n_env; i++) /* an ${app:...} reference is longer than what it names */
                n += item(slen(ct->env[i].name) + 1 + slen(ct->env[i].value));
        for (size_t i = 0; i < ct->n_env_files; i++)
                n += item(slen(ct->env_files[i]));
        if (ct->has_health) /* the command and the interval, timeout, retries, start period, action flags */
                n += item(slen(ct->health.cmd)) + 5 * item(16);
        return n;
}

void manifest_check_line_limits(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED || a->skip)
                        continue;
                for (size_t c = 0; c < a->n_containers; c++) {
                        const struct container *ct = &a->containers[c];
                        size_t bound = container_exec_line_bound(a, ct);
                        if (bound <= ARCHY_UNIT_LINE_MAX)
                                continue;
                        diag_add(diags, a->name, ct->pos.line, ct->pos.col,
                                 "apps.%s.containers.%s: expected a container whose image, command, environment, "
                                 "volumes, ports and health command fit on one unit line (podman's Quadlet writes "
                                 "them all into ExecStart=, which systemd reads up to %u bytes), got up to %zu "
                                 "bytes: shorten them or move settings into an env_files file",
                                 a->name, ct->part, ARCHY_UNIT_LINE_MAX, bound);
                        a->skip = true;
                }
        }
}
