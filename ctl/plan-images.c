/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which images a plan needs before it stops anything (pulled ahead), and which containers it
 * moves to another image (rolled back when the app does not get healthy). Pure.
 *
 * A container needs its image when the plan starts or restarts its service: an install, a start,
 * an edit, and an app started again after a required app's stop (its image is there already:
 * the check costs one `podman image exists`).
 */
#include "plan-images.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "naming.h"
#include "strv.h"

static int push(struct plan_image **v, size_t *n, struct plan_image it) {
        struct plan_image *g = reallocarray(*v, *n + 1, sizeof **v);
        if (!g)
                return -ENOMEM;
        g[(*n)++] = it;
        *v = g;
        return 0;
}

static bool listed(const struct plan_image *v, size_t n, const char *image) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].image, image) == 0)
                        return true;
        return false;
}

/* Whether the plan starts or restarts the container's service: 1, 0, -ENOMEM. */
static int runs(const struct plan_app *pa, const struct container *c) {
        _cleanup_free_ char *svc = NULL;
        if (naming_service(c->unit, &svc) < 0)
                return -ENOMEM;
        return strv_contains(pa->start, svc) || strv_contains(pa->restart, svc);
}

static int add_app(struct plan_images *im, const struct plan_app *pa, const struct app *oa, const struct app *na) {
        for (size_t c = 0; c < na->n_containers; c++) {
                const struct container *nc = &na->containers[c];
                const struct container *oc = oa && !oa->skip ? app_find_container(oa, nc->part) : NULL;
                int r = runs(pa, nc);
                if (r < 0)
                        return r;
                if (!r)
                        continue;
                struct plan_image it = {.app = na->name, .part = nc->part, .unit = nc->unit, .image = nc->image};
                if (!listed(im->pull, im->n_pull, nc->image) && push(&im->pull, &im->n_pull, it) < 0)
                        return -ENOMEM;
                if (pa->from == APP_STATE_UNINSTALLED || !oc || strcmp(oc->image, nc->image) == 0)
                        continue;
                it.old_image = oc->image;
                if (push(&im->changed, &im->n_changed, it) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_images_compute(const struct plan *p, const struct manifest *old, const struct manifest *new,
                        struct plan_images *ret) {
        struct plan_images im = {0};
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *pa = &p->apps[i];
                const struct app *na = manifest_find_app(new, pa->name);
                if (pa->to != APP_STATE_STARTED || !na || na->skip)
                        continue;
                if (add_app(&im, pa, old ? manifest_find_app(old, pa->name) : NULL, na) < 0) {
                        plan_images_free(&im);
                        return -ENOMEM;
                }
        }
        *ret = im;
        return 0;
}

void plan_images_free(struct plan_images *im) {
        free(im->pull);
        free(im->changed);
        *im = (struct plan_images){0};
}

bool plan_images_app_changed(const struct plan_images *im, const char *app) {
        for (size_t i = 0; i < im->n_changed; i++)
                if (strcmp(im->changed[i].app, app) == 0)
                        return true;
        return false;
}
