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

/* As root, systemd's private socket, as systemctl uses it: no broker in between (about a third
 * of this helper's own cost), and it works before dbus-daemon is up at boot. */
static int open_private(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int units_open(bool user, sd_bus **ret) {
        if (!user && geteuid() == 0 && open_private(ret) >= 0)
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
