/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testlib.h"

struct manifest *parse_text(const char *text, struct diag_list *diags) {
        return manifest_parse(text, strlen(text), "test.yaml", diags);
}

char *diags_joined(const struct diag_list *diags) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < diags->n; i++)
                strbuf_printf(&sb, "%s\n", diags->items[i].text);
        return strbuf_steal(&sb);
}

char *read_text_file(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        struct strbuf sb = STRBUF_INIT;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                strbuf_add(&sb, buf, n);
        fclose(f);
        return strbuf_steal(&sb);
}

void assert_text_eq(const char *got, const char *want) {
        if (strcmp(got, want) != 0)
                fprintf(stderr, "--- expected\n%s--- got\n%s", want, got);
        ck_assert(strcmp(got, want) == 0);
}

struct manifest *parse_expecting(const char *text, const char *want) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(text, &diags);
        char *got = diags_joined(&diags);
        ck_assert_ptr_nonnull(m);
        assert_text_eq(got ? got : "", want);
        free(got);
        diag_list_free(&diags);
        return m;
}

int main(void) {
        /* The test trees live under /tmp, which is world-writable: trust it and what is above it
         * (path-trust.h), so that the ownership checks look at the trees themselves. */
        setenv("ARCHY_TEST_TRUSTED_DIR", "/tmp", 0);
        SRunner *sr = srunner_create(values_suite());
        srunner_add_suite(sr, manifest_suite());
        srunner_add_suite(sr, cases_suite());
        srunner_add_suite(sr, escape_suite());
        srunner_add_suite(sr, render_suite());
        srunner_add_suite(sr, generate_suite());
        srunner_add_suite(sr, log_suite());
        srunner_add_suite(sr, podman_state_suite());
        srunner_add_suite(sr, rpcauth_suite());
        srunner_add_suite(sr, managed_block_suite());
        srunner_add_suite(sr, derive_suite());
        srunner_add_suite(sr, podman_repair_suite());
        srunner_add_suite(sr, verify_ota_suite());
        srunner_add_suite(sr, limits_suite());
        srunner_add_suite(sr, path_trust_suite());
        srunner_add_suite(sr, stuck_suite());
        srunner_add_suite(sr, naming_suite());
        srunner_add_suite(sr, parse_number_suite());
        srunner_add_suite(sr, strv_suite());
        srunner_add_suite(sr, json_doc_suite());
        srunner_add_suite(sr, app_ref_suite());
        srunner_add_suite(sr, journal_suite());
        srunner_add_suite(sr, volumes_suite());
        srunner_add_suite(sr, messages_suite());
        srunner_add_suite(sr, speed_suite());
        srunner_add_suite(sr, container_keys_suite());
        srunner_add_suite(sr, multiline_suite());
        srunner_add_suite(sr, status_suite());
        srunner_add_suite(sr, probes_suite());
        srunner_add_suite(sr, doctor_suite());
        srunner_add_suite(sr, plan_suite());
        srunner_add_suite(sr, manifest_edit_suite());
        srunner_add_suite(sr, reconcile_suite());
        srunner_add_suite(sr, plan_images_suite());
        srunner_add_suite(sr, rollback_record_suite());
        srunner_add_suite(sr, prom_text_suite());
        srunner_add_suite(sr, derive_state_suite());
        srunner_add_suite(sr, metrics_suite());
        srunner_add_suite(sr, bitcoin_conf_syntax_suite());
        srunner_add_suite(sr, node_mode_suite());
        srunner_add_suite(sr, ctl_node_suite());
        srunner_add_suite(sr, derive_rootless_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
