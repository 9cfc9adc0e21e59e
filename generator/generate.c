/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "generate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "quadlet-render.h"

/* Files are written relative to the staging dir, opened once: a big node has thousands. */
static int write_unit(int staging_fd, const char *name, const struct strbuf *text) {
        if (strbuf_failed(text))
                return -ENOMEM;
        return write_file_new_at(staging_fd, name, text->data, text->len, 0644);
}

/* Nothing half-written: an app whose files could not all be written loses all of them. */
static void remove_app_files(const struct app *a, int staging_fd) {
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                _cleanup_free_ char *name = NULL;
                if (render_container_filename(ct, &name) == 0)
                        (void)unlinkat(staging_fd, name, 0);
                for (size_t v = 0; v < ct->n_mounts; v++) {
                        _cleanup_free_ char *vname = NULL;
                        if (ct->mounts[v].kind == MOUNT_NAMED_VOLUME &&
                            render_volume_filename(a, ct->mounts[v].source, &vname) == 0)
                                (void)unlinkat(staging_fd, vname, 0);
                }
        }
}

static int write_app(const struct manifest *m, const struct app *a, int staging_fd, const char *staging,
                     struct strbuf *buf, struct generate_stats *stats) {
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                _cleanup_free_ char *name = NULL;
                int r = render_container_filename(ct, &name);
                if (r < 0)
                        return r;
                strbuf_reset(buf);
                render_container(m, a, ct, buf);
                if ((r = write_unit(staging_fd, name, buf)) < 0)
                        return log_write_errno(r, a->name, "app %s: cannot write %s/%s: %m", a->name, staging, name);
                stats->containers++;
                for (size_t v = 0; v < ct->n_mounts; v++) {
                        if (ct->mounts[v].kind != MOUNT_NAMED_VOLUME || app_volume_seen_before(a, c, v))
                                continue;
                        _cleanup_free_ char *vname = NULL;
                        if ((r = render_volume_filename(a, ct->mounts[v].source, &vname)) < 0)
                                return r;
                        strbuf_reset(buf);
                        render_volume(m, a, ct->mounts[v].source, buf);
                        if ((r = write_unit(staging_fd, vname, buf)) < 0)
                                return log_write_errno(r, a->name, "app %s: cannot write %s/%s: %m", a->name, staging,
                                                       vname);
                        stats->volumes++;
                }
        }
        return 0;
}

int generate_quadlet_files(const struct manifest *m, const char *staging, struct generate_stats *stats) {
        int r = mkdir_p(staging, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the Quadlet staging dir %s: %m", staging);
        if ((r = clear_dir_files(staging)) < 0)
                return log_error_errno(r, "cannot empty the Quadlet staging dir %s: %m", staging);
        *stats = (struct generate_stats){0};
        if (!m)
                return 0;
        _cleanup_close_ int dfd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(-errno, "cannot open the Quadlet staging dir %s: %m", staging);

        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                if (a->skip) {
                        stats->skipped++;
                        continue;
                }
                if (write_app(m, a, dfd, staging, &buf, stats) < 0) {
                        remove_app_files(a, dfd);
                        stats->skipped++;
                        continue;
                }
                stats->apps++;
        }
        if (stats->containers == 0)
                return 0;
        strbuf_reset(&buf);
        render_network(m, &buf);
        if ((r = write_unit(dfd, ARCHY_NETWORK_FILE, &buf)) < 0)
                return log_write_errno(r, NULL, "cannot write %s/" ARCHY_NETWORK_NAME ".network: %m", staging);
        return 0;
}
