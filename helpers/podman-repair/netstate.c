/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "stuck.h"

extern char **environ;

static int running_containers_known(const struct podman *p) {
        static const char *const args[] = {"ps", "--quiet", NULL};
        _cleanup_strv_ char **ids = NULL;
        int r = podman_lines(p, args, &ids);
        return r < 0 ? r : (int)strv_length(ids);
}

/* netavark's nftables driver keeps every rule in one table of its own. */
static int delete_netavark_table(long timeout_ms) {
        static const char *const nft_paths[] = {"/usr/sbin/nft", "/sbin/nft"};
        const char *nft = NULL;
        for (size_t i = 0; i < ELEMENTSOF(nft_paths) && !nft; i++)
                if (access(nft_paths[i], X_OK) == 0)
                        nft = nft_paths[i];
        if (!nft)
                return 0;
        const char *argv[] = {"nft", "delete", "table", "inet", "netavark", NULL};
        struct spawn_result res;
        int r = spawn_capture(nft, (char *const *)argv, environ, timeout_ms, &res);
        if (r < 0)
                return log_error_errno(r, "cannot run %s: %m", nft);
        bool ok = res.end == SPAWN_EXITED && (res.status == 0 || strstr(res.err, "No such file"));
        if (!ok)
                log_error("nft delete table inet netavark failed: %.*s", (int)strcspn(res.err, "\n"), res.err);
        else if (res.status == 0)
                log_notice("removed netavark's port forwards of forgotten containers (nftables table inet netavark)");
        spawn_result_done(&res);
        return ok ? 0 : -EIO;
}

static void stop_aardvark(const char *dir) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/aardvark.pid", dir);
        char text[32];
        int pid = 0;
        if (read_small_file(path, text, sizeof(text)) <= 0 || sscanf(text, "%d", &pid) != 1 || pid <= 1)
                return;
        char exe_link[64], exe[4096];
        snprintf(exe_link, sizeof(exe_link), "/proc/%d/exe", pid);
        ssize_t n = readlink(exe_link, exe, sizeof(exe) - 1);
        if (n <= 0)
                return;
        exe[n] = '\0';
        /* A stale pid file must not make us kill whatever got its number. */
        if (strstr(exe, "aardvark-dns") && kill(pid, SIGTERM) == 0)
                log_notice("stopped aardvark-dns (%d): it answered forgotten containers' names", pid);
}

/* aardvark-dns's per-network files list every container with its addresses; netavark writes
 * them again, and starts aardvark-dns again, when the next container joins a network. */
static int clear_aardvark(const char *network_run_dir) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/aardvark-dns", network_run_dir);
        if (access(dir, F_OK) < 0)
                return 0;
        stop_aardvark(dir);
        /* Only files live there (one per network, the pid file, a lock). */
        int r = clear_dir_files(dir);
        if (r < 0)
                return log_error_errno(r, "cannot clear %s: %m", dir);
        return 0;
}

int netstate_clear(const struct podman *p, const char *network_run_dir) {
        int r = running_containers_known(p);
        if (r < 0)
                return r;
        if (r > 0) {
                log_warning("podman knows %d running container(s): their network state is left alone", r);
                return -EBUSY;
        }
        r = delete_netavark_table(p->timeout_ms);
        int k = clear_aardvark(network_run_dir);
        return r < 0 ? r : k;
}

/* The process a pid file names, when it runs and is of kind `kind`. */
static bool pid_file_process(const char *path, enum proc_kind kind, pid_t *ret_pid, unsigned long long *ret_start) {
        char text[32];
        int pid = 0;
        struct proc_identity id;
        if (read_small_file(path, text, sizeof(text)) <= 0 || sscanf(text, "%d", &pid) != 1 || pid <= 1 ||
            proc_identity_read(pid, &id) < 0 || proc_kind_of(id.comm, id.exe) != kind)
                return false;
        *ret_pid = pid;
        *ret_start = id.start_ticks;
        return true;
}

void netns_look_read(const char *runtime_dir, struct netns_look *ret) {
        char dir[4096], path[4200];
        pid_t pid;
        *ret = (struct netns_look){0};
        snprintf(dir, sizeof(dir), "%s/containers/networks/rootless-netns", runtime_dir);
        ret->dir = access(dir, F_OK) == 0;
        snprintf(path, sizeof(path), "%s/rootless-netns-conn.pid", dir);
        ret->pasta = ret->dir && pid_file_process(path, PROC_PASTA, &pid, &ret->pasta_start);
        snprintf(path, sizeof(path), "%s/containers/networks/aardvark-dns/aardvark.pid", runtime_dir);
        ret->aardvark = pid_file_process(path, PROC_AARDVARK, &pid, &ret->aardvark_start);
}

/* Whether a NUL-separated command line runs pasta on the namespace file `netns`. */
static bool pasta_of(const char *cmdline, size_t len, const char *netns) {
        char name[256];
        if (len == 0 || proc_kind_of("", exe_name(cmdline, name, sizeof(name))) != PROC_PASTA)
                return false;
        for (size_t at = strlen(cmdline) + 1; at < len; at += strlen(cmdline + at) + 1)
                if (strcmp(cmdline + at, netns) == 0)
                        return true;
        return false;
}

/* Every pasta of this user on the namespace: the pid file names one, and a namespace directory
 * removed by hand leaves its pasta running with no file naming it. Only this user's processes can
 * be signalled at all. */
static void stop_pastas(const char *netns) {
        DIR *d = opendir("/proc");
        for (struct dirent *e; d && (e = readdir(d));) {
                char path[300], cmdline[8192];
                int pid = atoi(e->d_name);
                if (pid <= 1)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
                if (n <= 0)
                        continue;
                cmdline[n] = '\0';
                if (pasta_of(cmdline, (size_t)n, netns) && kill(pid, SIGTERM) == 0)
                        log_notice("stopped pasta (%d): it connected the broken rootless network namespace", pid);
        }
        if (d)
                closedir(d);
}

int netstate_clear_rootless(const struct podman *p, const char *runtime_dir) {
        int r = running_containers_known(p);
        if (r < 0)
                return r;
        if (r > 0) {
                log_warning("podman knows %d running container(s): their network namespace is left alone", r);
                return -EBUSY;
        }
        char networks[4096], netns[4200];
        snprintf(networks, sizeof(networks), "%s/containers/networks", runtime_dir);
        snprintf(netns, sizeof(netns), "%s/rootless-netns/rootless-netns", networks);
        stop_pastas(netns);
        r = clear_aardvark(networks);
        _cleanup_close_ int fd = open(networks, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int k = fd < 0 ? (errno == ENOENT ? 0 : -errno) : remove_tree_at(fd, "rootless-netns", 4 /* levels: run/... */);
        if (k < 0)
                log_error_errno(k, "cannot remove %s/rootless-netns: %m", networks);
        else if (fd >= 0)
                log_notice("removed the rootless network namespace's files (%s/rootless-netns): the next container "
                           "start makes a new one",
                           networks);
        return r < 0 ? r : k;
}
