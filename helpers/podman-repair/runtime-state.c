/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime-state.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crun-status.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

#define STATUS_MAX ((size_t)64 * 1024)

char *crun_root_path(bool user, const char *runtime_dir) {
        char *path;
        if (!user)
                return strdup("/run/crun");
        return asprintf(&path, "%s/crun", runtime_dir ? runtime_dir : "") < 0 ? NULL : path;
}

/* The process is there and, when crun noted its start time, is the same one (not a new process
 * that got its number). A zombie counts as there: its parent has not seen it go yet. */
static bool init_alive(const struct crun_status *s) {
        char path[64], stat[1024];
        snprintf(path, sizeof(path), "/proc/%lld/stat", s->pid);
        if (read_small_file(path, stat, sizeof(stat)) < 0)
                return false;
        if (!s->has_start_time)
                return true;
        /* after the command, which may hold anything, ")" then 19 fields before starttime */
        const char *p = strrchr(stat, ')');
        for (int field = 2; p && field < 22; field++)
                p = strchr(p + 1, ' ');
        return p && strtoull(p + 1, NULL, 10) == s->start_time;
}

static bool stale_candidate(const char *root, const char *id) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;
        mode_t type;
        if (asprintf(&path, "%s/%s/status", root, id) < 0 ||
            read_regular_file(path, STATUS_MAX, true, &text, &len, &type) < 0)
                return false;
        struct crun_status s;
        if (crun_status_parse(text, len, &s) < 0)
                return false;
        bool stale = crun_state_is_podmans(id, &s) && !init_alive(&s);
        crun_status_done(&s);
        return stale;
}

static int candidates(const char *root, char ***ret) {
        DIR *d = opendir(root);
        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "cannot list %s: %m", root);
        int r = 0;
        size_t n = 0;
        for (struct dirent *de; r == 0 && (de = readdir(d));)
                if (de->d_name[0] != '.' && stale_candidate(root, de->d_name))
                        r = strv_push(ret, &n, strdup(de->d_name));
        closedir(d);
        return r;
}

int runtime_state_sweep(const struct podman *p, const char *crun_root) {
        _cleanup_strv_ char **stale = NULL, **known = NULL;
        int r = candidates(crun_root, &stale);
        if (r < 0 || !stale)
                return r;
        static const char *const known_args[] = {"ps", "--all", "--no-trunc", "--format", "{{.ID}}", NULL};
        r = podman_lines(p, known_args, &known);
        if (r < 0)
                return log_error_errno(r, "cannot list podman's containers: crun's state in %s is left as it is",
                                       crun_root);
        DIR *d = opendir(crun_root);
        if (!d)
                return log_error_errno(-errno, "cannot open %s: %m", crun_root);
        int removed = 0;
        for (char **id = stale; *id; id++) {
                if (strv_contains(known, *id))
                        continue;
                int q = remove_tree_at(dirfd(d), *id, 2);
                if (q < 0) {
                        log_error_errno(q, "cannot remove crun's state %s/%s: %m", crun_root, *id);
                        continue;
                }
                log_notice("removed crun's state %s/%s of a container podman no longer knows, whose process is gone "
                           "(it held the container's configuration and environment)",
                           crun_root, *id);
                removed++;
        }
        closedir(d);
        return removed;
}
