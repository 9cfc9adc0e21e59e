/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The images of a plan (ctl/plan-images.h), pure: which images are made present before the stop
 * (pulled ahead) and which containers an apply moves to another image (rolled back when the app
 * does not get healthy); and the rollback's own plan, from the failed update back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-images.h"
#include "strbuf.h"
#include "testlib.h"

/* app web: main on image MAIN, ui on image UI, in state STATE */
static struct manifest *node(const char *state, const char *main_image, const char *ui_image, const char *env) {
        char *text = NULL;
        ck_assert_int_ge(asprintf(&text,
                                  "version: 1\napps:\n"
                                  "  keep:\n    containers:\n      main: {image: localhost/k:1}\n"
                                  "  web:\n    state: %s\n    containers:\n"
                                  "      main: {image: %s%s}\n"
                                  "      ui: {image: %s}\n",
                                  state, main_image, env, ui_image),
                         0);
        struct manifest *m = parse_expecting(text, "");
        free(text);
        return m;
}

/* "pull=[app/part=image ...] changed=[app/part=old->new ...]" */
static char *describe(const struct manifest *old, const struct manifest *new) {
        struct plan p;
        ck_assert_int_eq(plan_compute(old, new, NULL, NULL, &p), 0);
        struct plan_images im;
        ck_assert_int_eq(plan_images_compute(&p, old, new, &im), 0);
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "pull=[");
        for (size_t i = 0; i < im.n_pull; i++)
                strbuf_printf(&sb, "%s%s/%s=%s", i ? " " : "", im.pull[i].app, im.pull[i].part, im.pull[i].image);
        strbuf_puts(&sb, "] changed=[");
        for (size_t i = 0; i < im.n_changed; i++)
                strbuf_printf(&sb, "%s%s/%s=%s->%s", i ? " " : "", im.changed[i].app, im.changed[i].part,
                              im.changed[i].old_image, im.changed[i].image);
        strbuf_putc(&sb, ']');
        ck_assert(plan_images_app_changed(&im, "web") == (im.n_changed > 0));
        ck_assert(!plan_images_app_changed(&im, "keep"));
        plan_images_free(&im);
        plan_free(&p);
        return strbuf_steal(&sb);
}

static void check(struct manifest *old, struct manifest *new, const char *want) {
        char *got = describe(old, new);
        assert_text_eq(got, want);
        free(got);
        manifest_free(old);
        manifest_free(new);
}

START_TEST(install_pulls_each_image_once) {
        check(node("uninstalled", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:1", "localhost/w:1", ""), "pull=[web/main=localhost/w:1] changed=[]");
        check(NULL, node("started", "localhost/w:1", "localhost/u:1", ""),
              "pull=[keep/main=localhost/k:1 web/main=localhost/w:1 web/ui=localhost/u:1] changed=[]");
}
END_TEST

START_TEST(install_stopped_pulls_nothing) {
        check(node("uninstalled", "localhost/w:1", "localhost/u:1", ""),
              node("stopped", "localhost/w:2", "localhost/u:1", ""), "pull=[] changed=[]");
}
END_TEST

START_TEST(image_edit_is_pulled_and_changed) {
        check(node("started", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:2", "localhost/u:1", ""),
              "pull=[web/main=localhost/w:2] changed=[web/main=localhost/w:1->localhost/w:2]");
        check(node("started", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:2", "localhost/u:2", ""),
              "pull=[web/main=localhost/w:2 web/ui=localhost/u:2] changed=[web/main=localhost/w:1->localhost/w:2 "
              "web/ui=localhost/u:1->localhost/u:2]");
}
END_TEST

START_TEST(other_edit_is_no_image_change) {
        /* an env change restarts main on the image it had: checked, not changed */
        check(node("started", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:1", "localhost/u:1", ", env: {A: b}"),
              "pull=[web/main=localhost/w:1] changed=[]");
}
END_TEST

START_TEST(start_with_a_new_image_is_changed) {
        check(node("stopped", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:2", "localhost/u:1", ""),
              "pull=[web/main=localhost/w:2 web/ui=localhost/u:1] changed=[web/main=localhost/w:1->localhost/w:2]");
        check(node("stopped", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:1", "localhost/u:1", ""),
              "pull=[web/main=localhost/w:1 web/ui=localhost/u:1] changed=[]");
}
END_TEST

START_TEST(stop_and_uninstall_pull_nothing) {
        check(node("started", "localhost/w:1", "localhost/u:1", ""),
              node("stopped", "localhost/w:2", "localhost/u:1", ""), "pull=[] changed=[]");
        check(node("started", "localhost/w:1", "localhost/u:1", ""),
              node("uninstalled", "localhost/w:2", "localhost/u:1", ""), "pull=[] changed=[]");
}
END_TEST

START_TEST(reinstall_after_uninstall_is_no_image_change) {
        /* nothing ran on the old image: nothing to roll back to */
        check(node("uninstalled", "localhost/w:1", "localhost/u:1", ""),
              node("started", "localhost/w:2", "localhost/u:1", ""),
              "pull=[web/main=localhost/w:2 web/ui=localhost/u:1] changed=[]");
}
END_TEST

START_TEST(rollback_plan_puts_the_old_image_back) {
        /* the rollback's own apply: from the failed update back to the old image */
        check(node("started", "localhost/w:2", "localhost/u:1", ""),
              node("started", "localhost/w:1", "localhost/u:1", ""),
              "pull=[web/main=localhost/w:1] changed=[web/main=localhost/w:2->localhost/w:1]");
}
END_TEST

Suite *plan_images_suite(void) {
        Suite *s = suite_create("plan-images");
        TCase *tc = tcase_create("images");
        tcase_add_test(tc, install_pulls_each_image_once);
        tcase_add_test(tc, install_stopped_pulls_nothing);
        tcase_add_test(tc, image_edit_is_pulled_and_changed);
        tcase_add_test(tc, other_edit_is_no_image_change);
        tcase_add_test(tc, start_with_a_new_image_is_changed);
        tcase_add_test(tc, stop_and_uninstall_pull_nothing);
        tcase_add_test(tc, reinstall_after_uninstall_is_no_image_change);
        tcase_add_test(tc, rollback_plan_puts_the_old_image_back);
        suite_add_tcase(s, tc);
        return s;
}
