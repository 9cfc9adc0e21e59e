/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * archyctl apply's images (archyctl(8) apply, IMAGES): every image the plan starts or restarts a
 * container on is made present before anything stops (`podman image exists`, else `podman
 * pull`); an app whose image update does not get running and healthy in its window is rolled
 * back: the installed manifest gets its previous image(s) again, through an apply of its own
 * (journaled like any other, so that a crash in the middle is finished by --resume), and a record
 * of it is kept for archyctl status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "commands.h"
#include "ctl-node.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manifest-edit.h"
#include "process.h"
#include "rollback-record.h"
#include "strbuf.h"

#define PULL_TIMEOUT_MS (30L * 60 * 1000)
#define EXISTS_TIMEOUT_MS (60L * 1000)

int apply_podman(const struct apply_settings *s, const char *const *args, long timeout_ms, struct spawn_result *res) {
        return ctl_node_podman_run(s->node, args, timeout_ms, res);
}

/* The last non-empty line of podman's stderr, for a message. */
static void last_line(const char *err, char *out, size_t size) {
        size_t n = strlen(err);
        while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
                n--;
        size_t b = n;
        while (b > 0 && err[b - 1] != '\n')
                b--;
        snprintf(out, size, "%.*s", (int)(n - b), err + b);
}

/* 1 present, 0 absent, negative: podman could not say (detail says why). */
static int image_exists(const struct apply_settings *s, const char *image, char *detail, size_t size) {
        const char *argv[] = {"image", "exists", image, NULL};
        struct spawn_result res = {0};
        int r = apply_podman(s, argv, EXISTS_TIMEOUT_MS, &res);
        if (r < 0) {
                snprintf(detail, size, "cannot run podman: %s", strerror(-r));
                return r;
        }
        if (res.end == SPAWN_EXITED && (res.status == 0 || res.status == 1))
                r = res.status == 0;
        else {
                last_line(res.err, detail, size);
                r = -EIO;
        }
        spawn_result_done(&res);
        return r;
}

/* 0 pulled, negative errno with detail. */
static int image_pull(const struct apply_settings *s, const char *image, char *detail, size_t size) {
        const char *argv[] = {"pull", "--quiet", image, NULL};
        struct spawn_result res = {0};
        int r = apply_podman(s, argv, PULL_TIMEOUT_MS, &res);
        if (r < 0) {
                snprintf(detail, size, "cannot run podman: %s", strerror(-r));
                return r;
        }
        if (res.end == SPAWN_EXITED && res.status == 0)
                r = 0;
        else if (res.end == SPAWN_TIMED_OUT) {
                snprintf(detail, size, "podman pull did not finish in %ld min", PULL_TIMEOUT_MS / 60000);
                r = -ETIMEDOUT;
        } else {
                last_line(res.err, detail, size);
                r = -EIO;
        }
        spawn_result_done(&res);
        return r;
}

/* STATE-DIR/pulling/APP while the pull runs, for archyctl status (removed after it; one a crash
 * leaves names a dead pid, which status does not show). Best effort: a note not written only
 * hides the progress. */
static char *pull_note(const struct apply_settings *s, const struct plan_image *it) {
        _cleanup_free_ char *dir = NULL, *text = NULL;
        char *path = NULL;
        if (asprintf(&dir, "%s/" APPLY_PULLING_DIR, s->state_dir) < 0 ||
            asprintf(&text, "%s %s %lld %lld\n", it->part, it->image, (long long)time(NULL), (long long)getpid()) < 0)
                return NULL;
        int r = mkdir_p(dir, 0755);
        if (r >= 0 && asprintf(&path, "%s/%s", dir, it->app) < 0)
                path = NULL;
        if (path && (r = write_file_atomic(path, text, strlen(text), 0644)) < 0)
                log_debug("cannot write %s: %s", path, strerror(-r));
        return path;
}

static void pull_note_remove(char *path) {
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_warning("cannot remove %s: %m", path);
        free(path);
}

int apply_pull(const struct apply_settings *s, const struct plan_images *im) {
        for (size_t i = 0; i < im->n_pull; i++) {
                const struct plan_image *it = &im->pull[i];
                char detail[512] = "";
                int r = image_exists(s, it->image, detail, sizeof detail);
                if (r > 0) {
                        print_pull(s, it, "present", NULL);
                        continue;
                }
                if (r == 0) {
                        print_pull(s, it, "pulling", NULL);
                        char *note = pull_note(s, it);
                        r = image_pull(s, it->image, detail, sizeof detail);
                        pull_note_remove(note);
                }
                if (r >= 0) {
                        print_pull(s, it, "pulled", NULL);
                        continue;
                }
                print_pull(s, it, "failed", detail);
                fprintf(stderr,
                        "archyctl apply: the image %s of %s (container %s) is not on this node and could not be "
                        "pulled: %s; nothing was done, every app runs as before\n",
                        it->image, it->app, it->part, detail);
                return CTL_EXIT_PULL_FAILED;
        }
        return CTL_EXIT_OK;
}

/* ---- the records ---- */

static char *record_path(const char *state_dir, const char *app) {
        char *p = NULL;
        return asprintf(&p, "%s/" APPLY_ROLLED_BACK_DIR "/%s", state_dir, app) < 0 ? NULL : p;
}

void apply_forget_rollback(const char *state_dir, const char *app) {
        _cleanup_free_ char *path = record_path(state_dir, app);
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_warning("cannot remove %s: %m", path);
}

/* STATE-DIR/rolled-back/APP for each app of j's rollback: the images p put back (from new, the
 * failed update, to rb, the rollback). */
static int record_rollbacks(const struct apply_settings *s, const struct plan_images *im,
                            const struct apply_journal *j) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/" APPLY_ROLLED_BACK_DIR, s->state_dir) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create %s: %m", dir);
        for (size_t i = 0; i < im->n_changed; i++) {
                const struct plan_image *it = &im->changed[i];
                if (!journal_rolls_back(j, it->app) || (i > 0 && strcmp(im->changed[i - 1].app, it->app) == 0))
                        continue;
                struct rollback_record rec = {.app = (char *)it->app, .at = j->started_at, .reason = (char *)j->reason};
                for (size_t k = i; r >= 0 && k < im->n_changed && strcmp(im->changed[k].app, it->app) == 0; k++)
                        r = rollback_record_add_image(&rec, im->changed[k].part, im->changed[k].old_image,
                                                      im->changed[k].image);
                _cleanup_free_ char *text = r >= 0 ? rollback_record_render(&rec) : NULL;
                rec.app = rec.reason = NULL; /* not ours */
                rollback_record_done(&rec);
                _cleanup_free_ char *path = record_path(s->state_dir, it->app);
                if (!text || !path)
                        return log_error_errno(-ENOMEM, "out of memory");
                r = write_file_atomic(path, text, strlen(text), 0644);
                if (r < 0)
                        return log_write_errno(r, NULL, "cannot write %s: %m", path);
        }
        return 0;
}

/* The end of an apply, before its result: a rollback's apps get their record and the state
 * "rolled-back"; a forward apply forgets the record of an app it uninstalled, or whose new image
 * got healthy. Returns the exit status. */
int apply_images_finish(const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                        const struct plan *p, const struct apply_journal *j, struct app_progress *pr, size_t n,
                        int status) {
        struct plan_images im = {0};
        if (plan_images_compute(p, old, new, &im) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        if (j->rollback[0]) {
                if (record_rollbacks(s, &im, j) < 0)
                        status = CTL_EXIT_FAILED;
                for (size_t i = 0; i < n; i++)
                        if (journal_rolls_back(j, pr[i].name) && strcmp(pr[i].state, "timeout") != 0)
                                pr[i].state = "rolled-back";
                print_progress(s, pr, n, true, true);
                if (status == CTL_EXIT_OK)
                        status = CTL_EXIT_ROLLED_BACK;
        } else
                for (size_t i = 0; i < p->n_apps; i++) {
                        const char *app = p->apps[i].name;
                        bool healthy = false;
                        for (size_t k = 0; k < n; k++)
                                healthy |= strcmp(pr[k].name, app) == 0 && strcmp(pr[k].state, "timeout") != 0;
                        if (p->apps[i].to == APP_STATE_UNINSTALLED || (healthy && plan_images_app_changed(&im, app)))
                                apply_forget_rollback(s->state_dir, app);
                }
        plan_images_free(&im);
        return status;
}

/* ---- the rollback ---- */

/* new_text with the images of app's changed containers put back (*text replaced): 0, or
 * negative after saying why. */
static int put_back(char **text, size_t *len, const struct plan_images *im, const char *app) {
        for (size_t i = 0; i < im->n_changed; i++) {
                const struct plan_image *it = &im->changed[i];
                if (strcmp(it->app, app) != 0)
                        continue;
                _cleanup_free_ char *error = NULL;
                char *out = NULL;
                size_t out_len = 0;
                int r = medit_set_image(*text, *len, it->app, it->part, it->old_image, &out, &out_len, &error);
                if (r < 0)
                        return log_error("cannot roll %s back to %s: %s", it->unit, it->old_image,
                                         error ? error : strerror(-r)),
                               r;
                if (r == 0) {
                        free(*text);
                        *text = out;
                        *len = out_len;
                }
        }
        return 0;
}

/* The rollback's journal and text: each app that timed out on a changed image. 0 with
 * j->rollback empty when there is nothing to roll back. */
static int rollback_text(const struct plan_images *im, const char *new_text, size_t new_len,
                         const struct app_progress *pr, size_t n, struct apply_journal *j, char **ret,
                         size_t *ret_len) {
        _cleanup_free_ char *text = strndup(new_text, new_len);
        _cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
        size_t len = new_len;
        if (!text)
                return log_error_errno(-ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                if (strcmp(pr[i].state, "timeout") != 0 || !plan_images_app_changed(im, pr[i].name))
                        continue;
                _cleanup_free_ char *before = strndup(text, len);
                size_t before_len = len;
                if (!before)
                        return log_error_errno(-ENOMEM, "out of memory");
                if (put_back(&text, &len, im, pr[i].name) < 0 || journal_add_rollback(j, pr[i].name) < 0) {
                        free(text); /* this app stays as it is */
                        text = TAKE_PTR(before);
                        len = before_len;
                        continue;
                }
                strbuf_printf(&why, "%s%s: not running and healthy in time (%s)", why.len ? "; " : "", pr[i].name,
                              pr[i].detail);
        }
        journal_set_reason(j, strbuf_failed(&why) ? "" : strbuf_str(&why));
        *ret = TAKE_PTR(text);
        *ret_len = len;
        return 0;
}

int apply_rollback(sd_bus *bus, const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                   const struct plan *p, const char *new_text, size_t new_len, const struct app_progress *pr,
                   size_t n) {
        struct plan_images im = {0};
        if (plan_images_compute(p, old, new, &im) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        struct apply_journal j = {.phase = APPLY_PLANNED,
                                  .had_old = true,
                                  .started_at = (long long)time(NULL),
                                  .pid = (long long)getpid()};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = rollback_text(&im, new_text, new_len, pr, n, &j, &text, &len);
        if (r < 0 || !j.rollback[0]) {
                plan_images_free(&im);
                return r < 0 ? CTL_EXIT_FAILED : -1;
        }
        for (size_t i = 0; i < im.n_changed; i++)
                if (journal_rolls_back(&j, im.changed[i].app))
                        print_rollback(s, &im.changed[i], j.reason);
        plan_images_free(&im);
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *rb = manifest_parse(text, len, "rollback.yaml", &diags);
        diag_list_free(&diags);
        if (!rb)
                return log_error("the rolled back manifest does not load: not rolled back"), CTL_EXIT_FAILED;
        journal_hash(text, len, j.new_hash);
        if (apply_save_copy(s->state_dir, APPLY_ROLLBACK_COPY, text, len) < 0)
                return CTL_EXIT_FAILED;
        print_step(s, APPLY_PLANNED, true);
        if (apply_journal_save(s->state_dir, &j) < 0)
                return CTL_EXIT_FAILED;
        struct plan rp = {0};
        if (plan_compute(new, rb, bus ? apply_unit_running : NULL, bus, &rp) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        int status = apply_execute(bus, s, new, rb, &rp, text, len, &j);
        plan_free(&rp);
        /* an app that timed out and was not rolled back did not converge either */
        for (size_t i = 0; status == CTL_EXIT_ROLLED_BACK && i < n; i++)
                if (strcmp(pr[i].state, "timeout") == 0 && !journal_rolls_back(&j, pr[i].name))
                        status = CTL_EXIT_NOT_CONVERGED;
        return status;
}
