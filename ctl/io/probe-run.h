/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"
#include "probe-record.h"

/* archyctl's live probes (the manifest's apps.APP.probes, archy-manifest(5)): the I/O. Every probe
 * of every app run at once (a thread each: a TCP connect with non-blocking connect() and poll(), an
 * HTTP GET with libcurl, lib/system/http-get.h), so a run takes about its slowest timeout (at most
 * 10 s; a host name is resolved before its timeout starts). Only the apps desired started are
 * probed: a stopped app's port is closed on purpose. */

/* The record's path: $ARCHY_PROBES_FILE, else PROBES_RECORD_PATH (/run/archipelago/probes). */
const char *probes_record_path(void);

/* Run the probes of every app of m desired started, and replace the record at path (atomically:
 * a temporary file in the same directory, fsync, rename) with their results; an app with no
 * probes has none in it. This is what archyctl metrics calls before it renders the probe metrics.
 * Returns the number of probes that failed (0: all passed, or none to run), or a negative errno
 * (logged) when the record could not be written. */
int probes_run_and_record(const struct manifest *m, const char *path);

/* The same for one app (app NULL: every app): runs only its probes, keeps the other apps' results
 * of the record at path that still match a probe of a started app of m, and hands back the new
 * results in *ret (probe_record_done()). Returns as probes_run_and_record(). */
int probes_run_app(const struct manifest *m, const char *app, const char *path, struct probe_record *ret);
