/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Units stopped, started and restarted through systemd over D-Bus (archy-podman-repair,
 * archy-verify-ota), never behind its back. Only binaries that use it link libsystemd: lib is a
 * static archive. */

typedef struct sd_bus sd_bus;

/* The system manager, or with user the calling user's own. 0 or negative errno. */
int units_open(bool user, sd_bus **ret);
/* A manager's private socket at address (unix:path=...), peer to peer as systemctl uses it as
 * root: no broker in between (about a third of a helper's own cost), and it works before
 * dbus-daemon is up at boot. A manager takes root's connection as its own user's (sd-bus's
 * EXTERNAL authentication accepts uid 0). Negative errno, not logged. */
int units_open_private(const char *address, sd_bus **ret);
/* units_open(false, ret): the system manager. */
int units_open_system(sd_bus **ret);
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

/* ---- archyctl status: the states of many units in few round trips --------------------------- */

struct unit_list_entry {
        char *name, *load_state, *active_state, *sub_state;
};
/* One ListUnitsByPatterns call: every unit systemd has in memory whose name matches one of
 * patterns (NULL-terminated, fnmatch as systemctl's), in any state. 0 or negative errno. */
int units_list(sd_bus *bus, char *const *patterns, struct unit_list_entry **ret, size_t *ret_n);
void units_list_free(struct unit_list_entry *l, size_t n);

/* The few properties of a service that say how it last ended and how often it restarted. */
struct unit_service_props {
        bool read;                     /* systemd answered for this unit */
        char *type;                    /* Type: "simple", "notify", "oneshot", ... */
        char *result;                  /* Result: "success", "exit-code", "signal", "timeout", ... */
        int exec_main_code;            /* ExecMainCode: CLD_EXITED, CLD_KILLED, CLD_DUMPED; 0: none */
        int exec_main_status;          /* ExecMainStatus: exit status or signal number */
        unsigned n_restarts;           /* NRestarts */
        uint64_t exec_main_start_usec; /* ExecMainStartTimestamp, realtime µs, 0: none */
        uint64_t exec_main_exit_usec;  /* ExecMainExitTimestamp, realtime µs, 0: none */
        uint64_t inactive_enter_usec;  /* InactiveEnterTimestamp (org.freedesktop.systemd1.Unit) */
        uint64_t state_change_usec;    /* StateChangeTimestamp (org.freedesktop.systemd1.Unit) */
};
/* For each of the n units: GetAll on org.freedesktop.systemd1.Service and Get of the two Unit
 * timestamps, every request sent before any reply is read (one round trip's latency for all).
 * A unit systemd does not answer for keeps read == false. 0 or negative errno (the bus failed). */
int units_service_props(sd_bus *bus, char *const *units, size_t n, struct unit_service_props *ret);
void unit_service_props_done(struct unit_service_props *p);

/* A bus at `address` (a D-Bus address, "unix:path=..."), as a client of its bus daemon: tests put
 * a stand-in for systemd there. 0 or negative errno (logged). */
int units_open_address(const char *address, sd_bus **ret);

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

/* ---- archyctl doctor ------------------------------------------------------------------------ */

/* The unit's LoadState ("loaded", "not-found", "bad-setting", ...), malloc'ed. Asking for it
 * makes systemd load a unit it does not hold in memory, as `systemctl show` does: a unit
 * generated but garbage-collected answers "loaded". 0 or negative errno (not logged). */
int units_load_state(sd_bus *bus, const char *unit, char **ret);
/* A boolean property of any service on the bus (timedated's NTPSynchronized). 0 or negative
 * errno (not logged). */
int units_get_bool_property(sd_bus *bus, const char *destination, const char *path, const char *interface,
                            const char *property, bool *ret);
