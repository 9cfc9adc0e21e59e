/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "facts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "naming.h"

/* Appends x to a and y to b, which run in parallel: *n counts a pair only when both are in. */
static int push_pair(char ***a, char ***b, size_t *n, char *x, char *y) {
        size_t len = *n;
        int r = strv_push(a, &len, x);
        if (r < 0) {
                free(y);
                return r;
        }
        len = *n;
        r = strv_push(b, &len, y);
        if (r == 0)
                (*n)++;
        return r;
}

static int add_volume(const struct app *a, const struct mount *mt, struct app_units *au) {
        char *name;
        if (naming_volume(a->name, mt->source, &name) < 0)
                return -ENOMEM;
        if (strv_contains(au->volumes, name)) {
                free(name);
                return 0;
        }
        return push_pair(&au->volumes, &au->volume_apps, &au->n_volumes, name, strdup(a->name));
}

static int add_app(const struct app *a, struct app_units *au) {
        int r = 0;
        for (size_t c = 0; r == 0 && c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                char *service;
                if (naming_service(ct->unit, &service) < 0)
                        return -ENOMEM;
                r = push_pair(&au->units, &au->containers, &au->n, service, strdup(ct->unit));
                if (r == 0 && ct->oneshot) {
                        char *name = strdup(ct->unit);
                        r = name ? strv_push(&au->oneshot_containers, &au->n_oneshot, name) : -ENOMEM;
                }
                for (size_t i = 0; r == 0 && i < ct->n_mounts; i++)
                        if (ct->mounts[i].kind == MOUNT_NAMED_VOLUME)
                                r = add_volume(a, &ct->mounts[i], au);
        }
        return r;
}

int app_units_from_manifest(const struct manifest *m, struct app_units *ret) {
        *ret = (struct app_units){0};
        for (size_t i = 0; m && i < m->n_apps; i++) {
                if (m->apps[i].skip)
                        continue;
                int r = add_app(&m->apps[i], ret);
                if (r < 0) {
                        app_units_done(ret);
                        return r;
                }
        }
        ret->active = calloc(ret->n + 1, sizeof(bool));
        if (!ret->active) {
                app_units_done(ret);
                return -ENOMEM;
        }
        return 0;
}

void app_units_done(struct app_units *au) {
        strv_free(au->units);
        strv_free(au->containers);
        strv_free(au->volumes);
        strv_free(au->volume_apps);
        strv_free(au->oneshot_containers);
        free(au->active);
        *au = (struct app_units){0};
}

int names_missing(char *const *dirs, char *const *records, char ***ret) {
        char **missing = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!missing)
                return -ENOMEM;
        for (; dirs && *dirs; dirs++)
                if (!strv_contains(records, *dirs)) {
                        int r = strv_push(&missing, &n, strdup(*dirs));
                        if (r < 0) {
                                strv_free(missing);
                                return r;
                        }
                }
        *ret = missing;
        return 0;
}

/* podman's rule for volume names ([a-zA-Z0-9][a-zA-Z0-9_.-]*): anything else in the volume
 * directory was not made by podman, and must never reach its command line (a name starting with
 * "-" would be read as an option). */
#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

bool volume_name_valid(const char *name) {
        return name[0] != '\0' && strchr(ALNUM, name[0]) && name[strspn(name, ALNUM "_.-")] == '\0';
}

int volume_dirs_list(const char *volume_path, char ***ret) {
        char **names = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!names)
                return -ENOMEM;
        DIR *d = opendir(volume_path);
        if (!d) {
                int r = -errno;
                if (r != -ENOENT) {
                        strv_free(names);
                        return r;
                }
                *ret = names; /* no volume was ever made */
                return 0;
        }
        int r = 0;
        for (struct dirent *e; r == 0 && (e = readdir(d));) {
                struct stat st;
                char data[512];
                if (!volume_name_valid(e->d_name) ||
                    snprintf(data, sizeof(data), "%s/_data", e->d_name) >= (int)sizeof(data))
                        continue;
                if (fstatat(dirfd(d), data, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
                        r = strv_push(&names, &n, strdup(e->d_name));
        }
        closedir(d);
        if (r < 0) {
                strv_free(names);
                return r;
        }
        *ret = names;
        return 0;
}

static int unknown_containers(const struct podman *p, const struct app_units *au, bool *unknown) {
        static const char *const args[] = {"ps", "--all", "--format", "{{.Names}}", NULL};
        _cleanup_strv_ char **names = NULL;
        int r = podman_lines(p, args, &names);
        if (r < 0)
                return r;
        for (size_t i = 0; i < au->n; i++)
                unknown[i] = au->active[i] && !strv_contains(names, au->containers[i]) &&
                             !strv_contains(au->oneshot_containers, au->containers[i]);
        return 0;
}

/* An app whose container just exited is still "active" for a moment: only a unit that is active
 * without a container known to podman twice, CONFIRM_MS apart, counts. */
#define CONFIRM_MS 3000

static int count_unknown_containers(const struct podman *p, sd_bus *bus, struct app_units *au, size_t *ret) {
        /* One allocation, two halves: the first look and the second. */
        _cleanup_free_ bool *looks = calloc(2 * (au->n + 1), sizeof(bool));
        if (!looks)
                return -ENOMEM;
        bool *first = looks, *second = looks + au->n + 1;
        int r = unknown_containers(p, au, first);
        if (r < 0)
                return r;
        struct timespec pause = {CONFIRM_MS / 1000, 0};
        nanosleep(&pause, NULL);
        r = units_active(bus, au->units, au->n, false, au->active);
        if (r >= 0)
                r = unknown_containers(p, au, second);
        if (r < 0)
                return r;
        *ret = 0;
        for (size_t i = 0; i < au->n; i++)
                if (first[i] && second[i]) {
                        log_warning("%s is active, but podman does not know its container %s", au->units[i],
                                    au->containers[i]);
                        (*ret)++;
                }
        return 0;
}

static int unregistered_volumes(const struct podman *p, char *const *dirs, char ***ret) {
        static const char *const args[] = {"volume", "ls", "--format", "{{.Name}}", NULL};
        _cleanup_strv_ char **records = NULL;
        int r = podman_lines(p, args, &records);
        return r < 0 ? r : names_missing(dirs, records, ret);
}

/* podman volume create makes the directory before the record: a volume being created looks
 * unregistered for a moment, so a second look CONFIRM_MS later must agree. */
static int check_volume_records(const struct podman *p, const struct podman_info *info, char *const *dirs,
                                struct podman_knowledge *k) {
        _cleanup_strv_ char **first = NULL, **second = NULL;
        int r = unregistered_volumes(p, dirs, &first);
        if (r >= 0 && first[0]) {
                struct timespec pause = {CONFIRM_MS / 1000, 0};
                nanosleep(&pause, NULL);
                r = unregistered_volumes(p, first, &second);
        }
        if (r < 0)
                return r;
        k->volume_dirs_unregistered = second ? TAKE_PTR(second) : TAKE_PTR(first);
        k->facts.volume_dirs_without_record = strv_length(k->volume_dirs_unregistered);
        for (char **v = k->volume_dirs_unregistered; *v; v++)
                log_warning("volume data %s/%s/_data exists, but podman has no volume %s", info->volume_path, *v, *v);
        return 0;
}

int facts_gather(const struct podman *p, sd_bus *bus, const struct podman_info *info, struct app_units *au,
                 struct repair_state *state, struct podman_knowledge *ret) {
        *ret = (struct podman_knowledge){0};
        int r = au->n > 0 ? units_active(bus, au->units, au->n, false, au->active) : 0;
        if (r < 0)
                return r;
        size_t n_active = 0;
        for (size_t i = 0; i < au->n; i++)
                n_active += au->active[i];
        /* Other containers only raise podman's count, so this can miss nothing it must see. */
        if (n_active > 0 && (info->containers_running < 0 || (size_t)info->containers_running < n_active)) {
                r = count_unknown_containers(p, bus, au, &ret->facts.units_without_container);
                if (r < 0)
                        return r;
        }
        if (!info->volume_path)
                return 0;
        _cleanup_strv_ char **dirs = NULL;
        r = volume_dirs_list(info->volume_path, &dirs);
        if (r < 0)
                return log_error_errno(r, "cannot list %s: %m", info->volume_path);
        _cleanup_free_ char *db = podman_db_path(info->db_backend, info->graph_root);
        if (!db)
                return -ENOMEM;
        struct statx stx = {0};
        (void)statx(AT_FDCWD, db, 0, STATX_INO | STATX_BTIME, &stx);
        unsigned long long dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
        unsigned long long btime =
                (stx.stx_mask & STATX_BTIME)
                        ? (unsigned long long)stx.stx_btime.tv_sec * 1000000000ULL + stx.stx_btime.tv_nsec
                        : 0;
        bool same = stx.stx_ino != 0 && state->db_dev == dev && state->db_ino == stx.stx_ino &&
                    state->db_btime_ns == btime && state->volume_dirs == (long)strv_length(dirs);
        if (same)
                return 0;
        r = check_volume_records(p, info, dirs, ret);
        if (r < 0)
                return r;
        if (ret->facts.volume_dirs_without_record == 0) {
                state->db_dev = dev;
                state->db_ino = stx.stx_ino;
                state->db_btime_ns = btime;
                state->volume_dirs = (long)strv_length(dirs);
        }
        return 0;
}

void podman_knowledge_done(struct podman_knowledge *k) {
        strv_free(k->volume_dirs_unregistered);
        *k = (struct podman_knowledge){0};
}
