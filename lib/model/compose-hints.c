/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "compose-hints.h"

#include <errno.h>
#include <string.h>

#include "strbuf.h"

enum level { LEVEL_TOP, LEVEL_APP, LEVEL_CONTAINER, LEVEL_HEALTH, LEVEL_OTHER };

struct hint {
        enum level level;
        const char *key;
        const char *text;
};

/* Only compose keys archy does not have at that level: a key archy reads never gets here. */
static const struct hint hints[] = {
        {LEVEL_TOP, "services", "archy calls this apps (each app has containers, one of them named main)"},
        {LEVEL_TOP, "volumes",
         "volumes are declared per app: a container's volumes entry \"NAME:/path\" creates the volume "
         "archy-APP-NAME, and apps.APP.volumes gives it an owner"},
        {LEVEL_TOP, "networks",
         "every container is on archy's network \"archipelago\" and reaches the node as host.archipelago; other "
         "networks are not offered"},

        {LEVEL_APP, "depends_on",
         "depends_on belongs to a container (it orders the parts of one app); to wait for another app, use the "
         "app's requires"},
        {LEVEL_APP, "image", "image belongs to a container: apps.APP.containers.main.image"},
        {LEVEL_APP, "command", "command belongs to a container: apps.APP.containers.main.command"},
        {LEVEL_APP, "ports", "ports belongs to a container: apps.APP.containers.main.ports"},
        {LEVEL_APP, "env", "env belongs to a container: apps.APP.containers.main.env"},
        {LEVEL_APP, "environment", "archy calls this env, and it belongs to a container: apps.APP.containers.main.env"},
        {LEVEL_APP, "restart",
         "restart belongs to a container (restart: \"no\" for a one-shot part; every other part is always "
         "restarted)"},
        {LEVEL_APP, "services", "archy calls the services of an app containers (one of them named main)"},

        {LEVEL_CONTAINER, "environment", "archy calls this env (a mapping NAME: value)"},
        {LEVEL_CONTAINER, "env_file", "archy calls this env_files (a list of absolute paths)"},
        {LEVEL_CONTAINER, "healthcheck",
         "archy calls this health, with cmd (compose's test, as one string run by the container's shell), "
         "interval, timeout, retries and start_period"},
        {LEVEL_CONTAINER, "stop_grace_period", "archy calls this stop_timeout (a duration such as 30s)"},
        {LEVEL_CONTAINER, "requires",
         "requires belongs to the app (apps.APP.requires: other apps this one waits for); between the parts of one "
         "app use depends_on"},
        {LEVEL_CONTAINER, "container_name",
         "archy names every container itself, archy-APP for main and archy-APP-PART for the others: rename the part "
         "instead"},
        {LEVEL_CONTAINER, "networks",
         "every container is on archy's network \"archipelago\" and reaches the others by their container names; "
         "other networks are not offered"},
        {LEVEL_CONTAINER, "network_mode",
         "every container is on archy's bridge network \"archipelago\"; the host's network is not offered (it "
         "would share the node's ports and addresses with the container): publish ports with ports"},
        {LEVEL_CONTAINER, "privileged", "not offered: a privileged container has every power over the node"},
        {LEVEL_CONTAINER, "labels",
         "archy sets its own labels on every container (its app and part) and offers no others"},
        {LEVEL_CONTAINER, "logging", "not needed: every container logs to the journal"},
        {LEVEL_CONTAINER, "build",
         "archy runs published images only: build the image, push it to a registry and name it in image"},
        {LEVEL_CONTAINER, "deploy",
         "not read: archy runs each part once, under systemd; its resource limits are mem_limit and cpus"},
        {LEVEL_CONTAINER, "extra_hosts",
         "not offered: every container resolves host.archipelago (the node) and the other containers by name"},
        {LEVEL_CONTAINER, "devices", "not offered: a device gives the container the node's hardware"},
        {LEVEL_CONTAINER, "pid", "not offered: sharing a process namespace breaks the isolation of the apps"},
        {LEVEL_CONTAINER, "ipc", "not offered: sharing an IPC namespace breaks the isolation of the apps"},
        {LEVEL_CONTAINER, "security_opt", "not offered: archy keeps podman's default confinement"},
        {LEVEL_CONTAINER, "sysctls", "not offered: archy keeps the node's kernel settings"},
        {LEVEL_CONTAINER, "stdin_open", "not needed: containers run under systemd, without a terminal"},
        {LEVEL_CONTAINER, "tty", "not needed: containers run under systemd, without a terminal"},
        {LEVEL_CONTAINER, "platform", "not needed: podman pulls the image for the node's own architecture"},

        {LEVEL_HEALTH, "test",
         "archy calls this cmd: one string run by the container's shell, such as cmd: \"curl -f "
         "http://localhost:8080/\""},
        {LEVEL_HEALTH, "disable", "to check nothing, leave out health"},
        {LEVEL_HEALTH, "start_interval", "not offered: the check runs every interval, from the start"},
};

/* The level of a key path made by the parser; app and part names have no dots. */
static enum level path_level(const char *path) {
        if (strcmp(path, "(top level)") == 0)
                return LEVEL_TOP;
        if (strncmp(path, "apps.", 5) != 0)
                return LEVEL_OTHER;
        const char *rest = strchr(path + 5, '.');
        if (!rest)
                return LEVEL_APP;
        if (strncmp(rest, ".containers.", 12) != 0)
                return LEVEL_OTHER;
        const char *part_end = strchr(rest + 12, '.');
        if (!part_end)
                return LEVEL_CONTAINER;
        return strcmp(part_end, ".health") == 0 ? LEVEL_HEALTH : LEVEL_OTHER;
}

const char *compose_hint(const char *path, const char *name) {
        enum level level = path_level(path);
        for (size_t i = 0; i < ELEMENTSOF(hints); i++)
                if (hints[i].level == level && strcmp(hints[i].key, name) == 0)
                        return hints[i].text;
        return NULL;
}

/* Plain words pass to the shell as they are; anything else is single-quoted. */
static void put_shell_word(struct strbuf *sb, const char *s) {
        size_t n = strlen(s);
        if (n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-") == n) {
                strbuf_puts(sb, s);
                return;
        }
        strbuf_putc(sb, '\'');
        for (const char *c = s; *c; c++)
                if (*c == '\'')
                        strbuf_puts(sb, "'\\''");
                else
                        strbuf_putc(sb, *c);
        strbuf_putc(sb, '\'');
}

int compose_health_string(const char *const *items, size_t n, char **ret) {
        size_t first = 0;
        if (n == 0 || strcmp(items[0], "NONE") == 0)
                return -EINVAL;
        if (strcmp(items[0], "CMD-SHELL") == 0) {
                if (n != 2)
                        return -EINVAL;
                *ret = strdup(items[1]);
                return *ret ? 0 : -ENOMEM;
        }
        if (strcmp(items[0], "CMD") == 0)
                first = 1;
        if (first >= n)
                return -EINVAL;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        for (size_t i = first; i < n; i++) {
                if (i > first)
                        strbuf_putc(&sb, ' ');
                put_shell_word(&sb, items[i]);
        }
        if (sb.oom)
                return -ENOMEM;
        *ret = strbuf_steal(&sb);
        return *ret ? 0 : -ENOMEM;
}
