/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "decide.h"

/* Pure: what `podman ps -a --format json`, `podman volume ls --format json` and `podman network
 * ls --format json` print (a JSON array of objects), read with lib/model/json-doc.h into
 * rc_objects. A container's name is the first of "Names", its state "State"; a volume's "Name",
 * a network's "name"; labels in "Labels" (networks: "labels"). An empty output is an empty list. */

struct rc_objects {
        struct rc_object *items;
        size_t n;
};

/* 0, -EINVAL (with *error set to why when error is not NULL) or -ENOMEM; *ret is to be
 * released with rc_objects_done() in every case. */
int podman_list_parse(const char *text, size_t len, struct rc_objects *ret, const char **error);
void rc_objects_done(struct rc_objects *l);
