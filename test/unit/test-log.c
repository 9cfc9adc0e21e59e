/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generator's journal target on a real datagram socket standing in for journald's: what
 * arrives must be one native-protocol entry per message, with priority and identifier, and a
 * message can never add a field of its own. */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "journal-field.h"
#include "log.h"
#include "message-ids.h"
#include "testlib.h"

static char dir[] = "/tmp/archy-log.XXXXXX";
static char path[128];
static int server = -1;

static void setup(void) {
        log_set_max_level(LOG_LVL_INFO); /* without fork (valgrind), earlier suites may have lowered it */
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/socket", dir);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        strcpy(sa.sun_path, path);
        server = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(server, 0);
        ck_assert_int_eq(bind(server, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void teardown(void) {
        log_close();
        log_setup("archy-test", LOG_TARGET_STDERR);
        close(server);
        unlink(path);
        rmdir(dir);
        memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static char *receive(void) {
        static char buf[4096];
        ssize_t n = recv(server, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        ck_assert_int_gt(n, 0);
        buf[n] = 0;
        return buf;
}

START_TEST(journal_entry_has_priority_identifier_and_message) {
        ck_assert_int_eq(log_setup_system("archy-generator", path), 0);
        ck_assert_int_eq(log_error_errno(-ENOENT, "cannot open %s: %m", "/x"), -ENOENT);
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "PRIORITY=3\n"));
        ck_assert_ptr_nonnull(strstr(entry, "SYSLOG_IDENTIFIER=archy-generator\n"));
        ck_assert_ptr_nonnull(strstr(entry, "MESSAGE=cannot open /x: No such file or directory\n"));
}
END_TEST

START_TEST(percent_m_without_an_error_names_errno) {
        ck_assert_int_eq(log_setup_system("archy-generator", path), 0);
        errno = ENOSPC;
        log_warning("cannot write %s: %m", "/x");
        ck_assert_ptr_nonnull(strstr(receive(), "MESSAGE=cannot write /x: No space left on device\n"));
        ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(newline_in_a_message_cannot_forge_a_field) {
        ck_assert_int_eq(log_setup_system("archy-generator", path), 0);
        log_warning("%s", "bad\nPRIORITY=0");
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "PRIORITY=4\n"));
        ck_assert_ptr_null(strstr(entry, "\nPRIORITY=0"));
        ck_assert_ptr_nonnull(strstr(entry, "MESSAGE=bad PRIORITY=0\n"));
}
END_TEST

/* At boot journald is not listening yet: the caller learns it and kmsg (or stderr) takes over. */
START_TEST(missing_journal_socket_is_reported) {
        char missing[160];
        snprintf(missing, sizeof(missing), "%s/nothing-here", dir);
        ck_assert_int_eq(log_setup_system("archy-generator", missing), -ENOENT);
}
END_TEST

/* What a UI or an operator filters on: MESSAGE_ID= and ARCHY_APP= beside the usual fields. */
START_TEST(structured_entry_has_message_id_and_app) {
        ck_assert_int_eq(log_setup_system("archy-reconcile", path), 0);
        log_struct(LOG_LVL_NOTICE, ARCHY_MID_RECONCILE_RESTART_APP, "indexer", "restart-app %s: %s",
                   "archy-indexer.service", "systemd gave up");
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "PRIORITY=5\n"));
        ck_assert_ptr_nonnull(strstr(entry, "SYSLOG_IDENTIFIER=archy-reconcile\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE_ID=1d9d954035754be1a7fba153d73a1208\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nARCHY_APP=indexer\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE=restart-app archy-indexer.service: systemd gave up\n"));
}
END_TEST

START_TEST(structured_entry_without_app_has_no_app_field) {
        ck_assert_int_eq(log_setup_system("archy-generator", path), 0);
        ck_assert_int_eq(log_struct_errno(LOG_LVL_ERR, -EINVAL, ARCHY_MID_MANIFEST_REFUSED, NULL, "bad: %m"), -EINVAL);
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE_ID=" ARCHY_MID_MANIFEST_REFUSED "\n"));
        ck_assert_ptr_null(strstr(entry, "ARCHY_APP="));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE=bad: Invalid argument\n"));
}
END_TEST

/* An app name comes from the manifest: a newline in it cannot add a field either. */
START_TEST(newline_in_an_app_cannot_forge_a_field) {
        ck_assert_int_eq(log_setup_system("archy-derive", path), 0);
        log_struct(LOG_LVL_NOTICE, ARCHY_MID_DERIVE_DRIFT_REPAIRED, "node\nMESSAGE_ID=0", "repaired");
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "\nARCHY_APP=node MESSAGE_ID=0\n"));
        ck_assert_ptr_null(strstr(entry, "\nMESSAGE_ID=0\n"));
}
END_TEST

/* A write refused for lack of space is tagged; any other failure is not. */
START_TEST(write_error_is_tagged_only_when_the_disk_is_full) {
        ck_assert_int_eq(log_setup_system("archy-reconcile", path), 0);
        ck_assert_int_eq(log_write_errno(-ENOSPC, "node", "cannot write %s: %m", "/var/x"), -ENOSPC);
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "PRIORITY=3\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE_ID=" ARCHY_MID_NO_SPACE "\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nARCHY_APP=node\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE=cannot write /var/x: No space left on device\n"));
        log_write_errno(-EACCES, NULL, "cannot write %s: %m", "/var/x");
        entry = receive();
        ck_assert_ptr_null(strstr(entry, "MESSAGE_ID="));
        ck_assert_str_eq(log_no_space_id(EDQUOT), ARCHY_MID_NO_SPACE);
        ck_assert_ptr_null(log_no_space_id(0));
}
END_TEST

/* The journal-only record says whether journald took it, and is subject to the level too. */
START_TEST(journal_record_reports_whether_it_was_sent) {
        ck_assert_int_eq(log_setup_system("archyctl", path), 0);
        ck_assert(log_journal_record(LOG_LVL_NOTICE, ARCHY_MID_APPLY_UNIT_STARTED, "wallet", "apply: starting %s",
                                     "archy-wallet.service"));
        char *entry = receive();
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE_ID=" ARCHY_MID_APPLY_UNIT_STARTED "\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nARCHY_APP=wallet\n"));
        ck_assert_ptr_nonnull(strstr(entry, "\nMESSAGE=apply: starting archy-wallet.service\n"));
        ck_assert(!log_journal_record(LOG_LVL_DEBUG, ARCHY_MID_APPLY_UNIT_STARTED, "wallet", "not logged"));
        ck_assert_int_lt(recv(server, entry, 16, MSG_DONTWAIT), 0);
}
END_TEST

/* The helpers' outcome entries carry fields of their own; a value with a newline (podman's error
 * text) goes in journald's binary form, so no line of it becomes a field; a bad key is left out. */
START_TEST(fields_entry_carries_the_callers_fields) {
        ck_assert_int_eq(log_setup_system("archy-verify-ota", path), 0);
        const struct journal_field fields[] = {
                {"ARCHY_OTA_RESULT", "rolled-back"},
                {"ARCHY_OTA_LAST_ERROR", "line one\nPRIORITY=0"},
                {"_SYSTEMD_UNIT", "forged.service"},
                {"ARCHY_OTA_REASON", NULL},
        };
        ck_assert(log_journal_fields(LOG_LVL_ERR, ARCHY_MID_OTA_ROLLED_BACK, fields, ELEMENTSOF(fields),
                                     "update %s -> %s rolled back", "1.4.0", "1.5.0"));
        static char buf[4096];
        ssize_t n = recv(server, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        ck_assert_int_gt(n, 0);
        buf[n] = 0;
        /* the binary length holds NUL bytes: the entry is searched as bytes */
#define HAS(text) memmem(buf, (size_t)n, text, sizeof(text) - 1)
        ck_assert_ptr_nonnull(HAS("PRIORITY=3\nSYSLOG_IDENTIFIER=archy-verify-ota\n"));
        ck_assert_ptr_nonnull(HAS("\nMESSAGE_ID=" ARCHY_MID_OTA_ROLLED_BACK "\n"));
        ck_assert_ptr_nonnull(HAS("\nARCHY_OTA_RESULT=rolled-back\n"));
        ck_assert_ptr_nonnull(HAS("\nARCHY_OTA_LAST_ERROR\n\x13\0\0\0\0\0\0\0line one\nPRIORITY=0\n"));
        ck_assert_ptr_nonnull(HAS("\nARCHY_OTA_REASON=\n"));
        ck_assert_ptr_nonnull(HAS("\nMESSAGE=update 1.4.0 -> 1.5.0 rolled back\n"));
        ck_assert_ptr_null(HAS("_SYSTEMD_UNIT"));
#undef HAS
        ck_assert(!log_journal_fields(LOG_LVL_DEBUG, NULL, fields, 1, "below the level"));
}
END_TEST

START_TEST(field_value_is_cut_at_its_maximum) {
        static char value[JOURNAL_FIELD_VALUE_MAX + 100];
        memset(value, 'x', sizeof(value));
        _cleanup_strbuf_ struct strbuf entry = STRBUF_INIT;
        ck_assert_int_eq(journal_field_add(&entry, "ARCHY_PODMAN_EVIDENCE", value, sizeof(value)), 0);
        ck_assert_uint_eq(entry.len, strlen("ARCHY_PODMAN_EVIDENCE=") + JOURNAL_FIELD_VALUE_MAX + 1);
        ck_assert_int_eq(journal_field_add(&entry, "lower", "x", 1), -EINVAL);
        ck_assert_int_eq(journal_field_add(&entry, "", "x", 1), -EINVAL);
        ck_assert_int_eq(journal_field_add(&entry, "9LIVES", "x", 1), -EINVAL);
        ck_assert_uint_eq(entry.len, strlen("ARCHY_PODMAN_EVIDENCE=") + JOURNAL_FIELD_VALUE_MAX + 1);
}
END_TEST

static long long elapsed_ms(const struct timespec *since) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - since->tv_sec) * 1000LL + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* The wait at exit ends once journald has read what was sent, and gives up at its bound. */
START_TEST(drain_waits_until_the_receiver_has_read) {
        ck_assert_int_eq(log_setup_system("archy-derive", path), 0);
        ck_assert_int_eq(log_journal_drain(0), 0);
        log_struct(LOG_LVL_NOTICE, ARCHY_MID_DERIVE_DRIFT_REPAIRED, "node", "repaired");
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        ck_assert_int_eq(log_journal_drain(50), -ETIMEDOUT);
        ck_assert_int_ge(elapsed_ms(&start), 50);
        receive();
        clock_gettime(CLOCK_MONOTONIC, &start);
        ck_assert_int_eq(log_journal_drain(1000), 0);
        ck_assert_int_lt(elapsed_ms(&start), 100);
}
END_TEST

Suite *log_suite(void) {
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("journal");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, journal_entry_has_priority_identifier_and_message);
        tcase_add_test(tc, percent_m_without_an_error_names_errno);
        tcase_add_test(tc, newline_in_a_message_cannot_forge_a_field);
        tcase_add_test(tc, missing_journal_socket_is_reported);
        tcase_add_test(tc, structured_entry_has_message_id_and_app);
        tcase_add_test(tc, structured_entry_without_app_has_no_app_field);
        tcase_add_test(tc, newline_in_an_app_cannot_forge_a_field);
        tcase_add_test(tc, write_error_is_tagged_only_when_the_disk_is_full);
        tcase_add_test(tc, journal_record_reports_whether_it_was_sent);
        tcase_add_test(tc, fields_entry_carries_the_callers_fields);
        tcase_add_test(tc, field_value_is_cut_at_its_maximum);
        tcase_add_test(tc, drain_waits_until_the_receiver_has_read);
        suite_add_tcase(s, tc);
        return s;
}
