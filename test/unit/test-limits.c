/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Values and unit lines bounded to what systemd and the kernel accept: one value at most
 * ARCHY_VALUE_MAX bytes, and the ExecStart= line Quadlet makes of a container at most
 * ARCHY_UNIT_LINE_MAX (systemd's LONG_LINE_MAX less one), each tested just under and just over.
 * And the derived paths a manifest may not name (test/cases/bad/derived-path-*.yaml). */
#include <stdlib.h>
#include <string.h>

#include "manifest-checks.h"
#include "strbuf.h"
#include "testlib.h"
#include "values.h"

/* A manifest with one container "web/main" whose command has `n_big` arguments of `big` bytes
 * and one of `last` bytes, and an environment variable of `env_len` bytes. */
static char *manifest_with(size_t n_big, size_t big, size_t last, size_t env_len) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "version: 1\napps:\n  web:\n    containers:\n      main:\n        image: localhost/x:1\n");
        strbuf_printf(&sb, "        env: {V: \"");
        for (size_t i = 0; i < env_len; i++)
                strbuf_putc(&sb, 'v');
        strbuf_puts(&sb, "\"}\n        command: [");
        for (size_t a = 0; a <= n_big; a++) {
                strbuf_puts(&sb, a ? ", \"" : "\"");
                for (size_t i = 0; i < (a < n_big ? big : last); i++)
                        strbuf_putc(&sb, 'a');
                strbuf_putc(&sb, '"');
        }
        strbuf_puts(&sb, "]\n");
        return strbuf_steal(&sb);
}

static char *diags_for(const char *text, size_t *bound) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(text, &diags);
        ck_assert_ptr_nonnull(m);
        if (bound)
                *bound = container_exec_line_bound(&m->apps[0], &m->apps[0].containers[0]);
        char *got = diags_joined(&diags);
        manifest_free(m);
        diag_list_free(&diags);
        return got;
}

START_TEST(a_value_is_at_most_64_kib) {
        _cleanup_free_ char *under = manifest_with(0, 0, 1, ARCHY_VALUE_MAX);
        _cleanup_free_ char *got = diags_for(under, NULL);
        ck_assert_str_eq(got, "");
        _cleanup_free_ char *over = manifest_with(0, 0, ARCHY_VALUE_MAX + 1, 1);
        _cleanup_free_ char *got_over = diags_for(over, NULL);
        ck_assert_str_eq(got_over, "test.yaml:8:19: apps.web.containers.main.command[0]: expected a value of at most "
                                   "65536 bytes, got 65537 bytes\n");
}
END_TEST

START_TEST(a_container_fits_on_one_unit_line) {
        /* seven arguments of 64 KiB and one sized to land just under, then just over the line */
        size_t base;
        _cleanup_free_ char *one = manifest_with(7, ARCHY_VALUE_MAX, 1, 1);
        _cleanup_free_ char *got_one = diags_for(one, &base);
        ck_assert_str_eq(got_one, "");
        size_t last = 1 + (ARCHY_UNIT_LINE_MAX - base) / 2; /* each byte of an argument counts twice */
        ck_assert_uint_le(last, ARCHY_VALUE_MAX);

        size_t bound;
        _cleanup_free_ char *under = manifest_with(7, ARCHY_VALUE_MAX, last, 1);
        _cleanup_free_ char *got = diags_for(under, &bound);
        ck_assert_str_eq(got, "");
        ck_assert_uint_le(bound, ARCHY_UNIT_LINE_MAX);
        ck_assert_uint_gt(bound + 2, ARCHY_UNIT_LINE_MAX);

        _cleanup_free_ char *over = manifest_with(7, ARCHY_VALUE_MAX, last + 1, 1);
        _cleanup_free_ char *got_over = diags_for(over, &bound);
        ck_assert_uint_gt(bound, ARCHY_UNIT_LINE_MAX);
        char want[512];
        snprintf(want, sizeof(want),
                 "test.yaml:6:9: apps.web.containers.main: expected a container whose image, command, environment, "
                 "volumes, ports and health command fit on one unit line (podman's Quadlet writes them all into "
                 "ExecStart=, which systemd reads up to 1048575 bytes), got up to %zu bytes: shorten them or move "
                 "settings into an env_files file\n",
                 bound);
        ck_assert_str_eq(got_over, want);
}
END_TEST

/* The manifest being read (ARCHY_MANIFEST may name another file than the default) is protected
 * like the default one; test/cases has the fixed paths. */
START_TEST(a_derived_path_may_not_be_the_manifest_being_read) {
        static const char text[] =
                "version: 1\napps:\n  web:\n    containers: {main: {image: localhost/x:1}}\n"
                "    derived:\n      - {kind: env, path: /srv/node/manifest.yaml, vars: {A: \"1\"}}\n"
                "      - {kind: env, path: /srv/node, vars: {A: \"1\"}}\n";
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, strlen(text), "/srv/node/manifest.yaml", &diags);
        ck_assert_ptr_nonnull(m);
        _cleanup_free_ char *got = diags_joined(&diags);
        ck_assert_str_eq(got, "/srv/node/manifest.yaml:6:9: apps.web.derived[0].path: /srv/node/manifest.yaml would "
                              "overwrite the manifest being read, expected a path outside it\n"
                              "/srv/node/manifest.yaml:7:9: apps.web.derived[1].path: /srv/node would replace a "
                              "directory holding the manifest being read, expected a path outside it\n");
        ck_assert(m->apps[0].skip);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

Suite *limits_suite(void) {
        Suite *s = suite_create("limits");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, a_value_is_at_most_64_kib);
        tcase_add_test(tc, a_container_fits_on_one_unit_line);
        tcase_add_test(tc, a_derived_path_may_not_be_the_manifest_being_read);
        suite_add_tcase(s, tc);
        return s;
}
