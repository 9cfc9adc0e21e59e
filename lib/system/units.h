/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Units stopped, started and restarted through systemd over D-Bus (archy-podman-repair,
 * archy-verify-ota), never behind its back. Only binaries that use it link libsystemd: lib is a
 * static archive. */

typedef struct sd_bus sd_bus;

/* The system manager, or with user the calling user's own. 0 or negative errno. */
int units_open(bool user, sd_bus **ret);
void units_close(sd_bus *bus);

/* active[i]: units[i] is active (running: its container exists), or with starting also
 * activating or reloading (a unit to stop and start again). 0 or negative errno. */
int units_active(sd_bus *bus, char *const *units, size_t n, bool starting, bool *active);
/* Stop every unit at once (systemd orders them), then wait until none is still stopping, at most
 * timeout_ms. Returns the number that did not end inactive or failed. */
size_t units_stop(sd_bus *bus, char *const *units, size_t n, long timeout_ms);
/* Queue a start job for every unit; no waiting: app units are ordered after
 * archy-podman-repair.service, so they start when this run has ended. Returns the number of
 * jobs systemd refused. */
size_t units_start(sd_bus *bus, char *const *units, size_t n);
/* Restart every unit and wait at most timeout_ms for each to be active again. Returns the number
 * that did not get there. */
size_t units_restart(sd_bus *bus, char *const *units, size_t n, long timeout_ms);

/* systemctl daemon-reload: Manager.Reload, which returns once the generators ran and the units
 * were loaded again. 0 or negative errno (logged). */
int units_reload(sd_bus *bus);
/* Wait until systemd has no job of job_type ("stop"; NULL: any) queued or running for a unit
 * whose name starts with `prefix` (stops an app's ExecStopPost passes on are queued in the
 * background), at most timeout_ms. Returns how many such jobs are left (0: none), or a negative
 * errno. */
int units_wait_jobs(sd_bus *bus, const char *prefix, const char *job_type, long timeout_ms);
/* The unit's ActiveState, SubState and (for a service) Result, each malloc'ed ("" for a unit
 * that has no Result). 0 or negative errno. */
int units_state(sd_bus *bus, const char *unit, char **ret_active, char **ret_sub, char **ret_result);
/* systemctl reset-failed UNIT for each (a unit that vanishes while failed would stay listed as
 * failed). Returns how many calls failed (a unit not loaded counts as done). */
size_t units_reset_failed(sd_bus *bus, char *const *units, size_t n);
