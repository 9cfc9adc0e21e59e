/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "manifest.h"
#include "plan-images.h"
#include "plan.h"

/* The I/O halves of `archyctl apply` (archyctl(8) apply): the state directory (apply-state.c),
 * the steps over systemd and podman (apply-exec.c), and what it prints (apply-print.c). */

#define APPLY_STATE_DIR "/var/lib/archipelago/apply"
/* STATE-DIR/rollback.yaml: the rollback's manifest (new.yaml with the failed images put back) */
#define APPLY_ROLLBACK_COPY "rollback.yaml"
/* STATE-DIR/rolled-back/APP: the record of APP's last rollback (rollback-record.h) */
#define APPLY_ROLLED_BACK_DIR "rolled-back"
/* STATE-DIR/pulling/APP: "PART IMAGE SINCE PID" while an apply pulls APP's image (status shows it) */
#define APPLY_PULLING_DIR "pulling"

typedef struct sd_bus sd_bus;
struct spawn_result;
struct ctl_node;

struct apply_settings {
        const char *manifest_path; /* the installed manifest */
        const char *state_dir;
        long timeout_sec; /* 0: per app, its health window, at least 120 s */
        bool json, tty, no_wait;
        /* Who runs the apps (ctl-node.h; NULL: rootful). The bus apply_execute() gets is the apps'
         * manager; rootless, system_bus is the system manager (archy-derive, its daemon-reload),
         * NULL when the apps' bus is the system's. */
        const struct ctl_node *node;
        sd_bus *system_bus;
};

/* An edit of the installed manifest (archyctl install, uninstall, start, stop, restart,
 * cmd-edit.c), carried out by apply under its lock: lock, finish an interrupted apply, read the
 * installed manifest, compute(), validate, plan, execute. compute() gets the installed bytes and
 * returns CTL_EXIT_OK with *ret_text (malloc'ed), -1 when there is nothing to do (it said so), or
 * a CTL_EXIT_* status after saying why. */
struct apply_edit {
        const char *what; /* names the change where apply names FILE: "stop lnd" */
        const char *app;
        bool restart; /* the plan restarts app (plan_force_restart()) */
        int (*compute)(const struct apply_edit *e, const char *old_text, size_t old_len, char **ret_text,
                       size_t *ret_len);
        void *ctx;
};
/* Returns as archyctl apply exits (CTL_EXIT_*). */
int apply_run_edit(const struct apply_settings *s, bool dry_run, const struct apply_edit *e);

/* apply-print.c: the plan, then one event per step and per app, then the result. */
void print_plan(const struct apply_settings *s, const char *file, const struct plan *p);
/* rollback: a step of the rollback's own apply (archyctl(8) IMAGES). */
void print_step(const struct apply_settings *s, enum apply_phase phase, bool rollback);
/* An image of the pull step: state "present", "pulling", "pulled" or "failed" (with detail). */
void print_pull(const struct apply_settings *s, const struct plan_image *it, const char *state, const char *detail);
/* A container whose image is put back (it->image the one that failed, it->old_image the one back). */
void print_rollback(const struct apply_settings *s, const struct plan_image *it, const char *reason);
/* The apps being waited for, each one line ("waiting", "running", "healthy", "timeout: ...");
 * on a terminal the block is redrawn in place. */
struct app_progress {
        const char *name;
        const char *state;
        char detail[160];
};
void print_progress(const struct apply_settings *s, struct app_progress *apps, size_t n, bool redraw, bool changed);
void print_result(const struct apply_settings *s, int status, const struct app_progress *apps, size_t n);

/* apply-state.c: STATE-DIR/{lock,journal,old.yaml,new.yaml}. */
/* Take STATE-DIR/lock (flock, blocking: says who holds it while it waits). The fd, or negative errno. */
int apply_lock(const char *state_dir);
/* 1 and *ret when a journal is there, 0 when none, negative errno (said) when it is unreadable. */
int apply_journal_load(const char *state_dir, struct apply_journal *ret);
/* Persist j atomically; then, when $ARCHY_APPLY_CRASH_AFTER names j->phase (rollback-PHASE in a
 * rollback's journal), SIGKILL itself, when $ARCHY_APPLY_STOP_AFTER does, SIGSTOP (tests). */
int apply_journal_save(const char *state_dir, const struct apply_journal *j);
/* Remove the journal first (the apply is over), then old.yaml, new.yaml and rollback.yaml. */
int apply_journal_clear(const char *state_dir);
int apply_save_copy(const char *state_dir, const char *name, const char *text, size_t len);
/* The bytes of STATE-DIR/name (a regular file), or -ENOENT. */
int apply_read_copy(const char *state_dir, const char *name, char **ret, size_t *ret_len);
/* new.yaml's bytes become the installed manifest (atomic, 0644, owned by root when run as root). */
int apply_install_manifest(const char *path, const char *text, size_t len);

/* apply-exec.c: carry out the steps after j->phase (the stop step again before installed),
 * persisting each; an image update that did not get healthy is rolled back (apply_rollback()).
 * old: the manifest p was planned from (NULL: none). Returns CTL_EXIT_OK, CTL_EXIT_NOT_CONVERGED,
 * CTL_EXIT_ROLLED_BACK or CTL_EXIT_FAILED. */
int apply_execute(sd_bus *bus, const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                  const struct plan *p, const char *new_text, size_t new_len, struct apply_journal *j);
/* plan_running_fn over systemd (ctx: the bus; NULL: nothing runs). */
bool apply_unit_running(const char *service, void *ctx);

/* apply-images.c */
/* The apps' podman (ARCHY_PODMAN, default /usr/bin/podman; rootless, as the apps user) with args
 * (no "podman" first): spawn_capture()'s result. */
int apply_podman(const struct apply_settings *s, const char *const *args, long timeout_ms, struct spawn_result *res);
/* Every image of im->pull present, pulled when it is not: CTL_EXIT_OK, or CTL_EXIT_PULL_FAILED
 * after saying which app, container and image. */
int apply_pull(const struct apply_settings *s, const struct plan_images *im);
/* After the wait of a forward apply that did not converge: each app in pr that timed out on a
 * changed image of p (old -> new) is rolled back by an apply of its own, journaled (rollback=).
 * Returns that apply's status, or -1 when there was nothing to roll back. */
int apply_rollback(sd_bus *bus, const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                   const struct plan *p, const char *new_text, size_t new_len, const struct app_progress *pr, size_t n);
/* The records at the end of an apply (the rollback's written, a converged update's forgotten);
 * the apps rolled back get the state "rolled-back". Returns the exit status. */
int apply_images_finish(const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                        const struct plan *p, const struct apply_journal *j, struct app_progress *pr, size_t n,
                        int status);
void apply_forget_rollback(const char *state_dir, const char *app);
