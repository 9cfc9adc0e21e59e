/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generator's journal target on a real datagram socket standing in for journald's: what
 * arrives must be one native-protocol entry per message, with priority and identifier, and a
 * message can never add a field of its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
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

Suite *log_suite(void) {
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("journal");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, journal_entry_has_priority_identifier_and_message);
        tcase_add_test(tc, percent_m_without_an_error_names_errno);
        tcase_add_test(tc, newline_in_a_message_cannot_forge_a_field);
        tcase_add_test(tc, missing_journal_socket_is_reported);
        suite_add_tcase(s, tc);
        return s;
}
