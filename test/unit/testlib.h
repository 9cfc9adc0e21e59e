/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <check.h>

#include "diag.h"
#include "manifest.h"

/* Directory of the test data (test/cases, test/golden), relative to test/unit. */
#define CASES_DIR "../cases"
#define GOLDEN_DIR "../golden"

Suite *values_suite(void);
Suite *manifest_suite(void);
Suite *cases_suite(void);
Suite *escape_suite(void);
Suite *render_suite(void);
Suite *generate_suite(void);
Suite *log_suite(void);
Suite *podman_state_suite(void);
Suite *rpcauth_suite(void);
Suite *managed_block_suite(void);
Suite *derive_suite(void);
Suite *podman_repair_suite(void);
Suite *verify_ota_suite(void);
Suite *limits_suite(void);
Suite *path_trust_suite(void);
Suite *stuck_suite(void);
Suite *naming_suite(void);
Suite *parse_number_suite(void);
Suite *strv_suite(void);
Suite *json_doc_suite(void);
Suite *app_ref_suite(void);
Suite *journal_suite(void);
Suite *volumes_suite(void);
Suite *messages_suite(void);
Suite *speed_suite(void);
Suite *container_keys_suite(void);
Suite *multiline_suite(void);
Suite *status_suite(void);
Suite *probes_suite(void);
Suite *doctor_suite(void);
Suite *plan_suite(void);
Suite *manifest_edit_suite(void);
Suite *reconcile_suite(void);
Suite *plan_images_suite(void);
Suite *rollback_record_suite(void);
Suite *prom_text_suite(void);
Suite *derive_state_suite(void);
Suite *metrics_suite(void);
Suite *bitcoin_conf_syntax_suite(void);
Suite *node_mode_suite(void);
Suite *ctl_node_suite(void);
Suite *derive_rootless_suite(void);

/* Parse YAML text; the manifest (or NULL) is returned, diagnostics are in *diags. */
struct manifest *parse_text(const char *text, struct diag_list *diags);
/* All diagnostics joined with newlines (for readable failure output). */
char *diags_joined(const struct diag_list *diags);
char *read_text_file(const char *path);
/* got equals want; a long text check cannot carry in its message goes to stderr as a diff aid. */
void assert_text_eq(const char *got, const char *want);
/* Parses text, asserts that its diagnostics are exactly want (joined, "" for none) and returns the
 * manifest (the caller frees it). */
struct manifest *parse_expecting(const char *text, const char *want);
