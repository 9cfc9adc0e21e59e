/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose-hints.h"
#include "manifest-parse-runtime.h"
#include "manifest-parse.h"
#include "naming.h"
#include "values-container.h"
#include "values.h"

static const char *const container_keys[] = {
        "image",
        "command",
        "volumes",
        "ports",
        "env",
        "env_files",
        "health",
        "stop_timeout",
        "depends_on",
        "restart",
        /* runtime and hardening (manifest-parse-runtime.c) */
        "user",
        "entrypoint",
        "working_dir",
        "hostname",
        "stop_signal",
        "read_only",
        "tmpfs",
        "cap_drop",
        "cap_add",
        "no_new_privileges",
        "shm_size",
        "ulimits",
        "mem_limit",
        "cpus",
        "init",
        /* wiring (manifest-parse-volumes.c) */
        "expose",
        "aliases",
        NULL,
};
static const char *const health_keys[] = {
        "cmd", "interval", "timeout", "retries", "start_period", "on_failure", NULL,
};

#define DEFAULT_STOP_TIMEOUT_SEC 30

static bool parse_duration_node(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (duration_parse(s, ret) < 0) {
                yerror(c, n, "%s: expected a duration between 1s and 24h such as 30s, 10m or 1h, got \"%s\"", key, s);
                return false;
        }
        return true;
}

typedef const char *(*text_expecter)(const struct yctx *c, const yaml_node_t *n, const char *key);

static bool text_list(const struct yctx *c, const yaml_node_t *n, const char *key, text_expecter expect,
                      bool (*check)(const char *), const char *what, const char ***ret, size_t *ret_n) {
        if (!yexpect_sequence(c, n, key))
                return false;
        const char **items = calloc(ysequence_len(n) + 1, sizeof(*items));
        if (!items)
                return false;
        size_t i = 0;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                const char *s = expect(c, item, k);
                if (s && check && !check(s)) {
                        yerror(c, item, "%s: expected %s, got \"%s\"", k, what, s);
                        s = NULL;
                }
                ok = ok && s;
                items[i++] = s;
        }
        *ret = items;
        *ret_n = i;
        return ok;
}

bool parse_text_list(const struct yctx *c, const yaml_node_t *n, const char *key, bool (*check)(const char *),
                     const char *what, const char ***ret, size_t *ret_n) {
        return text_list(c, n, key, yexpect_text, check, what, ret, ret_n);
}

/* A list of text items, each parsed by `parse` into the next of `size`-byte elements of a new
 * array (*ret; *ret_n counts the ones parsed); `what` names the expected form in the error. */
static bool parse_item_list(const struct yctx *c, const yaml_node_t *n, const char *key, size_t size,
                            int (*parse)(const char *s, struct mpos pos, void *item), const char *what, void **ret,
                            size_t *ret_n) {
        if (!yexpect_sequence(c, n, key))
                return false;
        char *items = calloc_items(ysequence_len(n), size);
        if (!items)
                return false;
        *ret = items;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                const char *s = yexpect_text(c, item, k);
                if (!s) {
                        ok = false;
                        continue;
                }
                if (parse(s, ypos(item), items + *ret_n * size) < 0) {
                        yerror(c, item, "%s: expected %s, got \"%s\"", k, what, s);
                        ok = false;
                        continue;
                }
                (*ret_n)++;
        }
        return ok;
}

static int port_item(const char *s, struct mpos pos, void *item) {
        int r = port_parse(s, item);
        if (r >= 0)
                ((struct port *)item)->pos = pos;
        return r;
}

static bool parse_ports(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        void *items = NULL;
        bool ok = parse_item_list(c, n, key, sizeof(*ct->ports), port_item,
                                  "\"[IPv4:]HOST:CONTAINER[/tcp|/udp]\" with ports 1-65535, such as "
                                  "\"127.0.0.1:8332:8332\"",
                                  &items, &ct->n_ports);
        ct->ports = items;
        return ok;
}

/* A mapping NAME: value, each value read by `expect`. */
static bool env_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, text_expecter expect,
                        struct env_var **ret, size_t *ret_n) {
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        struct env_var *vars = calloc_items(ymapping_len(n), sizeof(*vars));
        if (!vars)
                return false;
        size_t i = 0;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%.64s", key, name);
                if (!env_name_valid(name)) {
                        char shown[96];
                        yaml_node_t *kn = ynode(c, pair->key);
                        yerror(c, kn, "%s: expected a variable name matching [A-Za-z_][A-Za-z0-9_]*, got \"%s\"", key,
                               value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                const char *value = expect(c, ynode(c, pair->value), k);
                if (!value) {
                        ok = false;
                        continue;
                }
                vars[i++] = (struct env_var){name, value, ypos(ynode(c, pair->value))};
        }
        *ret = vars;
        *ret_n = i;
        return ok;
}

/* A derived env file's vars: one line each, no newline or tab in a value. */
bool parse_env_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct env_var **ret,
                       size_t *ret_n) {
        return env_mapping(c, n, key, yexpect_text, ret, ret_n);
}

/* Quadlet drops an empty argument and writes a lone ";" unquoted into ExecStart=, where systemd
 * reads it as a command separator: neither would reach the container as written. */
static bool command_arg_valid(const char *s) {
        return s[0] != '\0' && strcmp(s, ";") != 0;
}

/* The list form, or compose's string form run by a shell: /bin/sh -c STRING. */
static bool parse_command(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        if (n->type != YAML_SCALAR_NODE) {
                if (n->type != YAML_SEQUENCE_NODE) {
                        yerror(c, n, "%s: expected a list of arguments or a string (run as /bin/sh -c STRING), got %s",
                               key, ynode_kind(n));
                        return false;
                }
                return text_list(c, n, key, yexpect_text_lines, command_arg_valid,
                                 "a non-empty argument other than \";\" (podman's Quadlet cannot pass these "
                                 "on to podman)",
                                 &ct->command, &ct->n_command);
        }
        const char *s = yexpect_text_lines(c, n, key);
        if (!s)
                return false;
        if (!command_arg_valid(s)) {
                yerror(c, n, "%s: expected a command for /bin/sh -c other than \"\" and \";\", got \"%s\"", key, s);
                return false;
        }
        ct->command = calloc(4, sizeof(*ct->command));
        if (!ct->command)
                return false;
        ct->command[0] = "/bin/sh";
        ct->command[1] = "-c";
        ct->command[2] = s;
        ct->n_command = 3;
        return true;
}

static bool parse_health_action(const struct yctx *c, const yaml_node_t *n, const char *key, enum health_action *ret) {
        static const char *const names[] = {"none", "kill", "restart", "stop", NULL};
        size_t i;
        if (!yexpect_choice(c, n, key, names, &i))
                return false;
        *ret = (enum health_action)i;
        return true;
}

static bool parse_retries(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        size_t len = strlen(s);
        if (len == 0 || len > 3 || strspn(s, "0123456789") != len || atoi(s) < 1) {
                yerror(c, n, "%s: expected a whole number from 1 to 999, got \"%s\"", key, s);
                return false;
        }
        *ret = (unsigned)atoi(s);
        return true;
}

/* compose's exec-list form of a health test: the error shows the string it should be. */
static void report_health_cmd_list(const struct yctx *c, const yaml_node_t *n, const char *key) {
        size_t len = ysequence_len(n);
        _cleanup_free_ const char **items = calloc(len + 1, sizeof(*items));
        size_t i = 0;
        ysequence_foreach (it, n) {
                yaml_node_t *item = ynode(c, *it);
                if (!items || item->type != YAML_SCALAR_NODE || !text_valid(yscalar(item), item->data.scalar.length))
                        break;
                items[i++] = yscalar(item);
        }
        _cleanup_free_ char *cmd = NULL;
        if (i == len && compose_health_string(items, len, &cmd) >= 0) {
                char shown[160];
                yerror(c, n,
                       "%s: expected one string run by the container's shell, got compose's list form: write cmd: "
                       "\"%s\"",
                       key, value_for_message(cmd, strlen(cmd), shown, sizeof(shown)));
        } else
                yerror(c, n,
                       "%s: expected one string run by the container's shell, got a list (to check nothing, leave out "
                       "health)",
                       key);
}

/* Quadlet takes HealthCmd= whole, so it cannot be quoted: a newline cannot reach podman (the
 * value is raw: "\n" stays two bytes), a trailing backslash (before blanks Quadlet trims) would
 * continue the line into the next directive, and an empty command checks nothing. A tab inside
 * is kept: Quadlet writes it into ExecStart= as \t, which systemd undoes. */
static bool parse_health_cmd(const struct yctx *c, const yaml_node_t *n, const char *key, const char **ret) {
        if (n->type == YAML_SEQUENCE_NODE) {
                report_health_cmd_list(c, n, key);
                return false;
        }
        const char *s = yexpect_text_lines(c, n, key);
        if (!s)
                return false;
        if (strchr(s, '\n')) {
                char shown[96];
                yerror(c, n,
                       "%s: expected a command on one line, got a newline in \"%s\" (podman's Quadlet reads "
                       "HealthCmd= as one raw line: join the commands with && or ;, or put the script in a derived "
                       "file and run it)",
                       key, value_for_message(s, strlen(s), shown, sizeof(shown)));
                return false;
        }
        size_t len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        if (len == 0 || s[len - 1] == '\\') {
                yerror(c, n, "%s: expected a command that does not end with a backslash, got \"%s\"", key, s);
                return false;
        }
        *ret = s;
        return true;
}

static bool parse_health(const struct yctx *c, const yaml_node_t *n, const char *key, struct health *h) {
        if (!yexpect_mapping(c, n, key))
                return false;
        *h = (struct health){.interval_sec = 30, .timeout_sec = 30, .retries = 3, .on_failure = HEALTH_ACTION_NONE};
        bool ok = ycheck_keys(c, n, key, health_keys);
        char k[MANIFEST_KEY_MAX];
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                if (strcmp(name, "cmd") == 0)
                        ok = parse_health_cmd(c, v, k, &h->cmd) && ok;
                else if (strcmp(name, "interval") == 0)
                        ok = parse_duration_node(c, v, k, &h->interval_sec) && ok;
                else if (strcmp(name, "timeout") == 0)
                        ok = parse_duration_node(c, v, k, &h->timeout_sec) && ok;
                else if (strcmp(name, "start_period") == 0)
                        ok = parse_duration_node(c, v, k, &h->start_period_sec) && ok;
                else if (strcmp(name, "retries") == 0)
                        ok = parse_retries(c, v, k, &h->retries) && ok;
                else if (strcmp(name, "on_failure") == 0)
                        ok = parse_health_action(c, v, k, &h->on_failure) && ok;
        }
        if (!ylookup(c, n, "cmd")) {
                yerror(c, n, "%s: missing required key \"cmd\" (the command that checks the container)", key);
                ok = false;
        }
        return ok;
}

/* podman's short-name resolution is off on the node, and an image without a tag or digest
 * runs whatever "latest" is when it is pulled. */
static bool image_ref_qualified(const struct yctx *c, const yaml_node_t *v, const char *k, const char *image) {
        char want[300];
        enum image_problem p = image_ref_check(image);
        if (p == IMAGE_OK)
                return true;
        image_ref_suggest(image, want, sizeof(want));
        if (p == IMAGE_SHORT_NAME)
                yerror(c, v,
                       "%s: expected a fully qualified image (REGISTRY/NAME:TAG or @DIGEST), got the short name "
                       "\"%s\" (podman's short-name resolution is off on the node): write \"%s\"",
                       k, image, want);
        else
                yerror(c, v,
                       "%s: expected an image with a tag or digest, got \"%s\" (it would run whatever \"latest\" "
                       "is at the time of the pull): write \"%s\"",
                       k, image, want);
        return false;
}

static bool parse_container_field(const struct yctx *c, const char *name, const yaml_node_t *v, const char *k,
                                  struct container *ct) {
        if (strcmp(name, "image") == 0) {
                ct->image = yexpect_text(c, v, k);
                if (ct->image && !image_ref_valid(ct->image)) {
                        yerror(c, v,
                               "%s: expected an image reference such as \"docker.io/lightninglabs/lnd:v0.18.3-beta\" "
                               "(letters, digits and ._/:@-), got \"%s\"",
                               k, ct->image);
                        ct->image = NULL;
                }
                return ct->image && image_ref_qualified(c, v, k, ct->image);
        }
        if (strcmp(name, "command") == 0)
                return parse_command(c, v, k, ct);
        if (strcmp(name, "volumes") == 0)
                return parse_mounts(c, v, k, ct);
        if (strcmp(name, "ports") == 0)
                return parse_ports(c, v, k, ct);
        if (strcmp(name, "env") == 0)
                return env_mapping(c, v, k, yexpect_text_lines, &ct->env, &ct->n_env);
        if (strcmp(name, "env_files") == 0)
                return parse_text_list(c, v, k, abs_path_valid, "an absolute, normalized path of [A-Za-z0-9._/@+-]",
                                       &ct->env_files, &ct->n_env_files);
        if (strcmp(name, "health") == 0)
                return (ct->has_health = parse_health(c, v, k, &ct->health));
        if (strcmp(name, "stop_timeout") == 0)
                return parse_duration_node(c, v, k, &ct->stop_timeout_sec);
        if (strcmp(name, "depends_on") == 0)
                return parse_depends_on(c, v, k, ct);
        if (strcmp(name, "restart") == 0)
                return parse_restart(c, v, k, ct);
        if (strcmp(name, "expose") == 0)
                return parse_expose(c, v, k, ct);
        if (strcmp(name, "aliases") == 0) {
                ct->aliases_pos = ypos(v);
                return parse_text_list(c, v, k, network_alias_valid,
                                       "a network alias: a host name of letters, digits and '-' (RFC 1123 labels "
                                       "joined by dots, at most 64 characters), not starting with \"archy-\" (the "
                                       "container names)",
                                       &ct->aliases, &ct->n_aliases);
        }
        return parse_runtime_field(c, name, v, k, ct);
}

bool parse_container(const struct yctx *c, const char *app, const char *part, const yaml_node_t *n,
                     struct container *ct) {
        char key[MANIFEST_KEY_MAX];
        ykeyf(key, sizeof(key), "apps.%s.containers.%s", app, part);
        ct->part = part;
        ct->pos = ypos(n);
        ct->stop_timeout_sec = DEFAULT_STOP_TIMEOUT_SEC;
        if (naming_unit(app, part, &ct->unit) < 0)
                return false;
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, container_keys);
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                for (const char *const *known = container_keys; *known; known++)
                        if (strcmp(*known, name) == 0)
                                ok = parse_container_field(c, name, ynode(c, pair->value), k, ct) && ok;
        }
        if (!ylookup(c, n, "image")) {
                yerror(c, n, "%s: missing required key \"image\" (the container image to run)", key);
                ok = false;
        }
        return ok;
}
