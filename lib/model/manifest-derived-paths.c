/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <string.h>

#include "manifest-checks.h"

/* Whether path is `dir` itself or lies below it. */
static bool path_at_or_below(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* What archy-derive must never overwrite: the canonical secrets, which everything else is
 * derived from, and the manifest with its last good copy, which say what runs as root. A path
 * above one of them (a directory) is refused too. Returns what it would hit, or NULL; *above
 * says the path is a directory above it. */
static const char *protected_hit(const struct manifest *m, const char *path, bool *above) {
        static const struct {
                const char *path, *what;
        } protected[] = {
                {ARCHY_SECRETS_DIR, "the canonical secrets directory " ARCHY_SECRETS_DIR},
                {ARCHY_MANIFEST_PATH, "the manifest " ARCHY_MANIFEST_PATH},
                {ARCHY_MANIFEST_LAST_GOOD_PATH, "the manifest's last good copy " ARCHY_MANIFEST_LAST_GOOD_PATH},
        };
        for (size_t i = 0; i < sizeof(protected) / sizeof(protected[0]); i++)
                if (path_at_or_below(path, protected[i].path) || path_at_or_below(protected[i].path, path)) {
                        *above = !path_at_or_below(path, protected[i].path);
                        return protected[i].what;
                }
        if (m->path && m->path[0] == '/' && path_at_or_below(m->path, path)) {
                *above = strcmp(path, m->path) != 0;
                return "the manifest being read";
        }
        return NULL;
}

/* A container that can write a directory at or above a derived file can swap the file, or a
 * parent, for a symlink and make root write secrets where it likes. */
static bool report_rw_mount_over(struct manifest *m, struct app *a, size_t d, struct diag_list *diags) {
        const char *path = a->derived[d].path;
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *o = &m->apps[i];
                if (o->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < o->n_containers; c++)
                        for (size_t k = 0; k < o->containers[c].n_mounts; k++) {
                                const struct mount *mt = &o->containers[c].mounts[k];
                                if (mt->kind != MOUNT_HOST_PATH || mt->read_only || !mt->source ||
                                    !path_at_or_below(path, mt->source))
                                        continue;
                                diag_add(diags, a->name, a->derived[d].pos.line, a->derived[d].pos.col,
                                         "apps.%s.derived[%zu].path: %s lies in %s, which apps.%s.containers.%s "
                                         "mounts read-write, expected a path no container can write (mount it "
                                         "with :ro)",
                                         a->name, d, path, mt->source, o->name, o->containers[c].part);
                                return true;
                        }
        }
        return false;
}

void manifest_check_derived_paths(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED || a->skip)
                        continue;
                for (size_t d = 0; d < a->n_derived; d++) {
                        bool above = false;
                        const char *path = a->derived[d].path, *hit = path ? protected_hit(m, path, &above) : NULL;
                        if (hit) {
                                diag_add(diags, a->name, a->derived[d].pos.line, a->derived[d].pos.col,
                                         "apps.%s.derived[%zu].path: %s would %s %s, expected a path outside it",
                                         a->name, d, path, above ? "replace a directory holding" : "overwrite", hit);
                                a->skip = true;
                        } else if (path && report_rw_mount_over(m, a, d, diags))
                                a->skip = true;
                }
        }
}
