/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl uninstall APP --purge: the data goes after the units (archyctl(8) uninstall). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ctl-node.h"
#include "edit.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "naming.h"
#include "process.h"
#include "strbuf.h"
#include "strv.h"

#define PODMAN_TIMEOUT_MS (120L * 1000)

static char *marker_path(const struct apply_settings *s, const char *app) {
        char *p = NULL;
        return asprintf(&p, "%s/purge-%s", s->state_dir, app) < 0 ? NULL : p;
}

static bool confirmed(const char *app) {
        if (isatty(STDIN_FILENO) != 1 || isatty(STDERR_FILENO) != 1) {
                fprintf(stderr,
                        "archyctl uninstall: --purge removes %s's volumes and derived files: give --yes, or run it "
                        "on a terminal to confirm; nothing was done\n",
                        app);
                return false;
        }
        fprintf(stderr,
                "archyctl uninstall: --purge removes %s's volumes and derived files (its data).\n"
                "Type the app's name to go on: ",
                app);
        char line[256];
        if (!fgets(line, sizeof line, stdin))
                line[0] = '\0';
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, app) != 0) {
                fprintf(stderr, "archyctl uninstall: not confirmed (\"%s\" is not \"%s\"): nothing was done\n", line,
                        app);
                return false;
        }
        return true;
}

/* The podman volumes app a owns (naming_volume() of its named volumes), in *ret. */
static int app_volumes(const struct app *a, char ***ret, size_t *n) {
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t m = 0; m < a->containers[c].n_mounts; m++) {
                        const struct mount *mt = &a->containers[c].mounts[m];
                        _cleanup_free_ char *v = NULL;
                        if (mt->kind != MOUNT_NAMED_VOLUME)
                                continue;
                        if (naming_volume(a->name, mt->source, &v) < 0 || strv_add_unique(ret, n, v) < 0)
                                return -ENOMEM;
                }
        for (size_t i = 0; i < a->n_volumes; i++) {
                _cleanup_free_ char *v = NULL;
                if (naming_volume(a->name, a->volumes[i].name, &v) < 0 || strv_add_unique(ret, n, v) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static const char *tool(const char *env, const char *fallback) {
        const char *p = getenv(env);
        return p && *p ? p : fallback;
}

/* Run argv; 0 when it exited 0, 1 when it exited otherwise (its stderr in *err), negative errno. */
static int run_tool(const char *path, char **argv, char **err) {
        char *envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        struct spawn_result res = {0};
        int r = spawn_capture(path, argv, envp, PODMAN_TIMEOUT_MS, &res);
        if (r < 0)
                return log_error_errno(r, "cannot run %s: %m", path);
        r = res.end == SPAWN_EXITED && res.status == 0 ? 0 : 1;
        if (r && err)
                *err = strdup(res.err ? res.err : "");
        spawn_result_done(&res);
        return r;
}

/* podman ARGS as the apps' podman runs (ctl-node.h): as run_tool(). */
static int run_podman(const struct ctl_node *node, const char *const *args, char **err) {
        struct podman p = ctl_node_podman(node, PODMAN_TIMEOUT_MS);
        struct spawn_result res = {0};
        int r = podman_run(&p, args, &res);
        if (r < 0)
                return log_error_errno(r, "cannot run %s: %m", p.path);
        r = res.end == SPAWN_EXITED && res.status == 0 ? 0 : 1;
        if (r && err)
                *err = strdup(res.err ? res.err : "");
        spawn_result_done(&res);
        return r;
}

/* podman volume rm of each volume that exists (the apps user's, rootless); *removed lists those
 * removed. */
static int remove_volumes(const struct ctl_node *node, char **volumes, size_t n, char ***removed, size_t *n_removed) {
        for (size_t i = 0; i < n; i++) {
                const char *exists[] = {"volume", "exists", volumes[i], NULL};
                const char *rm[] = {"volume", "rm", volumes[i], NULL};
                int r = run_podman(node, exists, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue; /* not there (any more) */
                _cleanup_free_ char *err = NULL;
                r = run_podman(node, rm, &err);
                if (r != 0) {
                        if (r > 0)
                                log_error("podman volume rm %s failed: %s", volumes[i], err ? err : "");
                        return -EIO;
                }
                if (strv_add_unique(removed, n_removed, volumes[i]) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static void print_purged(const struct apply_settings *s, const char *app, char **removed, size_t n, bool dry_run) {
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_puts(&sb, "{\"event\":\"purge\",\"app\":");
                strbuf_json_string(&sb, app, strlen(app));
                strbuf_printf(&sb, ",\"dry_run\":%s,\"volumes\":[", dry_run ? "true" : "false");
                for (size_t i = 0; i < n; i++) {
                        if (i > 0)
                                strbuf_putc(&sb, ',');
                        strbuf_json_string(&sb, removed[i], strlen(removed[i]));
                }
                strbuf_puts(&sb, "],\"derived\":true,\"secrets_kept\":true}");
                if (!strbuf_failed(&sb))
                        printf("%s\n", strbuf_str(&sb));
                strbuf_free(&sb);
        } else {
                printf("purge %s: %s volumes:", app, dry_run ? "would remove" : "removed");
                for (size_t i = 0; i < n; i++)
                        printf(" %s", removed[i]);
                printf("%s; %s its derived files (archy-derive --app %s); secrets kept\n", n == 0 ? " none" : "",
                       dry_run ? "would remove" : "removed", app);
        }
        fflush(stdout);
}

/* Under the lock: the installed manifest still has app uninstalled; its data goes. */
static int purge_locked(const struct apply_settings *s, const char *app, bool dry_run) {
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *m = NULL;
        int r = manifest_load(s->manifest_path, true, &m, &diags);
        diag_list_free(&diags);
        const struct app *a = r >= 0 && m ? manifest_find_app(m, app) : NULL;
        if (!a)
                return log_error("purge %s: %s does not load or has no app %s: nothing purged", app, s->manifest_path,
                                 app),
                       CTL_EXIT_FAILED;
        if (!dry_run && a->state != APP_STATE_UNINSTALLED)
                return log_error("purge %s: it is %s in %s again: nothing purged", app, app_state_to_string(a->state),
                                 s->manifest_path),
                       CTL_EXIT_FAILED;
        _cleanup_(strv_freep) char **volumes = NULL, **removed = NULL;
        size_t n = 0, n_removed = 0;
        if (app_volumes(a, &volumes, &n) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        if (dry_run) {
                print_purged(s, app, volumes, n, true);
                return CTL_EXIT_OK;
        }
        struct ctl_node node;
        if (ctl_node_init(&m->node, &node) < 0 || remove_volumes(&node, volumes, n, &removed, &n_removed) < 0)
                return log_error("purge %s: not finished: run archyctl uninstall %s --purge again", app, app),
                       CTL_EXIT_FAILED;
        char *derive[] = {(char *)"archy-derive", (char *)"--app",          (char *)app,
                          (char *)"--manifest",   (char *)s->manifest_path, NULL};
        if (run_tool(tool("ARCHY_DERIVE", ARCHY_SBINDIR "/archy-derive"), derive, NULL) != 0)
                return log_error("purge %s: archy-derive --app %s failed: run archyctl uninstall %s --purge again", app,
                                 app, app),
                       CTL_EXIT_FAILED;
        print_purged(s, app, removed, n_removed, false);
        return CTL_EXIT_OK;
}

/* One STATE-DIR/purge-APP left by a crash: APP still uninstalled is purged; APP installed again
 * (or gone from the manifest) keeps its data and the marker goes, said once. Under the lock. */
static int finish_purge(const struct apply_settings *s, const char *app) {
        _cleanup_free_ char *marker = marker_path(s, app);
        if (!marker)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *m = NULL;
        int r = manifest_load(s->manifest_path, true, &m, &diags);
        diag_list_free(&diags);
        const struct app *a = r >= 0 && m ? manifest_find_app(m, app) : NULL;
        if (a && a->state == APP_STATE_UNINSTALLED) {
                fprintf(stderr, "archyctl apply --resume: finishing the purge of %s (%s)\n", app, marker);
                int status = purge_locked(s, app, false);
                if (status == CTL_EXIT_OK && unlink(marker) < 0 && errno != ENOENT)
                        log_warning("cannot remove %s: %m", marker);
                return status;
        }
        if (r < 0 || !m)
                return log_error("purge %s not finished: %s does not load", app, s->manifest_path), CTL_EXIT_FAILED;
        log_warning("purge %s abandoned: the app is %s in %s, its data kept", app,
                    a ? app_state_to_string(a->state) : "not", s->manifest_path);
        if (unlink(marker) < 0 && errno != ENOENT)
                log_warning("cannot remove %s: %m", marker);
        return CTL_EXIT_OK;
}

int edit_finish_purges(const struct apply_settings *s) {
        DIR *d = opendir(s->state_dir);
        if (!d)
                return errno == ENOENT ? CTL_EXIT_OK
                                       : (log_error_errno(-errno, "cannot read %s: %m", s->state_dir), CTL_EXIT_FAILED);
        int status = CTL_EXIT_OK;
        for (struct dirent *de; (de = readdir(d));) {
                const char *app = de->d_name + strlen("purge-");
                if (strncmp(de->d_name, "purge-", strlen("purge-")) != 0 || !*app || strchr(app, '.'))
                        continue; /* not a marker (write_file_atomic's temporaries have a dot) */
                int st = finish_purge(s, app);
                if (st != CTL_EXIT_OK)
                        status = st;
        }
        closedir(d);
        return status;
}

int edit_uninstall_purge(const struct apply_settings *s, bool dry_run, bool yes, const struct apply_edit *e) {
        if (!dry_run && !yes && !confirmed(e->app))
                return CTL_EXIT_USAGE;
        _cleanup_free_ char *marker = marker_path(s, e->app);
        if (!marker)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        if (!dry_run) {
                int r = mkdir_p(s->state_dir, 0700);
                if (r >= 0)
                        r = write_file_atomic(marker, e->app, strlen(e->app), 0600);
                if (r < 0)
                        return log_write_errno(r, NULL, "cannot write %s: %m", marker), CTL_EXIT_FAILED;
        }
        int status = apply_run_edit(s, dry_run, e);
        if (status != CTL_EXIT_OK) {
                if (!dry_run)
                        fprintf(stderr,
                                "archyctl uninstall: %s not purged (the uninstall did not finish): run "
                                "archyctl uninstall %s --purge again\n",
                                e->app, e->app);
                return status;
        }
        int lock = dry_run ? -1 : apply_lock(s->state_dir);
        if (!dry_run && lock < 0)
                return CTL_EXIT_FAILED;
        status = purge_locked(s, e->app, dry_run);
        if (status == CTL_EXIT_OK && !dry_run && unlink(marker) < 0 && errno != ENOENT)
                log_warning("cannot remove %s: %m", marker);
        if (lock >= 0)
                close(lock);
        return status;
}
