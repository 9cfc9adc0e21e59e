/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify-units.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "naming.h"
#include "generate.h"
#include "quadlet-render.h"

/* Far above any unit archy renders (a line is at most UNIT_LINE_MAX): a bigger file is not ours. */
#define QUADLET_UNIT_MAX (64u << 20)

const char *unit_text_problem(const char *text, size_t len) {
        if (len == 0)
                return "is empty";
        if (memchr(text, '\0', len))
                return "has a NUL byte";
        if (text[len - 1] != '\n')
                return "is cut short (no final newline)";
        bool service = strncmp(text, "[Service]\n", 10) == 0;
        for (const char *p = text; !service && (p = strstr(p, "\n[Service]\n")); p++)
                service = true;
        return service ? NULL : "has no [Service] section";
}

/* Links to a removed unit in the .wants/.requires dirs Quadlet made: systemd would warn about
 * each dangling one. */
static void remove_links_to(int dfd, const char *unit) {
        int dup_fd = dup(dfd);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL; /* d owns dup_fd */
        if (!d) {
                if (dup_fd >= 0)
                        close(dup_fd);
                return;
        }
        rewinddir(d);
        for (struct dirent *de; (de = readdir(d));) {
                size_t n = strlen(de->d_name);
                bool deps = (n > 6 && strcmp(de->d_name + n - 6, ".wants") == 0) ||
                            (n > 9 && strcmp(de->d_name + n - 9, ".requires") == 0);
                _cleanup_close_ int sub = deps ? openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                if (sub >= 0)
                        (void)unlinkat(sub, unit, 0);
        }
        closedir(d);
}

/* One unit Quadlet should have written: present and whole, or removed with a message. Returns
 * true when it is usable. */
static bool check_unit(int dfd, const char *outdir, const char *who, const char *unit) {
        _cleanup_close_ int fd = openat(dfd, unit, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                log_error("%s: podman's Quadlet made no %s (see its messages above): this unit will not run", who,
                          unit);
                return false;
        }
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = fd < 0 ? -errno : read_file_fd(fd, QUADLET_UNIT_MAX, &text, &len);
        const char *problem = r == 0 ? unit_text_problem(text, len) : NULL;
        if (r == 0 && !problem)
                return true;
        if (unlinkat(dfd, unit, 0) < 0 && errno != ENOENT)
                log_error_errno(-errno, "cannot remove %s/%s: %m", outdir, unit);
        remove_links_to(dfd, unit);
        if (r < 0)
                log_error_errno(r,
                                "%s: podman's Quadlet left %s/%s unreadable (%m): removed it, this unit will not run",
                                who, outdir, unit);
        else
                log_error("%s: podman's Quadlet left %s/%s that %s (%zu bytes; is /run full?): removed it so that "
                          "systemd loads no broken unit, this unit will not run",
                          who, outdir, unit, problem, len);
        return false;
}

/* A unit named in unit (a failed allocation counts as a bad unit). */
static bool check_named_unit(int dfd, const char *outdir, const char *who, struct strbuf *unit) {
        if (strbuf_failed(unit)) {
                log_error("%s: out of memory naming a unit", who);
                return false;
        }
        bool ok = check_unit(dfd, outdir, who, strbuf_str(unit));
        strbuf_reset(unit);
        return ok;
}

static size_t check_app_units(int dfd, const char *outdir, const struct app *a) {
        char who[ARCHY_NAME_MAX + 8];
        snprintf(who, sizeof(who), "app %s", a->name);
        _cleanup_strbuf_ struct strbuf unit = STRBUF_INIT;
        size_t bad = 0;
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                naming_put_service(&unit, ct->unit);
                bad += !check_named_unit(dfd, outdir, who, &unit);
                for (size_t v = 0; v < ct->n_mounts; v++) {
                        if (ct->mounts[v].kind != MOUNT_NAMED_VOLUME || app_volume_seen_before(a, c, v))
                                continue;
                        naming_put_volume_service(&unit, a->name, ct->mounts[v].source);
                        bad += !check_named_unit(dfd, outdir, who, &unit);
                }
        }
        return bad;
}

size_t verify_quadlet_units(const struct manifest *m, const char *outdir) {
        _cleanup_close_ int dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                log_error_errno(-errno, "cannot open %s to check what podman's Quadlet made: %m", outdir);
                return 1;
        }
        size_t bad = 0, containers = 0;
        for (size_t i = 0; m && i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->skip || a->state == APP_STATE_UNINSTALLED)
                        continue;
                bad += check_app_units(dfd, outdir, a);
                containers += a->n_containers;
        }
        if (containers > 0 && !check_unit(dfd, outdir, "the network", ARCHY_NETWORK_SERVICE))
                bad++;
        return bad;
}
