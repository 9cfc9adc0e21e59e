/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stuck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"

bool proc_locks_parse_line(const char *line, struct proc_lock *ret) {
        char kind[16], mode[16], access[16];
        int pid, used;
        unsigned maj, min;
        unsigned long ino;
        if (strstr(line, "->"))
                return false;
        const char *p = strchr(line, ':');
        if (!p ||
            sscanf(p + 1, " %15s %15s %15s %d %x:%x:%lu%n", kind, mode, access, &pid, &maj, &min, &ino, &used) != 7)
                return false;
        if (pid <= 0)
                return false; /* OFD locks have no owner pid (-1) */
        *ret = (struct proc_lock){.pid = pid, .major = maj, .minor = min, .inode = ino};
        return true;
}

struct file_id {
        dev_t dev;
        ino_t ino;
};

struct file_ids {
        struct file_id *ids;
        size_t n, cap;
};

static void add_id(struct file_ids *f, const struct stat *st) {
        if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 64;
                struct file_id *bigger = reallocarray(f->ids, cap, sizeof(*bigger));
                if (!bigger)
                        return;
                f->ids = bigger;
                f->cap = cap;
        }
        f->ids[f->n++] = (struct file_id){st->st_dev, st->st_ino};
}

/* The regular files at most `depth` levels below dir: lock files live at the top (alive.lck,
 * storage.lock, db.sql) or one level down (overlay-layers/layers.lock). */
static void collect_files(int dirfd, int depth, struct file_ids *f) {
        DIR *d = fdopendir(dirfd);
        if (!d) {
                close(dirfd);
                return;
        }
        for (struct dirent *e; (e = readdir(d));) {
                struct stat st;
                if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                        continue;
                if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISREG(st.st_mode))
                        add_id(f, &st);
                else if (S_ISDIR(st.st_mode) && depth > 0) {
                        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub >= 0)
                                collect_files(sub, depth - 1, f);
                }
        }
        closedir(d);
}

static bool holds_lock_in(const struct proc_lock *l, const struct file_ids *f) {
        for (size_t i = 0; i < f->n; i++)
                if (f->ids[i].ino == l->inode && major(f->ids[i].dev) == l->major && minor(f->ids[i].dev) == l->minor)
                        return true;
        return false;
}

bool proc_stat_start_ticks(const char *stat_text, unsigned long long *ret) {
        /* comm may hold spaces and parentheses: the fields after it start after the last ')',
         * with field 3 (state); the start time is field 22. */
        const char *p = strrchr(stat_text, ')');
        unsigned long long start;
        if (!p || p[1] != ' ' ||
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) !=
                    1)
                return false;
        *ret = start;
        return true;
}

const char *exe_name(const char *exe, char *buf, size_t size) {
        static const char deleted[] = " (deleted)";
        const char *base = strrchr(exe, '/');
        base = base ? base + 1 : exe;
        size_t n = strlen(base);
        /* the binary was replaced (a package upgrade) or removed since the process started */
        if (n >= sizeof(deleted) - 1 && strcmp(base + n - (sizeof(deleted) - 1), deleted) == 0)
                n -= sizeof(deleted) - 1;
        snprintf(buf, size, "%.*s", (int)n, base);
        return buf;
}

enum proc_kind proc_kind_of(const char *comm, const char *exe) {
        static const struct {
                const char *name;
                enum proc_kind kind;
        } known[] = {{"conmon", PROC_CONMON},        {"catatonit", PROC_CATATONIT}, {"podman", PROC_PODMAN},
                     {"pasta", PROC_PASTA},          {"pasta.avx2", PROC_PASTA},    {"slirp4netns", PROC_PASTA},
                     {"aardvark-dns", PROC_AARDVARK}};
        char name[256];
        exe_name(exe, name, sizeof(name));
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if (strcmp(comm, known[i].name) == 0 || strcmp(name, known[i].name) == 0)
                        return known[i].kind;
        return PROC_OTHER;
}

bool proc_identity_same(const struct proc_identity *recorded, const struct proc_identity *now) {
        return recorded->start_ticks == now->start_ticks;
}

int proc_identity_read(pid_t pid, struct proc_identity *ret) {
        char path[64], text[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        ssize_t n = read_small_file(path, text, sizeof(text));
        if (n <= 0)
                return n < 0 ? (int)n : -ESRCH;
        *ret = (struct proc_identity){0};
        if (!proc_stat_start_ticks(text, &ret->start_ticks))
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        if ((n = read_small_file(path, ret->comm, sizeof(ret->comm))) < 0)
                return (int)n;
        ret->comm[strcspn(ret->comm, "\n")] = '\0';
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
        ssize_t len = readlink(path, ret->exe, sizeof(ret->exe) - 1);
        if (len <= 0)
                return -errno ?: -EINVAL; /* a kernel thread has none */
        ret->exe[len] = '\0';
        return 0;
}

static long age_s(const struct proc_identity *id) {
        char uptime_text[64];
        double uptime;
        if (read_small_file("/proc/uptime", uptime_text, sizeof(uptime_text)) <= 0 ||
            sscanf(uptime_text, "%lf", &uptime) != 1)
                return -1;
        return (long)(uptime - (double)id->start_ticks / (double)sysconf(_SC_CLK_TCK));
}

/* Never conmon (it would take its container down), catatonit (the rootless pause process),
 * PID 1 or ourselves; nor a process we cannot identify. */
static bool spared(pid_t pid, const struct proc_identity *id) {
        enum proc_kind k = proc_kind_of(id->comm, id->exe);
        return pid <= 1 || pid == getpid() || k == PROC_CONMON || k == PROC_CATATONIT;
}

int process_pin(pid_t pid, const struct proc_identity *recorded) {
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return -errno;
        struct proc_identity now;
        if (proc_identity_read(pid, &now) < 0 || !proc_identity_same(recorded, &now) || spared(pid, &now)) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

static int pidfd_signal(int pidfd, int sig) {
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static size_t add_pid(pid_t *pids, size_t n, size_t max, pid_t pid) {
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return n;
        if (n < max)
                pids[n++] = pid;
        return n;
}

static size_t find_lock_holders(char *const *dirs, pid_t *pids, size_t n, size_t max) {
        struct file_ids files = {0};
        for (char *const *d = dirs; d && *d; d++) {
                int fd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        collect_files(fd, 2, &files);
        }
        _cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
        char line[256];
        while (f && fgets(line, sizeof(line), f)) {
                struct proc_lock l;
                if (proc_locks_parse_line(line, &l) && holds_lock_in(&l, &files))
                        n = add_pid(pids, n, max, l.pid);
        }
        free(files.ids);
        return n;
}

/* Waits up to grace_ms for the pinned processes to exit (a pidfd turns readable then). */
static void wait_exits(const int *pidfds, size_t n, long grace_ms) {
        struct pollfd pfd[ELEMENTSOF(((struct stuck_victims *)0)->pidfd)];
        for (long waited = 0; waited < grace_ms; waited += 100) {
                size_t alive = 0;
                for (size_t i = 0; i < n; i++)
                        pfd[i] = (struct pollfd){.fd = pidfds[i], .events = POLLIN};
                if (poll(pfd, n, 0) >= 0)
                        for (size_t i = 0; i < n; i++)
                                alive += !(pfd[i].revents & (POLLIN | POLLHUP));
                if (alive == 0)
                        return;
                struct timespec pause = {0, 100L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
}

size_t stuck_kill(char *const *dirs, pid_t spare, long min_age_s, long grace_ms) {
        pid_t found[256];
        struct stuck_victims v = {0};
        size_t n_found = find_lock_holders(dirs, found, 0, ELEMENTSOF(found));
        for (size_t i = 0; i < n_found && v.n < ELEMENTSOF(v.pidfd); i++) {
                struct proc_identity id;
                if (found[i] == spare || proc_identity_read(found[i], &id) < 0 || spared(found[i], &id))
                        continue;
                long age = age_s(&id);
                if (age < min_age_s)
                        continue;
                int fd = process_pin(found[i], &id);
                if (fd == -ENOSYS) {
                        log_warning("cannot pin process %d (pidfd_open needs Linux 5.3): not killing it, it holds a "
                                    "lock podman waits for",
                                    (int)found[i]);
                        continue;
                }
                if (fd < 0)
                        continue; /* gone, or its pid now names another process */
                log_warning("killing process %d (%s, running %ld s): it holds a lock podman waits for", (int)found[i],
                            id.comm, age);
                if (pidfd_signal(fd, SIGTERM) == 0)
                        v.pidfd[v.n++] = fd;
                else
                        close(fd);
        }
        wait_exits(v.pidfd, v.n, grace_ms);
        for (size_t i = 0; i < v.n; i++) {
                (void)pidfd_signal(v.pidfd[i], SIGKILL); /* -ESRCH once it has exited: nothing to do */
                close(v.pidfd[i]);
        }
        return v.n;
}
