/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prometheus's text format: headers once per family before its first sample, label escaping,
 * numbers Prometheus reads back, misuse refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prom-text.h"
#include "testlib.h"

START_TEST(test_families) {
        struct prom_text p = PROM_TEXT_INIT;
        prom_family(&p, "archy_app_running", PROM_GAUGE, "1 when every long-running unit of the app is active");
        prom_sample(&p, (const char *const[]){"app", "lnd", NULL}, 1);
        prom_sample(&p, (const char *const[]){"app", "mempool", NULL}, 0);
        prom_family(&p, "archy_never_sampled", PROM_GAUGE, "no sample: no header either");
        prom_family(&p, "archy_podman_repairs_total", PROM_COUNTER, "repairs, a back\\slash and a\nnewline");
        prom_sample(&p, NULL, 12);
        char *text = prom_text_finish(&p);
        ck_assert_ptr_nonnull(text);
        assert_text_eq(text, "# HELP archy_app_running 1 when every long-running unit of the app is active\n"
                             "# TYPE archy_app_running gauge\n"
                             "archy_app_running{app=\"lnd\"} 1\n"
                             "archy_app_running{app=\"mempool\"} 0\n"
                             "# HELP archy_podman_repairs_total repairs, a back\\\\slash and a\\nnewline\n"
                             "# TYPE archy_podman_repairs_total counter\n"
                             "archy_podman_repairs_total 12\n");
        free(text);
}
END_TEST

START_TEST(test_label_escaping) {
        struct prom_text p = PROM_TEXT_INIT;
        prom_family(&p, "archy_disk_free_bytes", PROM_GAUGE, "free");
        prom_sample(&p, (const char *const[]){"path", "/a\\b\"c\nd", "x", "", NULL}, 4096);
        char *text = prom_text_finish(&p);
        ck_assert_ptr_nonnull(text);
        assert_text_eq(text, "# HELP archy_disk_free_bytes free\n# TYPE archy_disk_free_bytes gauge\n"
                             "archy_disk_free_bytes{path=\"/a\\\\b\\\"c\\nd\",x=\"\"} 4096\n");
        free(text);
}
END_TEST

START_TEST(test_values) {
        char buf[32];
        ck_assert_str_eq(prom_format_value(0, buf), "0");
        ck_assert_str_eq(prom_format_value(-0.0, buf), "0");
        ck_assert_str_eq(prom_format_value(1795780800, buf), "1795780800");
        ck_assert_str_eq(prom_format_value(-3, buf), "-3");
        ck_assert_str_eq(prom_format_value(0.25, buf), "0.25");
        ck_assert_str_eq(prom_format_value(1795780800.123456, buf), "1795780800.123456");
        ck_assert_str_eq(prom_format_value(0.1, buf), "0.1");
        ck_assert_str_eq(prom_format_value(1e300, buf), "1e+300");
        ck_assert_str_eq(prom_format_value(18446744073709551616.0, buf), "1.8446744073709552e+19");
        ck_assert_str_eq(prom_format_value(NAN, buf), "NaN");
        ck_assert_str_eq(prom_format_value(-INFINITY, buf), "-Inf");
        /* every form reads back as the same number */
        const double samples[] = {1.0 / 3, 2.5e-7, 123456789.987654321, 9007199254740993.0};
        for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
                ck_assert(strtod(prom_format_value(samples[i], buf), NULL) == samples[i]);
}
END_TEST

static bool finishes(void (*fill)(struct prom_text *)) {
        struct prom_text p = PROM_TEXT_INIT;
        fill(&p);
        char *text = prom_text_finish(&p);
        free(text);
        return text != NULL;
}

static void ok_fill(struct prom_text *p) {
        prom_family(p, "a:b_c", PROM_GAUGE, "ok");
        prom_sample(p, (const char *const[]){"_l1", "v", NULL}, 1);
}
static void no_family(struct prom_text *p) {
        prom_sample(p, NULL, 1);
}
static void twice(struct prom_text *p) {
        prom_family(p, "a", PROM_GAUGE, "x");
        prom_sample(p, NULL, 1);
        prom_family(p, "b", PROM_GAUGE, "x");
        prom_family(p, "a", PROM_GAUGE, "x");
        prom_sample(p, NULL, 2);
}
static void bad_name(struct prom_text *p) {
        prom_family(p, "9lives", PROM_GAUGE, "x");
        prom_sample(p, NULL, 1);
}
static void bad_label(struct prom_text *p) {
        prom_family(p, "a", PROM_GAUGE, "x");
        prom_sample(p, (const char *const[]){"a:b", "v", NULL}, 1);
}
static void reserved_label(struct prom_text *p) {
        prom_family(p, "a", PROM_GAUGE, "x");
        prom_sample(p, (const char *const[]){"__name__", "v", NULL}, 1);
}
static void null_value(struct prom_text *p) {
        prom_family(p, "a", PROM_GAUGE, "x");
        prom_sample(p, (const char *const[]){"app", NULL}, 1);
}

START_TEST(test_misuse) {
        ck_assert(finishes(ok_fill));
        ck_assert(!finishes(no_family));
        ck_assert(!finishes(twice));
        ck_assert(!finishes(bad_name));
        ck_assert(!finishes(bad_label));
        ck_assert(!finishes(reserved_label));
        ck_assert(!finishes(null_value));
        ck_assert(prom_name_valid("archy_x:y", false));
        ck_assert(!prom_name_valid("archy_x:y", true));
        ck_assert(!prom_name_valid("", false));
        ck_assert(!prom_name_valid("a-b", false));
}
END_TEST

Suite *prom_text_suite(void) {
        Suite *s = suite_create("prom-text");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_families);
        tcase_add_test(tc, test_label_escaping);
        tcase_add_test(tc, test_values);
        tcase_add_test(tc, test_misuse);
        suite_add_tcase(s, tc);
        return s;
}
