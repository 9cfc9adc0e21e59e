/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "node-user.h"

/* The side-effect layer of archy-derive: read what is on disk, compare it with what the manifest
 * and the secrets give, rewrite only what drifted. Restarting consumers is left to the caller. */

struct derive_opts {
        const char *root;             /* prefix for every path ("" for /) */
        const char *secrets_dir;      /* already prefixed */
        bool check_only;              /* report drift, change nothing */
        const char *only_app;         /* NULL: every app */
        const struct node_user *node; /* who runs the apps (owners are mapped when rootless); NULL: rootful */
};

/* Next to a bitcoin.conf or lnd.conf whose NUL bytes were removed: the file as it was. */
#define DAMAGED_SUFFIX ".archy-damaged"
/* Next to a bitcoin.conf that held a line bitcoind refuses: the file as it was, mode 0600, as
 * NAME.archy-rejected-YYYYMMDDTHHMMSSZ (UTC, when it was set aside). */
#define REJECTED_SUFFIX ".archy-rejected-"

struct changed_file {
        char *path; /* prefixed, for messages */
        int dirfd;  /* the directory that holds it, opened without following symbolic links */
        char *name; /* the file's name in dirfd */
        char *old;  /* previous content, NULL when there was no regular file */
        size_t old_len;
        unsigned old_mode, old_uid, old_gid;
};

/* A file this run found drifted (pointers into the manifest). */
struct derive_drift {
        const char *app, *path;
        bool repaired; /* and rewrote */
};

struct derive_outcome {
        size_t entries, in_sync, repaired, drifted, errors;
        struct derive_drift *drift; /* one per drifted file, for archy-derive's counters */
        size_t n_drift;
        char **restart; /* units to try-restart because a file they read changed */
        size_t n_restart;
        struct changed_file *nginx; /* nginx routes rewritten: tested, then reloaded or put back */
        size_t n_nginx;
};

int derive_all(const struct manifest *m, const struct derive_opts *o, struct derive_outcome *out);
void derive_outcome_free(struct derive_outcome *out);

/* Put the previous content back (through dirfd, never a path) (or remove a file that did not exist before). */
int derive_restore(const struct changed_file *f);
