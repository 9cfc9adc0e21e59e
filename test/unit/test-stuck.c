/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-podman-repair's killing of stuck lock holders: the pure identity logic, then real
 * processes holding a real POSIX lock in a temp dir (the host test): killed with SIGTERM, with
 * SIGKILL when they ignore it, and a conmon spared even when its binary was upgraded (its exe
 * link then ends in " (deleted)"). A reused pid is staged by recording an earlier start time than
 * the process now has: the identity read again after pidfd_open must refuse it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "stuck.h"
#include "testlib.h"

START_TEST(start_time_is_field_22_after_the_last_parenthesis) {
        unsigned long long t = 0;
        ck_assert(proc_stat_start_ticks("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                                        "987654 1000 100",
                                        &t));
        ck_assert_uint_eq(t, 987654);
        /* a comm with spaces and parentheses does not shift the fields */
        ck_assert(proc_stat_start_ticks("7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 1 1", &t));
        ck_assert_uint_eq(t, 55);
        ck_assert(!proc_stat_start_ticks("7 (x) R 1 2 3", &t));
        ck_assert(!proc_stat_start_ticks("garbage", &t));
        ck_assert(!proc_stat_start_ticks("", &t));
}
END_TEST

START_TEST(processes_are_known_by_comm_or_exe_name_deleted_or_not) {
        char buf[64];
        ck_assert_str_eq(exe_name("/usr/bin/conmon", buf, sizeof(buf)), "conmon");
        ck_assert_str_eq(exe_name("/usr/bin/conmon (deleted)", buf, sizeof(buf)), "conmon");
        ck_assert_str_eq(exe_name("conmon", buf, sizeof(buf)), "conmon");
        ck_assert_str_eq(exe_name("/x/ (deleted)", buf, sizeof(buf)), "");
        ck_assert_int_eq(proc_kind_of("conmon", "/usr/bin/conmon"), PROC_CONMON);
        ck_assert_int_eq(proc_kind_of("conmon", "/usr/bin/conmon (deleted)"), PROC_CONMON);
        ck_assert_int_eq(proc_kind_of("x", "/usr/libexec/podman/conmon (deleted)"), PROC_CONMON);
        ck_assert_int_eq(proc_kind_of("catatonit", "/usr/libexec/podman/catatonit"), PROC_CATATONIT);
        /* the rootless network namespace's pasta and the aardvark-dns in it (rootless-netns.h) */
        ck_assert_int_eq(proc_kind_of("pasta.avx2", "/usr/bin/pasta.avx2"), PROC_PASTA);
        ck_assert_int_eq(proc_kind_of("x", "/usr/bin/pasta"), PROC_PASTA);
        ck_assert_int_eq(proc_kind_of("aardvark-dns", "/usr/lib/podman/aardvark-dns"), PROC_AARDVARK);
        ck_assert_int_eq(proc_kind_of("podman", "/usr/bin/podman (deleted)"), PROC_PODMAN);
        ck_assert_int_eq(proc_kind_of("sleep", "/usr/bin/sleep"), PROC_OTHER);
        ck_assert_int_eq(proc_kind_of("conmonx", "/usr/bin/conmon-helper"), PROC_OTHER);
}
END_TEST

START_TEST(a_later_start_time_is_another_process) {
        struct proc_identity first = {.start_ticks = 1000, .comm = "podman"};
        struct proc_identity same = first, reused = {.start_ticks = 1001, .comm = "podman"};
        ck_assert(proc_identity_same(&first, &same));
        ck_assert(!proc_identity_same(&first, &reused));
}
END_TEST

static char *dir;

static void setup(void) {
        dir = strdup("/tmp/archy-stuck.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        log_set_max_level(LOG_LVL_ERR); /* the kill warnings are expected */
}

static void teardown(void) {
        char *cmd;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(dir);
}

enum holder { HOLDER_PLAIN, HOLDER_IGNORES_TERM, HOLDER_NAMED_CONMON, HOLDER_UPGRADED_CONMON };

/* A child that holds a write lock on dir/storage.lock until killed; returns its pid once the
 * lock is held. */
static pid_t start_holder(enum holder how) {
        char lock[256], bin[256], via[256];
        snprintf(lock, sizeof(lock), "%s/storage.lock", dir);
        snprintf(bin, sizeof(bin), "%s/conmon", dir);
        snprintf(via, sizeof(via), "%s/sleeper", dir);
        if (how == HOLDER_UPGRADED_CONMON) {
                /* run through a symlink: comm is then "sleeper", only the exe link says conmon */
                char cmd[600];
                snprintf(cmd, sizeof(cmd), "cp /bin/sleep '%s' && ln -s conmon '%s'", bin, via);
                ck_assert_int_eq(system(cmd), 0);
        }
        int ready[2];
        ck_assert_int_eq(pipe(ready), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int fd = open(lock, O_RDWR | O_CREAT, 0600); /* no O_CLOEXEC: the lock survives exec */
                struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
                if (fd < 0 || fcntl(fd, F_SETLKW, &fl) < 0)
                        _exit(90);
                /* the default action: the runner's own SIGTERM handler is inherited */
                signal(SIGTERM, how == HOLDER_IGNORES_TERM ? SIG_IGN : SIG_DFL);
                if (how == HOLDER_NAMED_CONMON)
                        prctl(PR_SET_NAME, "conmon");
                (void)!write(ready[1], "x", 1);
                if (how == HOLDER_UPGRADED_CONMON)
                        execl(via, "conmon", "100", (char *)NULL);
                for (;;)
                        pause();
        }
        close(ready[1]);
        char c;
        ck_assert_int_eq(read(ready[0], &c, 1), 1);
        close(ready[0]);
        if (how == HOLDER_UPGRADED_CONMON) {
                /* wait for the exec, then "upgrade" the binary: the exe link ends in " (deleted)" */
                char link[64], target[512] = "";
                snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
                for (int i = 0; i < 200 && !strstr(target, "/conmon"); i++) {
                        ssize_t n = readlink(link, target, sizeof(target) - 1);
                        target[n > 0 ? n : 0] = '\0';
                        usleep(10000);
                }
                ck_assert_int_eq(unlink(bin), 0);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = '\0';
                ck_assert_msg(strstr(target, "conmon (deleted)"), "exe is %s", target);
                char comm_path[64], comm[32] = "";
                snprintf(comm_path, sizeof(comm_path), "/proc/%d/comm", (int)pid);
                FILE *f = fopen(comm_path, "re");
                ck_assert_ptr_nonnull(f);
                ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
                fclose(f);
                ck_assert_str_eq(comm, "sleeper\n");
        }
        return pid;
}

static int end_signal(pid_t pid) {
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

static bool still_running(pid_t pid) {
        int status;
        return waitpid(pid, &status, WNOHANG) == 0;
}

/* Whether this kernel (or valgrind 3.19, which does not know pidfd_open) gives pidfds. Without
 * them stuck_kill must kill nothing: a pid it cannot pin may name another process by now. */
static bool have_pidfds(void) {
        int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (fd >= 0)
                close(fd);
        return fd >= 0;
}

/* Without pidfds: nothing was signalled, the holder still runs (then it is ended here). */
static void assert_nothing_killed(pid_t pid, unsigned killed) {
        ck_assert_uint_eq(killed, 0);
        ck_assert(still_running(pid));
        kill(pid, SIGKILL);
        ck_assert_int_eq(end_signal(pid), SIGKILL);
}

START_TEST(a_lock_holder_is_killed_with_sigterm) {
        pid_t pid = start_holder(HOLDER_PLAIN);
        char *dirs[] = {dir, NULL};
        unsigned killed = stuck_kill(dirs, 0, 0, 3000);
        if (!have_pidfds()) {
                assert_nothing_killed(pid, killed);
                return;
        }
        ck_assert_uint_eq(killed, 1);
        ck_assert_int_eq(end_signal(pid), SIGTERM);
}
END_TEST

START_TEST(a_holder_ignoring_sigterm_gets_sigkill_after_the_grace) {
        pid_t pid = start_holder(HOLDER_IGNORES_TERM);
        char *dirs[] = {dir, NULL};
        unsigned killed = stuck_kill(dirs, 0, 0, 300);
        if (!have_pidfds()) {
                assert_nothing_killed(pid, killed);
                return;
        }
        ck_assert_uint_eq(killed, 1);
        ck_assert_int_eq(end_signal(pid), SIGKILL);
}
END_TEST

START_TEST(conmon_is_spared_even_after_an_upgrade) {
        char *dirs[] = {dir, NULL};
        pid_t named = start_holder(HOLDER_NAMED_CONMON);
        ck_assert_uint_eq(stuck_kill(dirs, 0, 0, 300), 0);
        ck_assert(still_running(named));
        kill(named, SIGKILL);
        ck_assert_int_eq(end_signal(named), SIGKILL);

        pid_t upgraded = start_holder(HOLDER_UPGRADED_CONMON);
        ck_assert_uint_eq(stuck_kill(dirs, 0, 0, 300), 0);
        ck_assert(still_running(upgraded));
        kill(upgraded, SIGKILL);
        ck_assert_int_eq(end_signal(upgraded), SIGKILL);
}
END_TEST

START_TEST(the_spare_pid_and_young_processes_are_left_alone) {
        char *dirs[] = {dir, NULL};
        pid_t pid = start_holder(HOLDER_PLAIN);
        ck_assert_uint_eq(stuck_kill(dirs, pid, 0, 300), 0);
        ck_assert_uint_eq(stuck_kill(dirs, 0, 3600, 300), 0); /* younger than an hour */
        ck_assert(still_running(pid));
        kill(pid, SIGKILL);
        ck_assert_int_eq(end_signal(pid), SIGKILL);
}
END_TEST

/* The pid is read, then pinned: when the process found at pin time started later than the one
 * recorded, the pid was reused and nothing is pinned, nothing signalled. */
START_TEST(a_pid_that_names_another_process_is_not_pinned) {
        pid_t pid = start_holder(HOLDER_PLAIN);
        struct proc_identity recorded;
        ck_assert_int_eq(proc_identity_read(pid, &recorded), 0);
        char own_comm[sizeof(recorded.comm)] = "";
        FILE *f = fopen("/proc/self/comm", "re"); /* test-unit, or valgrind's memcheck-amd64- */
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(own_comm, sizeof(own_comm), f));
        fclose(f);
        own_comm[strcspn(own_comm, "\n")] = '\0';
        ck_assert_str_eq(recorded.comm, own_comm);
        if (!have_pidfds()) {
                ck_assert_int_eq(process_pin(pid, &recorded), -ENOSYS);
                kill(pid, SIGKILL);
                ck_assert_int_eq(end_signal(pid), SIGKILL);
                return;
        }
        int fd = process_pin(pid, &recorded);
        ck_assert_int_ge(fd, 0);
        close(fd);
        recorded.start_ticks -= 1; /* what was recorded was an earlier process of that pid */
        ck_assert_int_eq(process_pin(pid, &recorded), -ESRCH);
        ck_assert(still_running(pid));
        kill(pid, SIGKILL);
        ck_assert_int_eq(end_signal(pid), SIGKILL);
        ck_assert_int_lt(proc_identity_read(pid, &recorded), 0); /* reaped: gone */
}
END_TEST

Suite *stuck_suite(void) {
        Suite *s = suite_create("stuck");
        TCase *pure = tcase_create("identity");
        tcase_add_test(pure, start_time_is_field_22_after_the_last_parenthesis);
        tcase_add_test(pure, processes_are_known_by_comm_or_exe_name_deleted_or_not);
        tcase_add_test(pure, a_later_start_time_is_another_process);
        suite_add_tcase(s, pure);
        TCase *host = tcase_create("host");
        tcase_add_checked_fixture(host, setup, teardown);
        tcase_add_test(host, a_lock_holder_is_killed_with_sigterm);
        tcase_add_test(host, a_holder_ignoring_sigterm_gets_sigkill_after_the_grace);
        tcase_add_test(host, conmon_is_spared_even_after_an_upgrade);
        tcase_add_test(host, the_spare_pid_and_young_processes_are_left_alone);
        tcase_add_test(host, a_pid_that_names_another_process_is_not_pinned);
        suite_add_tcase(s, host);
        return s;
}
