/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netstate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"

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
