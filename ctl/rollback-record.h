/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Pure: the record archyctl apply keeps of an app whose image update it rolled back,
 * STATE-DIR/rolled-back/APP (archyctl(8) FILES), which archyctl status shows:
 *
 *   archyctl-rolled-back 1
 *   app=wallet
 *   at=1764700000
 *   reason=wallet: archy-wallet.service active, container archy-wallet not healthy yet
 *   image=main localhost/wallet:2 localhost/wallet:1
 *
 * one image line per container put back: its part, the image that failed, the image put back. */

struct rollback_image {
        char *part, *from, *to;
};

struct rollback_record {
        char *app;
        long long at; /* seconds since the epoch: when the rollback was decided */
        char *reason;
        struct rollback_image *images;
        size_t n_images;
};

/* NULL on OOM. */
char *rollback_record_render(const struct rollback_record *r);
/* Strict: the format line, app, at and at least one image, each key known (image repeated, the
 * others once), names and references valid. 0, -EINVAL (*ret_error, when not NULL, a malloc'ed
 * sentence naming the line), -ENOMEM. */
int rollback_record_parse(const char *text, struct rollback_record *ret, char **ret_error);
/* Append an image (copies): 0 or -ENOMEM. */
int rollback_record_add_image(struct rollback_record *r, const char *part, const char *from, const char *to);
void rollback_record_done(struct rollback_record *r);
