/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* node_units_open() (node-user.h), apart: only the binaries that talk to systemd link libsystemd. */
#include <stdio.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "node-user.h"
#include "units.h"

int node_units_open(const struct node_user *u, sd_bus **ret) {
        char machine[NODE_UNITS_MACHINE_MAX];
        enum node_units_bus target = node_units_target(u, machine);
        if (target == NODE_UNITS_SYSTEM)
                return units_open_system(ret);
        if (target == NODE_UNITS_USER_MACHINE && geteuid() == 0) {
                /* root: the user manager's private socket, as for the system's (units.h); through
                 * USER@.host, sd-bus would start systemd-run with a PAM login session for the user
                 * and a stdio bridge, at every status, every metrics run (seen in e2e 210) */
                char address[64];
                snprintf(address, sizeof(address), "unix:path=/run/user/%u/systemd/private", (unsigned)u->uid);
                if (units_open_private(address, ret) >= 0)
                        return 0;
        }
        int r = target == NODE_UNITS_USER_SELF ? sd_bus_open_user(ret) : sd_bus_open_user_machine(ret, machine);
        if (r < 0)
                return log_error_errno(r,
                                       "cannot connect to the user manager of %s (the rootless apps user): %m; is "
                                       "lingering enabled (loginctl enable-linger %s)?",
                                       u->name, u->name);
        return 0;
}
