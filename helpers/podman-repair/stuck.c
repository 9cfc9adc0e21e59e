/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stuck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static long process_age_s(pid_t pid) {
        char path[64], stat[1024], uptime_text[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (read_small_file(path, stat, sizeof(stat)) <= 0 ||
            read_small_file("/proc/uptime", uptime_text, sizeof(uptime_text)) <= 0)
                return -1;
        /* comm may hold spaces and parentheses: fields start after the last ')'. */
        const char *p = strrchr(stat, ')');
        unsigned long long start;
        double uptime;
        if (!p ||
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) !=
                    1 ||
            sscanf(uptime_text, "%lf", &uptime) != 1)
                return -1;
        return (long)(uptime - (double)start / (double)sysconf(_SC_CLK_TCK));
}

static bool spared(pid_t pid) {
        char link[64], target[4096];
        snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (pid <= 1 || pid == getpid() || n <= 0)
                return true;
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        base = base ? base + 1 : target;
        return strcmp(base, "conmon") == 0 || strcmp(base, "catatonit") == 0;
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

size_t stuck_kill(char *const *dirs, pid_t spare, long min_age_s, long grace_ms) {
        pid_t found[256], victims[256];
        size_t n_found = find_lock_holders(dirs, found, 0, ELEMENTSOF(found));
        size_t n = 0;
        for (size_t i = 0; i < n_found; i++) {
                long age = process_age_s(found[i]);
                if (found[i] == spare || spared(found[i]) || age < min_age_s)
                        continue;
                log_warning("killing process %d (running %ld s): it holds a lock podman waits for", (int)found[i], age);
                if (kill(found[i], SIGTERM) == 0)
                        victims[n++] = found[i];
        }
        for (long waited = 0; n > 0 && waited < grace_ms; waited += 100) {
                bool alive = false;
                for (size_t i = 0; i < n; i++)
                        alive |= kill(victims[i], 0) == 0;
                if (!alive)
                        break;
                struct timespec pause = {0, 100L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
        for (size_t i = 0; i < n; i++)
                (void)kill(victims[i], SIGKILL);
        return n;
}
