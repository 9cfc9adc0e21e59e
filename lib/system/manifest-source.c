/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "message-ids.h"

void log_diags(const struct diag_list *diags, int level) {
        for (size_t i = 0; i < diags->n; i++)
                log_full_errno((enum log_level)level, 0, "%s%s%s", diags->items[i].text,
                               diags->items[i].app ? " -- skipping app " : "",
                               diags->items[i].app ? diags->items[i].app : "");
}

const char *manifest_last_good_path(void) {
        const char *v = getenv("ARCHY_LAST_GOOD");
        return v && *v ? v : ARCHY_MANIFEST_LAST_GOOD_PATH;
}

int load_manifest_logged(const char *path, struct manifest **ret) {
        struct diag_list diags = {0};
        int r = manifest_load(path, true, ret, &diags);
        log_diags(&diags, LOG_LVL_ERR);
        diag_list_free(&diags);
        return r;
}

int manifest_source_load(const char *path, const char *last_good, struct manifest_source *ret) {
        *ret = (struct manifest_source){.last_good_r = 1};
        struct manifest *m = NULL;
        ret->installed_r = manifest_load(path, true, &m, &ret->problems);
        if (ret->installed_r == -ENOENT)
                return 0;
        if (ret->installed_r >= 0) {
                ret->manifest = m;
                return 0;
        }
        ret->last_good_r = manifest_load(last_good, true, &m, &ret->last_good_problems);
        if (ret->last_good_r < 0)
                return ret->installed_r;
        ret->manifest = m;
        ret->fallback = true;
        return 1;
}

void manifest_source_done(struct manifest_source *s) {
        diag_list_free(&s->problems);
        diag_list_free(&s->last_good_problems);
        manifest_free(s->manifest);
        s->manifest = NULL;
}

void manifest_source_report(const struct manifest_source *s, int r, const char *path, const char *last_good) {
        log_diags(&s->problems, LOG_LVL_ERR);
        if (s->installed_r == -ENOENT)
                log_info("no manifest at %s: no apps", path);
        else if (r == 1) {
                log_struct(LOG_LVL_WARNING, ARCHY_MID_MANIFEST_LAST_GOOD, NULL,
                           "the manifest %s is unusable (see above): using the last good copy %s instead", path,
                           last_good);
                log_diags(&s->last_good_problems, LOG_LVL_WARNING);
        } else if (r < 0) {
                log_diags(&s->last_good_problems, LOG_LVL_ERR);
                log_struct_errno(LOG_LVL_ERR, r, ARCHY_MID_MANIFEST_REFUSED, NULL,
                                 "the manifest %s is unusable and there is no usable last good copy (%s): "
                                 "acting as if there were no apps",
                                 path, last_good);
        }
}

int load_manifest_with_fallback(const char *path, const char *last_good, struct manifest **ret) {
        struct manifest_source s;
        int r = manifest_source_load(path, last_good, &s);
        manifest_source_report(&s, r, path, last_good);
        *ret = s.manifest;
        s.manifest = NULL;
        manifest_source_done(&s);
        return r;
}

static bool same_content(const char *path, const char *text, size_t len) {
        _cleanup_free_ char *old = NULL;
        size_t old_len;
        mode_t type;
        return read_regular_file(path, len + 1, false, &old, &old_len, &type) == 0 && old_len == len &&
               memcmp(old, text, len) == 0;
}

int save_last_good(const char *path, const char *last_good) {
        struct diag_list diags = {0};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = manifest_read(path, true, &text, &len, &diags);
        if (r == -ENOENT) {
                log_info("no manifest at %s: nothing to save", path);
                return 0;
        }
        /* Validate exactly the bytes that will be saved: the file may change meanwhile. */
        struct manifest *m = r >= 0 ? manifest_parse(text, len, path, &diags) : NULL;
        bool usable = m != NULL, clean = usable && diags.n == 0;
        log_diags(&diags, LOG_LVL_ERR);
        diag_list_free(&diags);
        manifest_free(m);
        /* Said here as well as by the generator: at boot in a container the generator has no log. */
        if (!usable && access(last_good, F_OK) < 0)
                return log_struct_errno(LOG_LVL_ERR, -EINVAL, ARCHY_MID_MANIFEST_REFUSED, NULL,
                                        "%s is unusable and there is no last good copy %s: archy-generator "
                                        "generates no app units until it is fixed",
                                        path, last_good);
        if (!usable)
                return log_struct_errno(LOG_LVL_ERR, -EINVAL, ARCHY_MID_MANIFEST_LAST_GOOD, NULL,
                                        "%s is unusable: archy-generator uses the last good copy %s until it is "
                                        "fixed, and keeps that copy as it is",
                                        path, last_good);
        if (!clean)
                return log_error_errno(-EINVAL,
                                       "%s has problems (apps with problems are skipped): keeping the last good "
                                       "copy %s as it is",
                                       path, last_good);
        if (same_content(last_good, text, len)) {
                log_info("%s is valid; the last good copy %s is already current", path, last_good);
                return 0;
        }
        if ((r = write_file_atomic(last_good, text, len, 0644)) < 0)
                return log_write_errno(r, NULL, "cannot write %s: %m", last_good);
        log_info("%s is valid: saved as the last good copy %s", path, last_good);
        return 0;
}

void manifest_print_problems(const char *path, int r, const struct diag_list *diags) {
        if (r == -ENOENT)
                fprintf(stderr, "%s: no such file\n", path);
        for (size_t i = 0; i < diags->n; i++)
                fprintf(stderr, "%s\n", diags->items[i].text);
}

/* Apps with problems: those skipped, and entries refused before they became apps (a bad app
 * name: its one problem names an app the manifest does not hold). */
static void count_apps(const struct manifest *m, const struct diag_list *diags, size_t *total, size_t *bad,
                       size_t *uninstalled) {
        *total = m->n_apps;
        *bad = *uninstalled = 0;
        for (size_t i = 0; i < m->n_apps; i++) {
                *bad += m->apps[i].skip;
                *uninstalled += m->apps[i].state == APP_STATE_UNINSTALLED;
        }
        for (size_t i = 0; i < diags->n; i++)
                if (diags->items[i].app && !manifest_find_app(m, diags->items[i].app))
                        ++*total, ++*bad;
}

void manifest_print_check_summary(const char *path, const struct manifest *m, int r, const struct diag_list *diags) {
        size_t total, bad, uninstalled, n = diags->n > 0 ? diags->n : 1;
        if (m) {
                count_apps(m, diags, &total, &bad, &uninstalled);
                printf("%s: %zu apps, %zu with problems, %zu uninstalled\n", m->path, total, bad, uninstalled);
        } else if (r != -ENOENT)
                printf("%s: the manifest is unusable as a whole: %zu problem%s (archy-generator falls back to the "
                       "last good copy)\n",
                       path, n, n == 1 ? "" : "s");
}
