/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A rootless node's id mapping: inside the apps user's user namespace, id 0 is the user itself and
 * ids 1..count are its subordinate range from /etc/subuid (/etc/subgid), as newuidmap sets it up
 * for podman. Pure. */
struct subid_range {
        unsigned long start, count; /* count 0: the user has none */
};

/* The first "NAME:START:COUNT" line of an /etc/subuid or /etc/subgid text for user (by name, or by
 * numeric id as shadow's tools accept it). 0 with *ret filled; -ENOENT: no line for the user;
 * -EINVAL: the user's line is malformed. Lines of other users are not checked. */
int subid_find(const char *text, size_t len, const char *user, uid_t uid, struct subid_range *ret);

/* The host id of in-namespace id `id` (0 → owner, 1..count → start..start+count-1). False when id is
 * outside the mapping: no host id holds it. */
bool subid_map(unsigned long owner, const struct subid_range *range, unsigned long id, unsigned long *ret);
/* The reverse: the in-namespace id of host id `host` (owner → 0, start..start+count-1 → 1..count).
 * False when no id in the namespace maps to it. */
bool subid_unmap(unsigned long owner, const struct subid_range *range, unsigned long host, unsigned long *ret);
