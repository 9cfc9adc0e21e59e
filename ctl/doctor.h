/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Pure: archyctl doctor's checks (archyctl(8), DOCTOR). Each check judges what the I/O layer
 * (ctl/io/doctor-gather.c) gathered: the status model (status.h) and the few things status does
 * not read (the helpers' --check runs, free disk space, the clock). Every string is owned by the
 * report (doctor_report_free()). */

enum doctor_verdict {
        DOCTOR_OK,
        DOCTOR_NOT_CHECKED, /* the check could not apply here (a helper not installed): not a problem */
        DOCTOR_WARNING,     /* something is off that the node works on by itself, or soon needs a look */
        DOCTOR_ATTENTION,   /* something needs a person */
};

const char *doctor_verdict_to_string(enum doctor_verdict v); /* "ok", "not-checked", "warning", "attention" */

struct doctor_check {
        const char *name; /* static, stable (archyctl(8), DOCTOR) */
        enum doctor_verdict verdict;
        char *detail;     /* one sentence for people */
        char *suggestion; /* the command to run next, NULL when there is nothing to do */
        char **findings;  /* what the verdict comes from, one line each (problems, units, actions) */
        size_t n_findings;
};

#define DOCTOR_MAX_CHECKS 16

struct doctor_report {
        struct doctor_check checks[DOCTOR_MAX_CHECKS];
        size_t n_checks;
        bool oom;
};

/* A helper doctor ran (archy-derive --check, archy-reconcile --dry-run --json). */
struct doctor_run {
        int error;      /* 0 it ran; -ENOENT not installed; another negative errno: could not start */
        bool timed_out; /* killed after its time */
        bool signaled;  /* exit_status is the signal */
        int exit_status;
        const char *out, *err; /* what it wrote (NULL: nothing) */
};

struct doctor_disk {
        const char *name; /* "disk-root", ... */
        const char *path;
        int error; /* statvfs(): 0 or negative errno */
        uint64_t avail_bytes, total_bytes;
        uint64_t root_free_bytes; /* f_bfree: what root (every archy helper) may still use */
};

#define DOCTOR_MAX_DISKS 3

/* A container the manifest gives a memory or CPU limit (archy-manifest(5): mem_limit, cpus). */
struct doctor_limit {
        char *unit; /* archy-APP[-PART].service */
        bool memory, cpu;
};

/* What the checks judge. */
struct doctor_input {
        struct status *status; /* gathered as archyctl status does (files, then systemd) */
        int systemd_error;     /* status_gather_units() or the unit list failed: negative errno, else 0 */
        char **failed_units;   /* every archy-* unit systemd holds in state failed */
        size_t n_failed_units;
        size_t n_failed_user_units;  /* rootless: the first ones of failed_units, the apps user's manager's */
        struct doctor_run derive;    /* archy-derive --check */
        struct doctor_run reconcile; /* archy-reconcile --dry-run --json */
        struct doctor_disk disks[DOCTOR_MAX_DISKS];
        size_t n_disks;
        int ntp_synchronized;        /* 1, 0, or a negative errno: timedated could not be asked */
        const char *manifest_path;   /* what the manifest check suggests to --check */
        struct doctor_limit *limits; /* the installed apps' containers with a limit */
        size_t n_limits;
        bool rootless;                /* the apps run in the apps user's manager */
        const char *controllers;      /* the cgroup.controllers of the apps' manager's cgroup */
        const char *controllers_path; /* where it was read */
        int controllers_error;        /* reading it: 0 or negative errno */
};

/* The disk thresholds (archyctl(8), DOCTOR): attention under 1 GiB or 2 % free, warning under
 * 5 GiB or 10 % free, ok otherwise. A total of 0 counts by the absolute thresholds alone. */
#define DOCTOR_DISK_ATTENTION_BYTES ((uint64_t)1 << 30)
#define DOCTOR_DISK_ATTENTION_PERCENT 2
#define DOCTOR_DISK_WARNING_BYTES ((uint64_t)5 << 30)
#define DOCTOR_DISK_WARNING_PERCENT 10
enum doctor_verdict doctor_disk_verdict(uint64_t avail_bytes, uint64_t total_bytes);

/* One function per check: each appends its check to r. */
void doctor_check_manifest(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_units(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_drift(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_podman(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_orphans(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_failed_units(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_disk(struct doctor_report *r, const struct doctor_disk *d);
void doctor_check_time(struct doctor_report *r, const struct doctor_input *in);
void doctor_check_ota(struct doctor_report *r, const struct doctor_input *in);
/* "limits": the memory and cpu controllers the limits need, where the apps run (rootless: what the
 * apps user's manager was delegated, user@.service's Delegate=). Without one the container does
 * not start (the OCI runtime refuses the limit): attention. */
void doctor_check_limits(struct doctor_report *r, const struct doctor_input *in);

/* Every check, in the documented order. */
void doctor_run_checks(struct doctor_report *r, const struct doctor_input *in);

/* The worst verdict of all (not-checked counts as ok): ok, warning or attention. */
enum doctor_verdict doctor_overall(const struct doctor_report *r);
/* CTL_EXIT_ATTENTION when something needs a person, else CTL_EXIT_OK (warnings included). */
int doctor_exit_status(const struct doctor_report *r);

/* Renderings; NULL on OOM. The JSON is one object and a newline. */
char *doctor_render_json(const struct doctor_report *r);
char *doctor_render_text(const struct doctor_report *r);

/* archy-reconcile --dry-run --json's output: one line per action
 * {"action": A, "target": T, "app": APP or null, "reason": TEXT}, then {"result": ..., "actions": N}.
 * Appends one finding per action ("A T (app APP): REASON") to *findings. Returns the number of
 * actions, -EINVAL (with *error a static reason) when a line is not such JSON or the last line is
 * missing or its count disagrees, -ENOMEM. */
int doctor_parse_reconcile(const char *out, char ***findings, size_t *n_findings, const char **error);

void doctor_report_free(struct doctor_report *r);
