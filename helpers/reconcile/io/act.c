/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "reconcile-io.h"

/* podman ARGS...: 0 when it exited 0, else -EIO (logged with its stderr). */
static int podman_ok(const struct podman *p, const char *const *args) {
        struct spawn_result res = {0};
        int r = podman_run(p, args, &res);
        if (r < 0)
                log_error_errno(r, "cannot run %s: %m", p->path);
        else if (res.end != SPAWN_EXITED || res.status != 0)
                r = log_error_errno(-EIO, "podman %s %s: failed (%s %d): %.200s", args[0], args[1],
                                    res.end == SPAWN_EXITED ? "exit status" : "ended by", res.status, res.err);
        spawn_result_done(&res);
        return r;
}

static int stop_unit(sd_bus *bus, const char *unit, long timeout_ms) {
        char *units[] = {(char *)unit};
        return units_stop(bus, units, 1, timeout_ms) == 0 ? 0 : log_error_errno(-ETIMEDOUT, "%s did not stop", unit);
}

static int restart_app(sd_bus *bus, const struct rc_action *a) {
        /* reset-failed first: a unit that hit its start limit refuses a start until then. */
        (void)units_reset_failed(bus, a->units, a->n_units);           /* each refusal logged */
        return units_start(bus, a->units, a->n_units) == 0 ? 0 : -EIO; /* each refusal logged */
}

int act(sd_bus *bus, const struct podman *p, const struct rc_action *a, long timeout_ms) {
        switch (a->kind) {
        case RC_STOP_UNIT: return stop_unit(bus, a->target, timeout_ms);
        case RC_STOP_CONTAINER: {
                const char *stop[] = {"stop", "--ignore", "--time", "10", a->target, NULL};
                const char *rm[] = {"rm", "--force", "--ignore", a->target, NULL};
                int r = podman_ok(p, stop);
                return r < 0 ? r : podman_ok(p, rm);
        }
        case RC_REMOVE_CONTAINER: {
                const char *rm[] = {"rm", "--force", "--ignore", "--time", "10", a->target, NULL};
                return podman_ok(p, rm);
        }
        case RC_RESTART_APP: return restart_app(bus, a);
        default: return 0; /* reported, nothing to do */
        }
}
