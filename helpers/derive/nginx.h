/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Runs `nginx -t -q` (the binary from ARCHY_NGINX, default /usr/sbin/nginx). Returns 0 when the
 * configuration passes, 1 when it does not, negative errno when nginx cannot be run (-ENOENT: not
 * installed). */
int nginx_config_test(void);
