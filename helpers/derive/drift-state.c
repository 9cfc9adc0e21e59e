/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "drift-state.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "derive-state.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

static bool in_manifest(const char *app, void *userdata) {
        return manifest_find_app(userdata, app) != NULL;
}

static int read_state(const char *path, struct derive_state *s) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        mode_t type = 0;
        int r = read_regular_file(path, DERIVE_STATE_MAX, true, &text, &len, &type);
        if (r == -ENOENT) {
                *s = (struct derive_state){0};
                return 0;
        }
        if (r < 0)
                return log_warning_errno(r, "%s: cannot read archy-derive's drift counters (%s): not counted this run",
                                         path, file_problem(r, type));
        r = derive_state_parse(text, len, s);
        if (r > 0)
                log_warning("%s: %d malformed line(s) dropped from archy-derive's drift counters", path, r);
        return r < 0 ? log_warning_errno(r, "%s: out of memory reading the drift counters", path) : 0;
}

static int write_state(const char *path, const struct derive_state *s) {
        _cleanup_free_ char *text = derive_state_format(s);
        _cleanup_free_ char *dir = strdup(path);
        if (!text || !dir)
                return log_warning_errno(-ENOMEM, "%s: out of memory writing the drift counters", path);
        int r = mkdir_p(dirname(dir), 0755);
        if (r >= 0)
                r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return log_warning_errno(r,
                                         "%s: cannot write archy-derive's drift counters (%m): this run's "
                                         "drift is not counted, the repairs are done",
                                         path);
        return 1;
}

int drift_state_record(const char *path, const struct manifest *m, const struct derive_outcome *out, bool prune) {
        if (out->n_drift == 0 && !prune)
                return 0;
        struct derive_state s;
        int r = read_state(path, &s);
        if (r < 0)
                return r;
        bool changed = false;
        for (size_t i = 0; i < out->n_drift && r >= 0; i++) {
                r = derive_state_count(&s, out->drift[i].app, out->drift[i].path, out->drift[i].repaired);
                changed = true;
        }
        if (r >= 0 && prune && m)
                changed |= derive_state_prune(&s, in_manifest, (void *)m) > 0;
        if (r < 0)
                r = log_warning_errno(r, "%s: out of memory counting drift", path);
        else if (changed)
                r = write_state(path, &s);
        derive_state_done(&s);
        return r;
}
