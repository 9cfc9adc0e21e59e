/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollback-record.h"

/* Pure: archyctl status's model of the node (filled by ctl/io/cmd-status.c from systemd, the
 * manifest and the helpers' state files), its verdict, and its text and JSON renderings
 * (archyctl(8), STATUS: the JSON is a contract for the node's daemon). Every string is owned
 * by the model (status_free()). */

enum status_level { STATUS_OK, STATUS_DEGRADED, STATUS_ATTENTION };

/* A container's health, where archyctl status can know it without starting podman. */
enum status_health {
        HEALTH_NA,        /* not running: no health to speak of (JSON null) */
        HEALTH_NONE,      /* the container has no health check */
        HEALTH_STARTING,  /* checks have not passed yet */
        HEALTH_HEALTHY,   /* passed */
        HEALTH_UNHEALTHY, /* failed `retries` times in a row */
        HEALTH_UNKNOWN,   /* it has a check and nothing cheap says how it went */
        _HEALTH_MAX,
};

struct status_unit {
        char *unit;  /* archy-lnd.service */
        char *part;  /* the manifest's container name ("main") */
        bool loaded; /* systemd has it in memory, loaded (false: not generated, or garbage-collected) */
        char *active_state, *sub_state; /* NULL when !found */
        enum status_health health;
        const char *health_source; /* static: "notify", "healthcheck-log", "manifest" or NULL */
        unsigned failing_streak;   /* from podman's health log, when that is the source */
        unsigned n_restarts;       /* systemd's NRestarts: automatic restarts since the last manual start */
        bool oneshot;              /* the manifest's restart: "no" (runs to completion) */
        bool has_health;           /* the manifest gives it a health check */
        bool notify_healthy;       /* Notify=healthy: systemd calls it active once the check passed */
        /* The last failure, as systemd still holds it (Result is not "success"): */
        char *result;              /* Result: "success", "exit-code", "signal", "timeout", ... */
        char *exec_main_code;      /* "exited", "killed", "dumped", or NULL when the main process never ran */
        int exec_main_status;      /* the exit status, or the signal number */
        uint64_t failed_at_usec;   /* realtime, 0: unknown */
        uint64_t state_since_usec; /* StateChangeTimestamp, realtime, 0: unknown */
};

/* What archy-reconcile's state file says of an app (archy-reconcile(8), FILES). */
struct status_app_reconcile {
        unsigned restarts;    /* restart-app actions taken, ever */
        long long next_retry; /* no restart before (seconds since the epoch), 0: none pending */
        char *last_reason;    /* why the last restart-app was taken, NULL: none */
};

/* A live probe the manifest declares for an app desired started (apps.APP.probes), with its last
 * recorded result (the probe record, probe-record.h): status reads it, it does not probe. */
struct status_probe {
        char *name;
        const char *kind; /* static: "tcp" or "http" */
        char *target;
        bool checked; /* a result is recorded (false: not probed yet; ok, detail, duration, time unknown) */
        bool ok;
        char *detail;
        unsigned duration_ms;
        long long checked_at; /* seconds since the epoch */
};

struct status_app {
        char *name;
        char *desired;           /* "started", "stopped", "uninstalled" */
        bool skipped;            /* the manifest has problems in this app: it has no units */
        enum status_level level; /* status_evaluate(): the worst of its problems */
        struct status_unit *units;
        size_t n_units;
        struct status_app_reconcile reconcile;
        /* archyctl apply's record of its last rollback of this app's image (STATE-DIR/rolled-back/APP),
         * NULL when there is none: informational, the verdict does not count it */
        struct rollback_record *rolled_back;
        struct status_probe *probes; /* only for an app desired started */
        size_t n_probes;
};

/* archyctl apply pulling an image ahead of a start right now (STATE-DIR/pulling/APP, while the
 * apply that wrote it lives): the app may not be in the manifest yet (an install). */
struct status_pull {
        char *app, *part, *image;
        long long since; /* wall clock (s) */
};

struct status_problem {
        enum status_level level;
        char *app; /* NULL: the node */
        char *text;
};

/* archy-podman-repair's status file (archy-podman-repair(8), FILES). */
struct status_podman {
        bool known;   /* the file was read and understood */
        char *error;  /* why not, when !known and the file exists (else NULL: not written yet) */
        char *result; /* "healthy", "repaired", "failed", "needs-attention", "gave-up" */
        bool healthy;
        char *state_now; /* the state after this run */
        char *gave_up_reason;
        unsigned failed_repairs_in_a_row;
        long long checked_at; /* seconds since the epoch */
        /* Its state file (REPAIR_STATE_PATH): every repair that ran, ever; false: not read. */
        bool repairs_known;
        unsigned long long repairs_total;
};

/* archy-verify-ota's state file (archy-verify-ota(8)). */
struct status_ota {
        bool known;  /* false: no update was ever verified (no state file) */
        char *error; /* the state file exists but could not be read or parsed */
        char *phase; /* "pending", "verifying", "committed", "rolling-back", "rolled-back" */
        char *reason, *new_version, *previous_version;
        unsigned attempts;
        long long applied_at, decided_at;
};

/* archy's oneshot helpers, as systemd remembers their .service units (archy-NAME.service). */
enum status_helper_id {
        HELPER_DERIVE,
        HELPER_PODMAN_REPAIR,
        HELPER_RECONCILE,
        HELPER_VERIFY_OTA,
        HELPER_APPLY_RESUME,
        HELPER_METRICS,
        _HELPER_MAX,
};

/* A helper's last run. */
struct status_helper {
        bool found;   /* the unit is loaded */
        char *result; /* Result of its last run, NULL: it never ran */
        int exec_main_status;
        uint64_t started_usec;  /* realtime start of its last run (ExecMainStartTimestamp), 0: unknown */
        uint64_t last_run_usec; /* realtime end of its last run (ExecMainExitTimestamp), 0: never ran */
};

/* archy-derive's drift counters (derive-state.h): per app and file, the runs that found it
 * drifted and those that rewrote it. */
struct status_drift {
        char *app, *file;
        unsigned long long found, repaired;
};

/* Free and total bytes of a filesystem archyctl doctor checks (statvfs: f_bavail, f_blocks). */
#define STATUS_MAX_DISKS 3
struct status_disk {
        char *path;
        int error; /* statvfs(): 0 or negative errno */
        uint64_t free_bytes, size_bytes;
};

/* archy-reconcile's state file as a whole. */
struct status_reconcile {
        bool known;               /* the file was read and understood */
        char *error;              /* why not, when it exists (else NULL: not written yet) */
        long long last_full_scan; /* its last run that asked podman, 0: none */
};

struct status_manifest {
        char *path;      /* the installed manifest */
        char *last_good; /* its last good copy */
        char *in_use;    /* the file the apps come from, NULL: none (no apps) */
        bool fallback;   /* the last good copy stands in for an unusable installed manifest */
        bool present;    /* the installed manifest exists */
        char **problems; /* the installed manifest's problems, one sentence each */
        size_t n_problems;
        char **last_good_problems; /* the last good copy's, when it was tried */
        size_t n_last_good_problems;
};

/* Who runs the apps (archy-manifest(5) NODE), from the manifest in use (rootful without one). */
struct status_node {
        const char *mode; /* static: "rootful", "rootless" */
        char *user;       /* the apps user: "root" when rootful */
};

struct status {
        long long now; /* seconds since the epoch, when gathered */
        struct status_manifest manifest;
        struct status_node node;
        struct status_app *apps;
        size_t n_apps;
        struct status_pull *pulls;
        size_t n_pulls;
        struct status_podman podman;
        struct status_ota ota;
        struct status_helper helpers[_HELPER_MAX];
        struct status_drift *drift;
        size_t n_drift;
        struct status_reconcile reconcile;
        char *probes_error; /* the probe record exists but could not be read or parsed */
        struct status_disk disks[STATUS_MAX_DISKS];
        size_t n_disks;
        /* Filled by status_evaluate(): */
        enum status_level verdict;
        struct status_problem *problems;
        size_t n_problems;
        bool oom; /* an allocation failed while filling or evaluating: report an error */
};

const char *status_level_to_string(enum status_level l);   /* "ok", "degraded", "attention" */
const char *status_health_to_string(enum status_health h); /* NULL for HEALTH_NA */
/* "derive", "podman-repair", "reconcile", "verify-ota", "apply-resume", "metrics" */
const char *status_helper_to_string(enum status_helper_id h);

/* Append helpers for the I/O layer: each returns the new element (zeroed), NULL on OOM (s->oom). */
struct status_app *status_add_app(struct status *s, const char *name, const char *desired);
/* Takes p's strings (zeroed in *p). */
struct status_pull *status_add_pull(struct status *s, struct status_pull *p);
struct status_unit *status_add_unit(struct status *s, struct status_app *a, const char *unit, const char *part);
struct status_probe *status_add_probe(struct status *s, struct status_app *a, const char *name, const char *kind,
                                      const char *target);
/* A copy of str, or NULL (and s->oom) on OOM; NULL for NULL. */
char *status_strdup(struct status *s, const char *str);
/* Append a copy of str to a string list. */
void status_strv_add(struct status *s, char ***list, size_t *n, const char *str);

/* Decide the verdict and list the problems behind it (archyctl(8), STATUS, Verdict). */
void status_evaluate(struct status *s);
/* The exit status: CTL_EXIT_ATTENTION for attention, else CTL_EXIT_OK. */
int status_exit_status(const struct status *s);

/* Renderings; NULL on OOM. The JSON is one object and a newline. */
char *status_render_json(const struct status *s);
char *status_render_text(const struct status *s);

/* Parsers of what the I/O layer reads (pure: text in, fields out). 0 or -EINVAL (with *error set
 * to why when error is not NULL), -ENOMEM. */
/* podman's health log (libpod: healthcheck.log beside the container's userdata dir, the JSON of
 * define.HealthCheckResults, which starts {"Status":"...","FailingStreak":N). */
int status_parse_health_log(const char *text, size_t len, enum status_health *ret, unsigned *failing_streak);
/* archy-podman-repair's status file. */
int status_parse_podman(struct status *s, const char *text, size_t len);
/* archy-verify-ota's state file (ota_state_parse()). */
int status_parse_ota(struct status *s, const char *text);
/* archy-reconcile's state file (reconcile_state_parse()): s->reconcile, and each app's reconcile
 * (call after the apps were added). */
int status_parse_reconcile(struct status *s, const char *text, size_t len);
/* The probe record (probe_record_parse()): each app's probes get the result recorded for the same
 * name, kind and target (call after the apps were added). 0, -EINVAL (s->probes_error set), -ENOMEM. */
int status_parse_probes(struct status *s, const char *text, size_t len);

/* archy-derive's drift counters (derive_state_parse()): s->drift. Malformed lines are skipped;
 * 0 or -ENOMEM. */
int status_parse_derive_state(struct status *s, const char *text, size_t len);
/* archy-podman-repair's state file (repair_state_parse()): s->podman.repairs_total. 0 or -ENOMEM. */
int status_parse_repair_state(struct status *s, const char *text);

/* archyctl apply's note of a pull under way (STATE-DIR/pulling/APP, "PART IMAGE SINCE PID"):
 * *ret's part, image and since, *pid the apply's (the I/O layer adds the note, with
 * status_add_pull(), only while that apply lives). Strings from status_strdup(). */
int status_parse_pulling(struct status *s, const char *text, struct status_pull *ret, long long *pid);

void status_free(struct status *s);
