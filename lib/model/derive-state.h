/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure (in lib/model: archy-derive writes it, archyctl status reads it): archy-derive's drift
 * counters, /var/lib/archipelago/derive.state (archy-derive(8), FILES), one line per derived
 * file that ever drifted:
 *
 *   # archy-derive state: see archy-derive(8)
 *   APP FOUND REPAIRED PATH
 *
 * FOUND: runs that found the file different from what it must be; REPAIRED: of those, the runs
 * that rewrote it. PATH (absolute, the manifest's path) is the rest of the line. The file is
 * rewritten atomically only when a count changes. */

#define DERIVE_STATE_PATH "/var/lib/archipelago/derive.state"
#define DERIVE_STATE_MAX ((size_t)1 << 20)

struct derive_file_count {
        char *app, *path;
        unsigned long long found, repaired;
};

struct derive_state {
        struct derive_file_count *files;
        size_t n_files;
};

/* Malformed lines are skipped (a damaged file must not stop a repair, nor status): returns how
 * many were, or -ENOMEM. *ret is to be released with derive_state_done() in every case. */
int derive_state_parse(const char *text, size_t len, struct derive_state *ret);
/* The file's text, NULL on OOM. */
char *derive_state_format(const struct derive_state *s);
/* One run found (and, when repaired, rewrote) app's file: 0 or -ENOMEM. */
int derive_state_count(struct derive_state *s, const char *app, const char *path, bool repaired);
/* Drop the entries of apps keep() says no to: how many were dropped. */
size_t derive_state_prune(struct derive_state *s, bool (*keep)(const char *app, void *userdata), void *userdata);
void derive_state_done(struct derive_state *s);
