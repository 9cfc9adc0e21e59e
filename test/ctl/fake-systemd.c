/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for systemd's D-Bus API, as much as archyctl status reads of it (test/ctl/status.bats):
 * org.freedesktop.systemd1 on the bus at argv[1], Manager.ListUnitsByPatterns, and per unit the
 * org.freedesktop.systemd1.Service and .Unit properties status reads, with a few others around
 * them (GetAll hands them all) that it must skip. The units come from the table argv[2], one line
 * each, blank-separated:
 *   NAME LOAD ACTIVE SUB TYPE RESULT EXEC_MAIN_CODE EXEC_MAIN_STATUS N_RESTARTS EXIT_USEC CHANGE_USEC INACTIVE_USEC
 * Every method call received is counted, one line per call in argv[3] ("Member interface path"),
 * for the round-trip assertions. Property types as systemd's (org.freedesktop.systemd1(5)).
 * ExecMainStartTimestamp is not in the table: a unit whose main process exited started 2.5 s
 * before it did (the helpers' run durations in archyctl's metrics). */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

/* Strings as pointers: sd-bus's own getters read a char * at the offset. */
struct unit {
        char *name, *load, *active, *sub, *type, *result;
        int code, status;
        unsigned restarts;
        unsigned long long exit_usec, change_usec, inactive_usec;
};

static struct unit units[64];
static size_t n_units;
static FILE *calls;

static int load(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        struct unit u;
        while (n_units < sizeof units / sizeof units[0] &&
               fscanf(f, "%ms %ms %ms %ms %ms %ms %d %d %u %llu %llu %llu", &u.name, &u.load, &u.active, &u.sub,
                      &u.type, &u.result, &u.code, &u.status, &u.restarts, &u.exit_usec, &u.change_usec,
                      &u.inactive_usec) == 12)
                units[n_units++] = u;
        fclose(f);
        return 0;
}

static int count(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint8_t type = 0;
        if (sd_bus_message_get_type(m, &type) >= 0 && type == SD_BUS_MESSAGE_METHOD_CALL)
                fprintf(calls, "%s %s %s\n", sd_bus_message_get_member(m), sd_bus_message_get_interface(m),
                        sd_bus_message_get_path(m));
        fflush(calls);
        return 0;
}

static bool matches(char **patterns, const char *name) {
        if (!patterns || !*patterns)
                return true;
        for (char **p = patterns; *p; p++)
                if (fnmatch(*p, name, 0) == 0)
                        return true;
        return false;
}

static int list_units_by_patterns(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        char **states = NULL, **patterns = NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_read_strv(m, &states);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &patterns);
        if (r >= 0)
                r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
        for (size_t i = 0; i < n_units && r >= 0; i++) {
                if (!matches(patterns, units[i].name))
                        continue;
                char *path = NULL;
                r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", units[i].name, &path);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "(ssssssouso)", units[i].name, "a unit", units[i].load,
                                                  units[i].active, units[i].sub, "", path, 0u, "", "/");
                free(path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        for (char **p = states; p && *p; p++)
                free(*p);
        for (char **p = patterns; p && *p; p++)
                free(*p);
        free(states);
        free(patterns);
        return r;
}

static int find_unit(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error) {
        char *name = NULL;
        if (sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &name) <= 0)
                return 0;
        for (size_t i = 0; i < n_units; i++)
                if (strcmp(units[i].name, name) == 0) {
                        *found = &units[i];
                        free(name);
                        return 1;
                }
        free(name);
        return 0;
}

static int noise_strv(sd_bus *bus, const char *path, const char *interface, const char *property, sd_bus_message *reply,
                      void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "as", 3, "PODMAN_SYSTEMD_UNIT=x", "NOTIFY_SOCKET=/run/y", "A=b");
}

static int noise_exec(sd_bus *bus, const char *path, const char *interface, const char *property, sd_bus_message *reply,
                      void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "a(sasbttttuii)", 1, "/usr/bin/podman", 3, "/usr/bin/podman", "run",
                                     "--name=x", 0, 1ULL, 2ULL, 3ULL, 4ULL, 42u, 1, 0);
}

static int exec_main_start(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const struct unit *u = userdata;
        return sd_bus_message_append(reply, "t", u->exit_usec ? u->exit_usec - 2500000ULL : 0ULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("ListUnitsByPatterns", "asas", "a(ssssssouso)", list_units_by_patterns, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable service_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Type", "s", NULL, offsetof(struct unit, type), 0),
        SD_BUS_PROPERTY("Environment", "as", noise_strv, 0, 0),
        SD_BUS_PROPERTY("Result", "s", NULL, offsetof(struct unit, result), 0),
        SD_BUS_PROPERTY("ExecStart", "a(sasbttttuii)", noise_exec, 0, 0),
        SD_BUS_PROPERTY("NRestarts", "u", NULL, offsetof(struct unit, restarts), 0),
        SD_BUS_PROPERTY("ExecMainStartTimestamp", "t", exec_main_start, 0, 0),
        SD_BUS_PROPERTY("ExecMainExitTimestamp", "t", NULL, offsetof(struct unit, exit_usec), 0),
        SD_BUS_PROPERTY("ExecMainCode", "i", NULL, offsetof(struct unit, code), 0),
        SD_BUS_PROPERTY("ExecMainStatus", "i", NULL, offsetof(struct unit, status), 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ActiveState", "s", NULL, offsetof(struct unit, active), 0),
        SD_BUS_PROPERTY("StateChangeTimestamp", "t", NULL, offsetof(struct unit, change_usec), 0),
        SD_BUS_PROPERTY("InactiveEnterTimestamp", "t", NULL, offsetof(struct unit, inactive_usec), 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        if (argc != 4 || load(argv[2]) < 0 || !(calls = fopen(argv[3], "we")))
                return 2;
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, argv[1]);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, count, NULL);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                             manager_vtable, NULL);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit",
                                               "org.freedesktop.systemd1.Service", service_vtable, find_unit, NULL);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit",
                                               "org.freedesktop.systemd1.Unit", unit_vtable, find_unit, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
        if (r < 0) {
                fprintf(stderr, "fake-systemd: %s\n", strerror(-r));
                return 1;
        }
        puts("ready");
        fflush(stdout);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return 1;
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        return 1;
        }
}
