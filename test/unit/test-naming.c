/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The naming contract: the names every tool gives an app's units, volumes and labels. */
#include <stdlib.h>

#include "naming.h"
#include "testlib.h"

#define ck_assert_name(call, expected)                                                                                 \
        do {                                                                                                           \
                char *_n = NULL;                                                                                       \
                ck_assert_int_eq(call, 0);                                                                             \
                ck_assert_str_eq(_n, expected);                                                                        \
                free(_n);                                                                                              \
        } while (0)

START_TEST(units_drop_the_main_part) {
        ck_assert_name(naming_unit("bitcoin", "main", &_n), "archy-bitcoin");
        ck_assert_name(naming_unit("btcpay", "postgres", &_n), "archy-btcpay-postgres");
        /* Only the part named exactly "main" is the app's own unit. */
        ck_assert_name(naming_unit("btcpay", "mainnet", &_n), "archy-btcpay-mainnet");
        ck_assert_name(naming_service("archy-btcpay-postgres", &_n), "archy-btcpay-postgres.service");
}
END_TEST

START_TEST(volumes_and_their_quadlet_names) {
        ck_assert_name(naming_volume("bitcoin", "data", &_n), "archy-bitcoin-data");
        ck_assert_name(naming_volume_file("bitcoin", "data", &_n), "archy-bitcoin-data.volume");
        ck_assert_name(naming_volume_service("bitcoin", "data", &_n), "archy-bitcoin-data-volume.service");
}
END_TEST

START_TEST(labels_and_network) {
        ck_assert_name(naming_label_app("lnd", &_n), "archy.app=lnd");
        ck_assert_str_eq(ARCHY_LABEL_MANAGED, "archy.managed=true");
        ck_assert_str_eq(ARCHY_LABEL_CONTAINER, "archy.container");
        ck_assert_str_eq(ARCHY_NETWORK_FILE, "archipelago.network");
        ck_assert_str_eq(ARCHY_NETWORK_SERVICE, "archipelago-network.service");
}
END_TEST

START_TEST(appenders_write_the_same_names) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_app_service(&sb, "lnd");
        strbuf_putc(&sb, ' ');
        naming_put_unit(&sb, "lnd", "tor");
        strbuf_putc(&sb, ' ');
        naming_put_volume_file(&sb, "lnd", "data");
        ck_assert_str_eq(strbuf_str(&sb), "archy-lnd.service archy-lnd-tor archy-lnd-data.volume");
        strbuf_free(&sb);
}
END_TEST

Suite *naming_suite(void) {
        Suite *s = suite_create("naming");
        TCase *tc = tcase_create("names");
        tcase_add_test(tc, units_drop_the_main_part);
        tcase_add_test(tc, volumes_and_their_quadlet_names);
        tcase_add_test(tc, labels_and_network);
        tcase_add_test(tc, appenders_write_the_same_names);
        suite_add_tcase(s, tc);
        return s;
}
