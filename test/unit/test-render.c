/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Golden files: the shipped manifest rendered byte for byte. ARCHY_UPDATE_GOLDEN=1 rewrites
 * them (review the diff before committing). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "quadlet-render.h"
#include "testlib.h"

#define SHIPPED "../../manifests/archipelago.yaml"
#define GOLDEN_SHIPPED GOLDEN_DIR "/archipelago"

static struct manifest *load_shipped(void) {
        char *text = read_text_file(SHIPPED);
        ck_assert_ptr_nonnull(text);
        struct diag_list diags = {0};
        /* Rendered as the installed manifest, as a node shows it. */
        struct manifest *m = manifest_parse(text, strlen(text), ARCHY_MANIFEST_PATH, &diags);
        ck_assert_msg(m && diags.n == 0, "the shipped manifest has problems");
        diag_list_free(&diags);
        free(text);
        return m;
}

static int list_files(const char *dir, struct dirent ***ret) {
        int n = scandir(dir, ret, NULL, alphasort);
        ck_assert_int_ge(n, 0);
        return n;
}

START_TEST(shipped_manifest_matches_golden_files) {
        struct manifest *m = load_shipped();
        char tmpl[] = "/tmp/archy-golden.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmpl));
        struct generate_stats st;
        ck_assert_int_eq(generate_quadlet_files(m, tmpl, &st), 0);
        ck_assert_uint_eq(st.apps, 6); /* bitcoin-core is uninstalled */
        ck_assert_uint_eq(st.skipped, 0);

        bool update = getenv("ARCHY_UPDATE_GOLDEN") != NULL;
        if (update)
                ck_assert_int_eq(mkdir_p(GOLDEN_SHIPPED, 0755), 0);
        struct dirent **got, **want;
        int n_got = list_files(tmpl, &got);
        for (int i = 0; i < n_got; i++) {
                if (got[i]->d_name[0] == '.')
                        continue;
                char *gp, *wp;
                ck_assert_int_ge(asprintf(&gp, "%s/%s", tmpl, got[i]->d_name), 0);
                ck_assert_int_ge(asprintf(&wp, GOLDEN_SHIPPED "/%s", got[i]->d_name), 0);
                char *g = read_text_file(gp);
                if (update)
                        ck_assert_int_eq(write_file_atomic(wp, g, strlen(g), 0644), 0);
                char *w = read_text_file(wp);
                ck_assert_msg(w, "no golden file %s (run with ARCHY_UPDATE_GOLDEN=1)", wp);
                ck_assert_msg(strcmp(g, w) == 0, "%s differs from %s", gp, wp);
                unlink(gp);
                free(g), free(w), free(gp), free(wp);
        }
        int n_want = list_files(GOLDEN_SHIPPED, &want);
        ck_assert_int_eq(n_got, n_want); /* no golden file without a rendered one */
        for (int i = 0; i < n_got; i++)
                free(got[i]);
        for (int i = 0; i < n_want; i++)
                free(want[i]);
        free(got), free(want);
        rmdir(tmpl);
        manifest_free(m);
}
END_TEST

START_TEST(rendering_is_deterministic) {
        struct manifest *a = load_shipped(), *b = load_shipped();
        for (size_t i = 0; i < a->n_apps; i++)
                for (size_t c = 0; c < a->apps[i].n_containers; c++) {
                        struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
                        render_container(a, &a->apps[i], &a->apps[i].containers[c], &x);
                        render_container(b, &b->apps[i], &b->apps[i].containers[c], &y);
                        ck_assert_str_eq(strbuf_str(&x), strbuf_str(&y));
                        strbuf_free(&x), strbuf_free(&y);
                }
        manifest_free(a), manifest_free(b);
}
END_TEST

START_TEST(stopped_apps_are_not_wanted_and_dependencies_are_wired) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text("version: 1\napps:\n"
                                        "  node: {state: stopped, containers: {main: {image: localhost/n:1}}}\n"
                                        "  wallet:\n    state: stopped\n    requires: [node]\n"
                                        "    containers: {main: {image: localhost/w:1}, ui: {image: localhost/u:1}}\n",
                                        &diags);
        ck_assert_ptr_nonnull(m);
        struct strbuf sb = STRBUF_INIT;
        render_container(m, &m->apps[1], &m->apps[1].containers[0], &sb);
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "[Install]"));
        /* Wants=, not Requires=: a restart of the node must not restart the wallet. */
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "Wants=archy-node.service\nAfter=archy-node.service\n"));
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "Requires="));
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "TimeoutStopSec=60\n")); /* 30 s default + 30 s */
        strbuf_reset(&sb);
        render_container(m, &m->apps[1], &m->apps[1].containers[1], &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "ContainerName=archy-wallet-ui\n"));
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "After=archy-wallet.service\n"));
        strbuf_free(&sb);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

static struct manifest *order_manifest(struct diag_list *diags) {
        return parse_text("version: 1\napps:\n"
                          "  node: {containers: {main: {image: localhost/n:1, health: {cmd: \"true\"}}}}\n"
                          "  wallet:\n    requires: [{app: node, condition: healthy}]\n    containers:\n"
                          "      main: {image: localhost/w:1, depends_on: {db: {condition: healthy}, init: {condition: "
                          "completed}}}\n"
                          "      db: {image: localhost/d:1, health: {cmd: \"true\"}, depends_on: [init]}\n"
                          "      init: {image: localhost/i:1, restart: \"no\"}\n",
                          diags);
}

START_TEST(order_and_readiness_are_rendered) {
        struct diag_list diags = {0};
        struct manifest *m = order_manifest(&diags);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(diags.n, 0);
        struct strbuf sb = STRBUF_INIT;
        /* The node: healthy before it is active, its stop (not its restart) passed on. */
        render_container(m, &m->apps[0], &m->apps[0].containers[0], &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "Notify=healthy\n"));
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "grep -q \" stop \" || exit 0; exec systemctl stop --no-block "
                                                      "\"$$@\"' %n archy-wallet.service archy-wallet-db.service "
                                                      "archy-wallet-init.service\n"));
        strbuf_reset(&sb);
        render_container(m, &m->apps[1], &m->apps[1].containers[0], &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb),
                                     "Wants=archy-node.service\nAfter=archy-node.service\n"
                                     "Requires=archy-wallet-db.service\nAfter=archy-wallet-db.service\n"
                                     "Requires=archy-wallet-init.service\nAfter=archy-wallet-init."
                                     "service\nStartLimit"));
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "Notify="));
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "ExecStopPost="));
        strbuf_reset(&sb);
        /* The database: Notify=healthy, ordered after init only (no implicit After= on main). */
        render_container(m, &m->apps[1], &m->apps[1].containers[1], &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "Notify=healthy\n"));
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "After=archy-wallet.service"));
        strbuf_reset(&sb);
        render_container(m, &m->apps[1], &m->apps[1].containers[2], &sb);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&sb), "Slice=archipelago-apps.slice\nType=oneshot\n"
                                                      "RemainAfterExit=yes\nRestart=no\nTimeoutStartSec="));
        ck_assert_ptr_null(strstr(strbuf_str(&sb), "RestartSec="));
        strbuf_free(&sb);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

Suite *render_suite(void) {
        Suite *s = suite_create("render");
        TCase *tc = tcase_create("render");
        tcase_add_test(tc, shipped_manifest_matches_golden_files);
        tcase_add_test(tc, rendering_is_deterministic);
        tcase_add_test(tc, stopped_apps_are_not_wanted_and_dependencies_are_wired);
        tcase_add_test(tc, order_and_readiness_are_rendered);
        suite_add_tcase(s, tc);
        return s;
}
