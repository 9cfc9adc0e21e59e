/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "naming.h"
#include "reconcile-io.h"
#include "strv.h"

void observation_done(struct observation *ob) {
        units_list_free(ob->list, ob->n_list);
        free(ob->units);
        rc_objects_done(&ob->containers);
        rc_objects_done(&ob->volumes);
        rc_objects_done(&ob->networks);
        strv_free(ob->results);
        *ob = (struct observation){0};
}

static const struct unit_list_entry *listed(const struct observation *ob, const char *name) {
        for (size_t i = 0; i < ob->n_list; i++)
                if (strcmp(ob->list[i].name, name) == 0)
                        return &ob->list[i];
        return NULL;
}

/* The container ids of the started apps' running services, from Quadlet's cid files (no podman). */
static int started_cids(const struct observation *ob, const struct manifest *m, const char *cid_dir, char ***ret,
                        size_t *n) {
        for (size_t i = 0; m && i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                for (size_t c = 0; a->state == APP_STATE_STARTED && !a->skip && c < a->n_containers; c++) {
                        _cleanup_free_ char *service = NULL, *path = NULL;
                        if (naming_service(a->containers[c].unit, &service) < 0 ||
                            asprintf(&path, "%s/%s.cid", cid_dir, a->containers[c].unit) < 0)
                                return -ENOMEM;
                        const struct unit_list_entry *u = listed(ob, service);
                        char cid[80];
                        if (!u || strcmp(u->active_state, "active") != 0 || read_small_file(path, cid, sizeof cid) <= 0)
                                continue;
                        cid[strspn(cid, "0123456789abcdef")] = '\0';
                        if (*cid && strv_add_unique(ret, n, cid) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* Running libpod-<id>.scope units whose id no started app's cid file names: containers that run
 * outside a service (podman run or start by hand). */
static int count_unaccounted(struct observation *ob, const struct manifest *m, const char *cid_dir) {
        _cleanup_strv_ char **cids = NULL;
        size_t n_cids = 0;
        int r = started_cids(ob, m, cid_dir, &cids, &n_cids);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ob->n_list; i++) {
                size_t len;
                const char *id = rc_scope_container_id(ob->list[i].name, &len);
                if (!id || strcmp(ob->list[i].active_state, "active") != 0)
                        continue;
                bool known = false;
                for (size_t k = 0; k < n_cids && !known; k++)
                        known = strlen(cids[k]) >= len && strncmp(cids[k], id, len) == 0;
                if (!known) {
                        log_debug("%s: a container systemd's app units do not account for", ob->list[i].name);
                        ob->unaccounted++;
                }
        }
        return 0;
}

/* The Result of each failed service: start-limit-hit is the reason systemd gave up. */
static void failed_results(sd_bus *bus, struct observation *ob) {
        for (size_t i = 0; i < ob->n_list; i++) {
                struct rc_unit *u = &ob->units[i];
                if (strcmp(u->active_state, "failed") != 0)
                        continue;
                char *active = NULL, *sub = NULL, *result = NULL;
                if (units_state(bus, u->name, &active, &sub, &result) >= 0 &&
                    strv_push(&ob->results, &ob->n_results, result) >= 0)
                        u->result = result;
                free(active);
                free(sub);
        }
}

int observe_units(sd_bus *bus, const struct manifest *m, const char *cid_dir, struct observation *ob) {
        char *patterns[] = {(char *)"archy-*.service", (char *)"libpod-*.scope", NULL};
        int r = units_list(bus, patterns, &ob->list, &ob->n_list);
        if (r < 0)
                return r; /* logged */
        ob->units = calloc(ob->n_list ? ob->n_list : 1, sizeof(*ob->units));
        if (!ob->units)
                return log_error_errno(-ENOMEM, "out of memory");
        for (size_t i = 0; i < ob->n_list; i++) {
                const struct unit_list_entry *e = &ob->list[i];
                ob->units[i] = (struct rc_unit){e->name, e->load_state, e->active_state, e->sub_state, NULL};
                ob->leftovers += rc_unit_is_leftover(&ob->units[i]);
        }
        failed_results(bus, ob);
        r = count_unaccounted(ob, m, cid_dir);
        return r < 0 ? log_error_errno(r, "out of memory") : 0;
}

/* podman WHAT ls|ps ... --filter label=archy.managed=true --format json, parsed. */
static int list(const struct podman *p, struct observation *ob, const char *const *args, struct rc_objects *ret) {
        struct spawn_result res = {0};
        ob->podman_calls++;
        int r = podman_run(p, args, &res);
        if (r < 0) {
                spawn_result_done(&res);
                return log_error_errno(r, "cannot run %s: %m", p->path);
        }
        const char *why = NULL;
        if (res.end != SPAWN_EXITED || res.status != 0)
                r = log_error_errno(-EIO, "podman %s %s: %s %d: %.200s", args[0], args[1],
                                    res.end == SPAWN_TIMED_OUT  ? "timed out after"
                                    : res.end == SPAWN_SIGNALED ? "killed by signal"
                                                                : "exit status",
                                    res.end == SPAWN_TIMED_OUT ? (int)res.elapsed_ms : res.status, res.err);
        else if ((r = podman_list_parse(res.out, strlen(res.out), ret, &why)) < 0)
                log_error("podman %s %s --format json: %s", args[0], args[1], why ? why : "out of memory");
        spawn_result_done(&res);
        return r;
}

/* --filter label=archy.managed=true */
static const char label_filter[] = "label=" ARCHY_LABEL_MANAGED;

int observe_podman(const struct podman *p, struct observation *ob) {
        static const char *const ps[] = {"ps", "-a", "--filter", label_filter, "--format", "json", NULL};
        static const char *const vol[] = {"volume", "ls", "--filter", label_filter, "--format", "json", NULL};
        static const char *const net[] = {"network", "ls", "--filter", label_filter, "--format", "json", NULL};
        int r = list(p, ob, ps, &ob->containers);
        if (r >= 0)
                r = list(p, ob, vol, &ob->volumes);
        if (r >= 0)
                r = list(p, ob, net, &ob->networks);
        return r;
}
