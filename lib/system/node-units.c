/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* node_units_open() (node-user.h), apart: only the binaries that talk to systemd link libsystemd. */
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "node-user.h"
#include "units.h"

int node_units_open(const struct node_user *u, sd_bus **ret) {
        if (u->mode == NODE_ROOTFUL)
                return units_open_system(ret);
        char machine[NODE_USER_MAX + 8];
        snprintf(machine, sizeof(machine), "%s@.host", u->name);
        int r = node_user_is_self(u) ? sd_bus_open_user(ret) : sd_bus_open_user_machine(ret, machine);
        if (r < 0)
                return log_error_errno(r,
                                       "cannot connect to the user manager of %s (the rootless apps user): %m; is "
                                       "lingering enabled (loginctl enable-linger %s)?",
                                       u->name, u->name);
        return 0;
}
