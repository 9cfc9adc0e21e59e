/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* node_units_open() (node-user.h), apart: only the binaries that talk to systemd link libsystemd. */
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "node-user.h"
#include "units.h"

int node_units_open(const struct node_user *u, sd_bus **ret) {
        char machine[NODE_UNITS_MACHINE_MAX];
        enum node_units_bus target = node_units_target(u, machine);
        if (target == NODE_UNITS_SYSTEM)
                return units_open_system(ret);
        int r = target == NODE_UNITS_USER_SELF ? sd_bus_open_user(ret) : sd_bus_open_user_machine(ret, machine);
        if (r < 0)
                return log_error_errno(r,
                                       "cannot connect to the user manager of %s (the rootless apps user): %m; is "
                                       "lingering enabled (loginctl enable-linger %s)?",
                                       u->name, u->name);
        return 0;
}
