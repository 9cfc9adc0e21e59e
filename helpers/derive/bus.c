/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "macro.h"
#include "node-user.h"

/* libsystemd is opened only when a file changed, the way systemd opens its optional libraries:
 * linked, it alone would add about 0.7 ms and 1 MB to every run, which is every 30 s
 * (bench/derive.sh). */
static struct {
        int (*open_system)(sd_bus **ret);
        int (*open_user)(sd_bus **ret);
        int (*open_user_machine)(sd_bus **ret, const char *machine);
        int (*call_method)(sd_bus *bus, const char *destination, const char *path, const char *interface,
                           const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...);
        int (*message_read)(sd_bus_message *m, const char *types, ...);
        int (*get_property_string)(sd_bus *bus, const char *destination, const char *path, const char *interface,
                                   const char *member, sd_bus_error *ret_error, char **ret);
        void (*error_free)(sd_bus_error *e);
        sd_bus_message *(*message_unref)(sd_bus_message *m);
        sd_bus *(*flush_close_unref)(sd_bus *bus);
} sd;

static int load_libsystemd(void) {
        static void *dl;
        if (dl)
                return 0;
        void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return log_error_errno(-EOPNOTSUPP, "cannot load libsystemd.so.0: %s", dlerror());
        static const char *const names[] = {"sd_bus_open_system", "sd_bus_open_user",     "sd_bus_open_user_machine",
                                            "sd_bus_call_method", "sd_bus_message_read",  "sd_bus_get_property_string",
                                            "sd_bus_error_free",  "sd_bus_message_unref", "sd_bus_flush_close_unref"};
        void **slots[] = {(void **)&sd.open_system, (void **)&sd.open_user,     (void **)&sd.open_user_machine,
                          (void **)&sd.call_method, (void **)&sd.message_read,  (void **)&sd.get_property_string,
                          (void **)&sd.error_free,  (void **)&sd.message_unref, (void **)&sd.flush_close_unref};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!(*slots[i] = dlsym(h, names[i]))) {
                        log_error("libsystemd.so.0 has no %s", names[i]);
                        dlclose(h);
                        return -EOPNOTSUPP;
                }
        dl = h;
        return 0;
}

static void bus_unrefp(sd_bus **b) {
        if (*b)
                sd.flush_close_unref(*b);
}

static int call_manager(sd_bus *bus, const char *method, const char *unit) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd.call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", method, &error, &reply, "ss", unit, "replace");
        if (r < 0)
                log_error("%s %s: %s", method, unit, error.message ? error.message : "D-Bus call failed");
        else
                log_info("%s %s: queued", method, unit);
        sd.error_free(&error);
        sd.message_unref(reply);
        return r;
}

/* The manager node_units_open() would reach (node-user.h), through the dlopen()ed library: the
 * system's, or on a rootless node the apps user's (USER@.host from root). */
static int open_bus(const struct node_user *u, sd_bus **ret) {
        int r = load_libsystemd();
        if (r < 0)
                return r;
        char machine[NODE_UNITS_MACHINE_MAX];
        enum node_units_bus target = u ? node_units_target(u, machine) : NODE_UNITS_SYSTEM;
        r = target == NODE_UNITS_SYSTEM      ? sd.open_system(ret)
            : target == NODE_UNITS_USER_SELF ? sd.open_user(ret)
                                             : sd.open_user_machine(ret, machine);
        if (r < 0 && target == NODE_UNITS_SYSTEM)
                log_error_errno(r, "cannot connect to the system bus: %m");
        else if (r < 0)
                log_error_errno(r,
                                "cannot connect to the user manager of %s (the rootless apps user): %m; is lingering "
                                "enabled (loginctl enable-linger %s)?",
                                u->name, u->name);
        return r;
}

/* Rootless: before the user manager is up (at boot archy-derive runs before user@UID.service), none
 * of its units runs, and there is nothing to restart; its bus socket tells. */
static bool user_manager_down(const struct node_user *u) {
        char bus[sizeof(u->runtime_dir) + 8];
        snprintf(bus, sizeof(bus), "%s/bus", u->runtime_dir);
        return u->mode == NODE_ROOTLESS && !node_user_is_self(u) && access(bus, F_OK) < 0 && errno == ENOENT;
}

/* Only a unit that is running now is restarted: at boot the app units wait (After=) for this run,
 * and a restart job must not race the start job that is already queued for them. */
static bool unit_active(sd_bus *bus, const char *unit) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path = NULL;
        char *state = NULL;
        bool active = false;
        if (sd.call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                           "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", unit) >= 0 &&
            sd.message_read(reply, "o", &path) >= 0 &&
            sd.get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                   "ActiveState", &error, &state) >= 0)
                active = strcmp(state, "active") == 0 || strcmp(state, "reloading") == 0;
        free(state);
        sd.error_free(&error);
        sd.message_unref(reply);
        return active;
}

int bus_try_restart(const struct node_user *u, char *const *units, size_t n) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        if (n == 0)
                return 0;
        if (u && user_manager_down(u)) {
                log_info("the user manager of %s is not running: none of the %zu unit(s) to restart runs", u->name, n);
                return 0;
        }
        if (open_bus(u, &bus) < 0)
                return (int)n;
        int failed = 0;
        for (size_t i = 0; i < n; i++) {
                if (!unit_active(bus, units[i])) {
                        log_info("%s is not running: not restarted", units[i]);
                        continue;
                }
                failed += call_manager(bus, "TryRestartUnit", units[i]) < 0;
        }
        return failed;
}

int bus_reload(const char *unit) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r = open_bus(NULL, &bus);
        return r < 0 ? r : call_manager(bus, "ReloadOrTryRestartUnit", unit);
}
