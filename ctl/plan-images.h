/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "plan.h"

/* Pure: the images of a plan (archyctl(8) apply, IMAGES). Every string points into the plan's
 * manifests: keep them until plan_images_free(). */

struct plan_image {
        const char *app, *part, *unit; /* unit: the container's name, archy-APP[-PART] */
        const char *image;             /* the new manifest's */
        const char *old_image;         /* the old manifest's; NULL in the pull list of a new container */
};

struct plan_images {
        /* Each image a container the plan starts or restarts runs, once (the first container that
         * names it): it must be present before anything stops. */
        struct plan_image *pull;
        size_t n_pull;
        /* Each container the plan restarts with another image than it had: an app had the
         * container before (started or stopped) and runs it now on another image. Its rollback
         * puts old_image back. */
        struct plan_image *changed;
        size_t n_changed;
};

/* 0 or -ENOMEM; old may be NULL (no installed manifest). */
int plan_images_compute(const struct plan *p, const struct manifest *old, const struct manifest *new,
                        struct plan_images *ret);
void plan_images_free(struct plan_images *im);
/* Whether the plan changes an image of app. */
bool plan_images_app_changed(const struct plan_images *im, const char *app);
