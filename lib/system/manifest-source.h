/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"

/* Which manifest a binary acts on: the installed one, or its last good copy when the installed one
 * is unusable. archy-generator, archy-derive and archy-podman-repair all ask here. */

/* The last good copy: $ARCHY_LAST_GOOD when set and not empty, else ARCHY_MANIFEST_LAST_GOOD_PATH. */
const char *manifest_last_good_path(void);

/* Log every problem in `diags` (one line each) at `level`. */
void log_diags(const struct diag_list *diags, int level);

/* A manifest named on the command line, which never falls back: manifest_load() with its problems
 * logged as errors. */
int load_manifest_logged(const char *path, struct manifest **ret);

/* The manifest the generator acts on: `path`; if that exists but is unusable as a whole, the
 * last good copy. *ret is NULL when there is no manifest at all (no apps). Returns 0 when *ret
 * (or its absence) is what the operator asked for, 1 when the last good copy stands in,
 * negative errno when neither is usable. Logs what it decided. */
int load_manifest_with_fallback(const char *path, const char *last_good, struct manifest **ret);

/* The decision of load_manifest_with_fallback() with nothing logged, for a caller that reports it
 * (archyctl status): problems holds what manifest_load() found in `path` (its skipped apps' too
 * when it is usable), last_good_problems the last good copy's when it was tried. */
struct manifest_source {
        struct manifest *manifest; /* NULL: no manifest (installed_r -ENOENT), or neither usable */
        int installed_r;           /* manifest_load(path): 0, -ENOENT, -EPERM, -EINVAL, ... */
        int last_good_r;           /* 1: not tried (the installed one was usable or absent), else manifest_load's */
        bool fallback;             /* the last good copy stands in */
        struct diag_list problems, last_good_problems;
};
/* Returns as load_manifest_with_fallback(); *ret is always to be released with manifest_source_done(). */
int manifest_source_load(const char *path, const char *last_good, struct manifest_source *ret);
void manifest_source_done(struct manifest_source *s);
/* Logs what load_manifest_with_fallback() logs for that decision (r: manifest_source_load's). */
void manifest_source_report(const struct manifest_source *s, int r, const char *path, const char *last_good);

/* Validate `path`; when it has no problem at all, copy it atomically to `last_good` (only
 * if the bytes differ). Returns 0 (saved or already current or no manifest), -EINVAL when the
 * manifest has problems, other negative errno on I/O errors. */
int save_last_good(const char *path, const char *last_good);

/* What `archy-generator --check` prints (archyctl apply prints the same): on stderr "PATH: no
 * such file" when r is -ENOENT, then every problem in `diags`, one line each. */
void manifest_print_problems(const char *path, int r, const struct diag_list *diags);
/* Its summary on stdout: "PATH: N apps, M with problems, U uninstalled", or when m is NULL (and
 * r is not -ENOENT) that the manifest is unusable as a whole. */
void manifest_print_check_summary(const char *path, const struct manifest *m, int r, const struct diag_list *diags);
