/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "clock.h"
#include "log.h"
#include "macro.h"

#define SYSTEMD "org.freedesktop.systemd1"

int units_open_private(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int units_open_system(sd_bus **ret) {
        return units_open(false, ret);
}

int units_open(bool user, sd_bus **ret) {
        if (!user && geteuid() == 0 && units_open_private("unix:path=/run/systemd/private", ret) >= 0)
                return 0;
        int r = user ? sd_bus_open_user(ret) : sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "cannot connect to the %s manager: %m", user ? "user's" : "system");
        return 0;
}

void units_close(sd_bus *bus) {
        if (bus)
                sd_bus_flush_close_unref(bus);
}

static int active_state(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_free_ char *path = NULL;
        int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        r = sd_bus_get_property_string(bus, SYSTEMD, path, "org.freedesktop.systemd1.Unit", "ActiveState", &error, ret);
        sd_bus_error_free(&error);
        return r;
}

static bool is_one_of(const char *s, const char *const *set) {
        for (; *set; set++)
                if (strcmp(s, *set) == 0)
                        return true;
        return false;
}

int units_active(sd_bus *bus, char *const *units, size_t n, bool starting, bool *active) {
        static const char *const running[] = {"active", "activating", "reloading", "refreshing", NULL};
        static const char *const only_active[] = {"active", NULL};
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *state = NULL;
                int r = active_state(bus, units[i], &state);
                if (r < 0)
                        return log_error_errno(r, "cannot read the state of %s: %m", units[i]);
                active[i] = is_one_of(state, starting ? running : only_active);
        }
        return 0;
}

static int call(sd_bus *bus, const char *method, const char *unit) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SYSTEMD, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   method, &error, &reply, "ss", unit, "replace");
        if (r < 0)
                log_error("%s %s: %s", method, unit, error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

/* Poll until every unit's ActiveState is in `done` or the deadline passes; returns how many are
 * not. Polling keeps this free of signal subscriptions, and a repair is rare. */
static size_t wait_for(sd_bus *bus, char *const *units, size_t n, const char *const *done, long timeout_ms) {
        long long deadline = now_monotonic_ms() + timeout_ms;
        for (;;) {
                size_t pending = 0;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *state = NULL;
                        if (active_state(bus, units[i], &state) < 0 || !is_one_of(state, done))
                                pending++;
                }
                if (pending == 0 || now_monotonic_ms() >= deadline)
                        return pending;
                struct timespec pause = {0, 200L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
}

size_t units_stop(sd_bus *bus, char *const *units, size_t n, long timeout_ms) {
        static const char *const stopped[] = {"inactive", "failed", NULL};
        for (size_t i = 0; i < n; i++)
                (void)call(bus, "StopUnit", units[i]);
        return wait_for(bus, units, n, stopped, timeout_ms);
}

size_t units_start(sd_bus *bus, char *const *units, size_t n) {
        size_t refused = 0;
        for (size_t i = 0; i < n; i++)
                refused += call(bus, "StartUnit", units[i]) < 0;
        return refused;
}

size_t units_restart(sd_bus *bus, char *const *units, size_t n, long timeout_ms) {
        static const char *const started[] = {"active", NULL};
        for (size_t i = 0; i < n; i++)
                (void)call(bus, "RestartUnit", units[i]);
        return wait_for(bus, units, n, started, timeout_ms);
}

/* ---- archyctl status ------------------------------------------------------------------------ */

static void entry_free(struct unit_list_entry *e) {
        free(e->name);
        free(e->load_state);
        free(e->active_state);
        free(e->sub_state);
}

static int read_unit_list_entry(sd_bus_message *m, struct unit_list_entry *e) {
        const char *name, *desc, *load, *active, *sub, *following, *path, *job_type, *job_path;
        uint32_t job_id;
        int r = sd_bus_message_read(m, "(ssssssouso)", &name, &desc, &load, &active, &sub, &following, &path, &job_id,
                                    &job_type, &job_path);
        if (r <= 0)
                return r;
        *e = (struct unit_list_entry){strdup(name), strdup(load), strdup(active), strdup(sub)};
        return e->name && e->load_state && e->active_state && e->sub_state ? 1 : -ENOMEM;
}

static int append_list(sd_bus_message *reply, struct unit_list_entry **ret, size_t *ret_n) {
        int r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        for (; r >= 0;) {
                struct unit_list_entry *l = realloc(*ret, (*ret_n + 1) * sizeof **ret);
                if (!l)
                        return -ENOMEM;
                *ret = l;
                l[*ret_n] = (struct unit_list_entry){0};
                r = read_unit_list_entry(reply, &l[*ret_n]);
                if (r <= 0) {
                        entry_free(&l[*ret_n]);
                        break;
                }
                (*ret_n)++;
        }
        return r < 0 ? r : sd_bus_message_exit_container(reply);
}

int units_list(sd_bus *bus, char *const *patterns, struct unit_list_entry **ret, size_t *ret_n) {
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        *ret = NULL;
        *ret_n = 0;
        int r = sd_bus_message_new_method_call(bus, &call, SYSTEMD, "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(call, NULL);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, (char **)patterns);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r < 0)
                log_error("ListUnitsByPatterns: %s", error.message ? error.message : strerror(-r));
        if (r >= 0)
                r = append_list(reply, ret, ret_n);
        sd_bus_error_free(&error);
        sd_bus_message_unref(call);
        sd_bus_message_unref(reply);
        if (r < 0) {
                units_list_free(*ret, *ret_n);
                *ret = NULL;
                *ret_n = 0;
        }
        return r < 0 ? r : 0;
}

void units_list_free(struct unit_list_entry *l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                entry_free(&l[i]);
        free(l);
}

struct props_call {
        struct unit_service_props *p;
        size_t *pending;
        int error;             /* the first error reading a reply */
        sd_bus_slot *slots[3]; /* unref'ed before the call goes away: no callback outlives it */
};

static int read_string_variant(sd_bus_message *m, char **ret) {
        const char *s;
        int r = sd_bus_message_read(m, "v", "s", &s);
        if (r < 0)
                return r;
        free(*ret);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int read_service_property(sd_bus_message *m, const char *name, struct unit_service_props *p) {
        if (strcmp(name, "Type") == 0)
                return read_string_variant(m, &p->type);
        if (strcmp(name, "Result") == 0)
                return read_string_variant(m, &p->result);
        if (strcmp(name, "ExecMainCode") == 0)
                return sd_bus_message_read(m, "v", "i", &p->exec_main_code);
        if (strcmp(name, "ExecMainStatus") == 0)
                return sd_bus_message_read(m, "v", "i", &p->exec_main_status);
        if (strcmp(name, "NRestarts") == 0)
                return sd_bus_message_read(m, "v", "u", &p->n_restarts);
        if (strcmp(name, "ExecMainExitTimestamp") == 0)
                return sd_bus_message_read(m, "v", "t", &p->exec_main_exit_usec);
        if (strcmp(name, "ExecMainStartTimestamp") == 0)
                return sd_bus_message_read(m, "v", "t", &p->exec_main_start_usec);
        return sd_bus_message_skip(m, "v");
}

static int read_service_props(sd_bus_message *m, struct unit_service_props *p) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = read_service_property(m, name, p);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int on_service_props(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct props_call *c = userdata;
        (*c->pending)--;
        if (sd_bus_message_is_method_error(m, NULL))
                return 0;
        int r = read_service_props(m, c->p);
        if (r < 0 && !c->error)
                c->error = r;
        c->p->read = r >= 0;
        return 0;
}

static int on_timestamp(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, uint64_t *field) {
        struct props_call *c = userdata;
        (*c->pending)--;
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "v", "t", field) < 0 && !c->error)
                c->error = -EBADMSG;
        return 0;
}

static int on_state_change(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_timestamp(m, userdata, ret_error, &((struct props_call *)userdata)->p->state_change_usec);
}

static int on_inactive_enter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_timestamp(m, userdata, ret_error, &((struct props_call *)userdata)->p->inactive_enter_usec);
}

static int send_props_calls(sd_bus *bus, const char *unit, struct props_call *c) {
        static const char props[] = "org.freedesktop.DBus.Properties", iface[] = "org.freedesktop.systemd1.Unit";
        _cleanup_free_ char *path = NULL;
        int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_call_method_async(bus, &c->slots[0], SYSTEMD, path, props, "GetAll", on_service_props, c, "s",
                                     "org.freedesktop.systemd1.Service");
        if (r < 0)
                return r;
        (*c->pending)++;
        r = sd_bus_call_method_async(bus, &c->slots[1], SYSTEMD, path, props, "Get", on_state_change, c, "ss", iface,
                                     "StateChangeTimestamp");
        if (r < 0)
                return r;
        (*c->pending)++;
        r = sd_bus_call_method_async(bus, &c->slots[2], SYSTEMD, path, props, "Get", on_inactive_enter, c, "ss", iface,
                                     "InactiveEnterTimestamp");
        if (r >= 0)
                (*c->pending)++;
        return r;
}

int units_service_props(sd_bus *bus, char *const *units, size_t n, struct unit_service_props *ret) {
        size_t pending = 0;
        struct props_call *calls = calloc(n ? n : 1, sizeof *calls);
        if (!calls)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                ret[i] = (struct unit_service_props){0};
                calls[i] = (struct props_call){.p = &ret[i], .pending = &pending};
                r = send_props_calls(bus, units[i], &calls[i]);
        }
        while (pending > 0) {
                int q = sd_bus_process(bus, NULL);
                if (q == 0)
                        q = sd_bus_wait(bus, UINT64_MAX);
                if (q < 0) {
                        r = r < 0 ? r : q;
                        sd_bus_close(bus);
                        break;
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (calls[i].error && r >= 0)
                        r = calls[i].error;
                for (size_t j = 0; j < 3; j++)
                        sd_bus_slot_unref(calls[i].slots[j]);
        }
        free(calls);
        if (r < 0)
                log_error_errno(r, "cannot read the units' properties: %m");
        return r < 0 ? r : 0;
}

void unit_service_props_done(struct unit_service_props *p) {
        free(p->type);
        free(p->result);
        *p = (struct unit_service_props){0};
}

int units_open_address(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return log_error_errno(r, "cannot connect to the bus at %s: %m", address);
        }
        *ret = bus;
        return 0;
}

int units_reload(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SYSTEMD, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "Reload", &error, &reply, NULL);
        if (r < 0)
                log_error("daemon-reload: %s", error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

/* The number of jobs whose unit starts with prefix (and of that type), or negative errno. */
static int count_jobs(sd_bus *bus, const char *prefix, const char *job_type) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SYSTEMD, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "ListJobs", &error, &reply, NULL);
        sd_bus_error_free(&error);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(usssoo)");
        int n = 0;
        const char *unit, *type, *state, *job, *path;
        uint32_t id;
        while (r >= 0 && (r = sd_bus_message_read(reply, "(usssoo)", &id, &unit, &type, &state, &job, &path)) > 0)
                n += strncmp(unit, prefix, strlen(prefix)) == 0 && (!job_type || strcmp(type, job_type) == 0);
        sd_bus_message_unref(reply);
        return r < 0 ? r : n;
}

int units_wait_jobs(sd_bus *bus, const char *prefix, const char *job_type, long timeout_ms) {
        long long deadline = now_monotonic_ms() + timeout_ms;
        for (;;) {
                int n = count_jobs(bus, prefix, job_type);
                if (n < 0)
                        return log_error_errno(n, "cannot list systemd's jobs: %m");
                if (n == 0 || now_monotonic_ms() >= deadline)
                        return n;
                struct timespec pause = {0, 200L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
}

static int unit_property(sd_bus *bus, const char *path, const char *iface, const char *name, char **ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_string(bus, SYSTEMD, path, iface, name, &error, ret);
        sd_bus_error_free(&error);
        return r;
}

int units_state(sd_bus *bus, const char *unit, char **ret_active, char **ret_sub, char **ret_result) {
        _cleanup_free_ char *path = NULL;
        int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        *ret_active = *ret_sub = *ret_result = NULL;
        if (r >= 0)
                r = unit_property(bus, path, "org.freedesktop.systemd1.Unit", "ActiveState", ret_active);
        if (r >= 0)
                r = unit_property(bus, path, "org.freedesktop.systemd1.Unit", "SubState", ret_sub);
        if (r >= 0 && unit_property(bus, path, "org.freedesktop.systemd1.Service", "Result", ret_result) < 0)
                *ret_result = strdup("");
        if (r >= 0 && !*ret_result)
                r = -ENOMEM;
        if (r < 0) {
                free(*ret_active);
                free(*ret_sub);
                free(*ret_result);
                *ret_active = *ret_sub = *ret_result = NULL;
        }
        return r;
}

size_t units_reset_failed(sd_bus *bus, char *const *units, size_t n) {
        size_t failed = 0;
        for (size_t i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = sd_bus_call_method(bus, SYSTEMD, "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "ResetFailedUnit", &error, NULL, "s",
                                           units[i]);
                if (r < 0 && !sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit")) {
                        log_warning("reset-failed %s: %s", units[i], error.message ? error.message : strerror(-r));
                        failed++;
                }
                sd_bus_error_free(&error);
        }
        return failed;
}

/* ---- archyctl doctor ---------------------------------------------------------------------- */

int units_load_state(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_free_ char *path = NULL;
        *ret = NULL;
        int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        return r < 0 ? r : unit_property(bus, path, "org.freedesktop.systemd1.Unit", "LoadState", ret);
}

int units_get_bool_property(sd_bus *bus, const char *destination, const char *path, const char *interface,
                            const char *property, bool *ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int v = 0;
        int r = sd_bus_get_property_trivial(bus, destination, path, interface, property, &error, 'b', &v);
        sd_bus_error_free(&error);
        if (r >= 0)
                *ret = v;
        return r;
}
