/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"

/* Pure: the record of the apps' last probe results, /run/archipelago/probes (archyctl(8), FILES;
 * $ARCHY_PROBES_FILE moves it), written by archyctl probe and archyctl metrics, read by archyctl
 * status and the metrics. On tmpfs: it is written when /var is full. One JSON object:
 *
 *   {"archy_probes": 1, "probes": [
 *     {"app": "bitcoin-knots", "name": "rpc", "kind": "tcp", "target": "127.0.0.1:8332", "ok": true,
 *      "duration_ms": 1, "checked_at": 1764700000, "detail": "connected"}
 *   ]}
 *
 * checked_at in seconds since the epoch, duration_ms in milliseconds. */

#define PROBES_RECORD_PATH "/run/archipelago/probes"
/* The longest detail kept (a libcurl error is at most 256 bytes). */
#define PROBE_DETAIL_MAX 512
/* The most results one record holds (a bigger file is not ours). */
#define PROBES_RECORD_MAX 4096

struct probe_outcome {
        char *app, *name;
        enum probe_kind kind;
        char *target;
        bool ok;
        unsigned duration_ms;
        long long checked_at; /* seconds since the epoch */
        char *detail;         /* "connected", "connection refused", "HTTP 503, expected 200", ... */
};

struct probe_record {
        struct probe_outcome *items;
        size_t n;
};

/* NULL on OOM. */
char *probe_record_render(const struct probe_record *r);
/* Strict: the format member, every result with every member of its kind, names valid, texts
 * without control characters. 0, -EINVAL (*ret_error, when not NULL, a malloc'ed sentence), -ENOMEM. */
int probe_record_parse(const char *text, size_t len, struct probe_record *ret, char **ret_error);
/* Append a copy of o: the new element, NULL on OOM. */
struct probe_outcome *probe_record_add(struct probe_record *r, const struct probe_outcome *o);
/* The result of probe `name` of app `app`, or NULL. */
const struct probe_outcome *probe_record_find(const struct probe_record *r, const char *app, const char *name);
void probe_record_done(struct probe_record *r);

/* archyctl probe's report of the results in r (pure): one line per probe, or one JSON object
 * {"ok": BOOL, "probes": [{app, name, kind, target, ok, detail, duration_ms, checked_at}]}
 * (archyctl(8), PROBE). NULL on OOM. */
char *probe_report_text(const struct probe_record *r);
char *probe_report_json(const struct probe_record *r);
