/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"

/* Pure checks of a probe's settings (apps.APP.probes, archy-manifest(5)), shared by the manifest
 * parser and the probe runner (ctl/io/probe-run.c). */

/* The longest host a target names (a DNS name is at most 253 characters). */
#define PROBE_HOST_MAX 254

/* [a-z0-9-], 1 to ARCHY_NAME_MAX characters. */
bool probe_name_valid(const char *s);
/* A tcp target "HOST:PORT": HOST an IPv4 literal, an IPv6 literal in brackets ("[::1]:8332") or a
 * host name (RFC 1123 labels), PORT 1..65535. host (PROBE_HOST_MAX bytes) gets HOST without the
 * brackets. 0 or -EINVAL. */
int probe_tcp_target_parse(const char *s, char *host, unsigned *port);
/* An http or https URL archy would request: url_split() (url.h) accepts it. */
bool probe_url_valid(const char *s);
/* "2s", "500ms", "2" (seconds): 1 ms to PROBE_TIMEOUT_MAX_MS. 0 or -EINVAL. */
int probe_timeout_parse(const char *s, unsigned *ret_ms);
