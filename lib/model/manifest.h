/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yaml.h>

#include "diag.h"

/* The desired state of a node, as read from the manifest (archy-manifest(5)). Strings that
 * come straight from the YAML point into `doc`; strings archy composes are owned. Everything
 * here has been validated: no value in it can inject anything into a unit file or a path. */

#define ARCHY_MANIFEST_PATH "/etc/archipelago/manifest.yaml"
#define ARCHY_MANIFEST_LAST_GOOD_PATH "/etc/archipelago/manifest.last-good.yaml"
#define ARCHY_NAME_MAX 48

enum app_state { APP_STATE_STARTED, APP_STATE_STOPPED, APP_STATE_UNINSTALLED };

struct mpos {
        size_t line, col; /* 1-based */
};

/* MOUNT_APP_VOLUME: a named volume of another app (`app`), read-only. */
enum mount_kind { MOUNT_NAMED_VOLUME, MOUNT_HOST_PATH, MOUNT_APP_VOLUME };

struct mount {
        enum mount_kind kind;
        char *source; /* volume name (as written in the manifest) or absolute host path */
        char *target;
        bool read_only;
        struct mpos pos;
        /* A host path archy-derive creates before the container starts (mapping form's create). */
        bool create;
        uid_t create_uid;
        gid_t create_gid;
        mode_t create_mode;
        const char *app; /* MOUNT_APP_VOLUME: the app whose volume `source` is */
};

struct port {
        char *host_ip; /* NULL: all addresses */
        unsigned host_port;
        unsigned container_port;
        const char *proto; /* "tcp" or "udp" */
        struct mpos pos;
};

struct env_var {
        const char *name;
        const char *value; /* a container's env value may hold ${app:...} references (app-ref.h) */
        struct mpos pos;   /* of the value, where the parser knows it */
};

/* A named in-container port (a container's expose), for ${app:APP[.PART].ports.NAME}. */
struct exposed_port {
        const char *name;
        unsigned port;
        struct mpos pos;
};

/* A named volume the app declares (apps.APP.volumes) with its owner: Quadlet's User=/Group=. */
struct volume_decl {
        const char *name;
        bool has_owner;
        uid_t uid;
        gid_t gid;
        struct mpos pos;
};

/* One more RPC user of a bitcoin-conf, with the RPCs it may call (none listed: every RPC). */
struct bitcoin_rpc_user {
        const char *user;
        const char *secret;
        const char **whitelist; /* NULL-terminated; NULL: no rpcwhitelist line */
        size_t n_whitelist;
        struct mpos pos;
};

enum health_action { HEALTH_ACTION_NONE, HEALTH_ACTION_KILL, HEALTH_ACTION_RESTART, HEALTH_ACTION_STOP };

struct health {
        const char *cmd;
        unsigned interval_sec, timeout_sec, start_period_sec, retries;
        enum health_action on_failure;
};

/* What a dependency must have reached before the dependent starts (compose's depends_on
 * conditions): started, healthy (its health check passed: Notify=healthy), or completed (a
 * one-shot part exited 0). */
enum dep_condition { DEP_STARTED, DEP_HEALTHY, DEP_COMPLETED };

struct part_dep {
        const char *part; /* another container of the same app */
        enum dep_condition condition;
        struct mpos pos;
};

/* One resource limit of ulimits (setrlimit(2)). */
struct ulimit {
        const char *name; /* "nofile", ... */
        unsigned long long soft, hard;
};

struct container {
        const char *part;
        char *unit; /* archy-<app> for the part "main", archy-<app>-<part> otherwise */
        const char *image;
        const char **command;
        size_t n_command;
        struct mount *mounts;
        size_t n_mounts;
        struct port *ports;
        size_t n_ports;
        struct env_var *env;
        size_t n_env;
        const char **env_files;
        size_t n_env_files;
        bool has_health;
        struct health health;
        unsigned stop_timeout_sec;
        /* Order and readiness */
        struct part_dep *depends_on;
        size_t n_depends_on;
        bool oneshot;        /* restart: "no": runs to completion, Type=oneshot */
        bool notify_healthy; /* set by validation: a part or an app waits for its health */
        struct mpos pos;
        struct exposed_port *expose; /* named in-container ports, for ${app:...} references */
        size_t n_expose;
        /* Runtime and hardening (manifest-parse-runtime.c) */
        bool has_user, has_group;
        unsigned uid, gid;
        const char **entrypoint;
        size_t n_entrypoint;
        const char *working_dir;
        const char *hostname;
        const char *stop_signal; /* "SIGTERM" form (a static string); NULL: the image's */
        bool read_only, no_new_privileges;
        const char **tmpfs; /* "/path[:options]" */
        size_t n_tmpfs;
        const char **cap_drop, **cap_add; /* "CAP_NET_RAW" form or "ALL" (static strings) */
        size_t n_cap_drop, n_cap_add;
        unsigned long long shm_size, mem_limit; /* bytes; 0: podman's default, no limit */
        unsigned cpus_milli;                    /* thousandths of a CPU; 0: no limit */
        struct ulimit *ulimits;
        size_t n_ulimits;
        /* More names on the archipelago network (Quadlet's NetworkAlias=), e.g. "bitcoind" for
         * whichever node app is installed (manifest-aliases.c) */
        const char **aliases;
        size_t n_aliases;
        struct mpos aliases_pos;
};

enum derived_kind {
        DERIVED_BITCOIN_CONF,
        DERIVED_LND_CONF,
        DERIVED_ENV,
        DERIVED_CONTAINERS_CONF,
        DERIVED_NGINX_ROUTE,
        DERIVED_FILE,
        DERIVED_SECRET_FILE,
        _DERIVED_KIND_MAX,
};

/* Kind-specific settings of a derived entry, already validated; archy-derive(8) says what they
 * mean. Strings point into the manifest's document. */
struct derived_bitcoin_conf {
        const char *rpc_user;
        const char *secret;
        struct env_var *options; /* more lines of the block, name=value, in manifest order */
        size_t n_options;
        struct bitcoin_rpc_user *users; /* more RPC users (rpc_users), each with its own secret */
        size_t n_users;
};

struct derived_lnd_conf {
        const char *rpc_user;
        const char *secret;
        const char *rpc_host; /* host:port */
};

struct derived_env {
        struct env_var *vars; /* values may hold ${secret:NAME} */
        size_t n_vars;
};

/* Two forms: location (a location block for the node's port-80 server, the prefix stripped) or
 * port (a whole server block of its own on that HTTPS port, the app at its root). */
struct derived_nginx_route {
        const char *location;  /* NULL in the port form */
        const char *upstream;  /* host:port */
        unsigned port;         /* 0 in the location form */
        bool upstream_tls;     /* port form: proxy_pass https:// (the app serves TLS itself) */
        const char *base_path; /* port form: the app's own base path, passed on unstripped; NULL: / */
        struct mpos port_pos;
};

struct derived_file {
        const char *content; /* text with ${secret:NAME} and ${app:...} references, $$ for a literal $ */
        struct mpos content_pos;
};

struct derived_secret_file {
        const char *secret; /* written as it is, without a newline */
};

/* A config file archy-derive renders from canonical secrets. */
struct derived {
        enum derived_kind kind;
        const char *path;
        char **consumers; /* container parts restarted when the file changed; NULL: the kind's default */
        size_t n_consumers;
        uid_t uid; /* the manifest's owner, else 0:0 */
        gid_t gid;
        mode_t mode; /* the manifest's mode, else the kind's default */
        union {
                struct derived_bitcoin_conf bitcoin_conf;
                struct derived_lnd_conf lnd_conf;
                struct derived_env env;
                struct derived_nginx_route nginx_route;
                struct derived_file file;
                struct derived_secret_file secret_file;
        };
        struct mpos pos;
};

/* A live probe of an app (apps.APP.probes, archy-manifest(5)): archyctl probe and the metrics timer
 * check that a TCP port accepts a connection or that a URL answers an expected HTTP status. */
enum probe_kind { PROBE_TCP, PROBE_HTTP };
#define PROBE_TIMEOUT_DEFAULT_MS 2000u
#define PROBE_TIMEOUT_MAX_MS 10000u
#define PROBE_EXPECT_MAX 8
struct probe {
        const char *name; /* [a-z0-9-], unique within the app */
        enum probe_kind kind;
        const char *target;                /* tcp: "HOST:PORT" or "[IPV6]:PORT"; http: the URL */
        unsigned timeout_ms;               /* 1..PROBE_TIMEOUT_MAX_MS */
        unsigned expect[PROBE_EXPECT_MAX]; /* http: the statuses that pass; none listed: any 2xx or 3xx */
        size_t n_expect;
        struct mpos pos;
};

struct app {
        const char *name;
        enum app_state state;
        const char **requires;
        struct mpos *requires_pos;
        enum dep_condition *requires_condition; /* started or healthy */
        size_t n_requires;
        struct container *containers;
        size_t n_containers;
        struct derived *derived;
        size_t n_derived;
        bool skip; /* invalid: no units for it, nor for apps that require it */
        struct mpos pos;
        struct volume_decl *volumes; /* apps.APP.volumes: named volumes with an owner */
        size_t n_volumes;
        /* The apps whose requires name this one, each once, in manifest order (manifest_index_apps()). */
        const struct app **required_by;
        size_t n_required_by;
        struct probe *probes; /* apps.APP.probes, in manifest order */
        size_t n_probes;
};

/* A canonical secret the manifest declares: archy-derive may create it when it is missing. */
/* secrets.NAME.chars: which characters a secret may hold (a supplied one outside them is refused
 * by archy-derive; a generated one, [A-Za-z0-9], always fits). */
enum secret_chars { SECRET_CHARS_ANY, SECRET_CHARS_ALNUM };
struct secret_decl {
        const char *name;
        bool generate;
        struct mpos pos;
        enum secret_chars chars;
};

/* The node's Bitcoin network (top-level key chain), for bitcoin-conf and lnd-conf. */
enum chain { CHAIN_MAIN, CHAIN_TEST, CHAIN_SIGNET, CHAIN_REGTEST, _CHAIN_MAX };

/* Who runs the apps' containers (top-level key node, archy-manifest(5) NODE): root's podman and
 * the system manager, or the rootless podman of one dedicated user in that user's systemd --user. */
enum node_mode { NODE_ROOTFUL, NODE_ROOTLESS, _NODE_MODE_MAX };
#define NODE_DEFAULT_USER "archipelago"
/* A POSIX portable user name, as useradd takes it: [a-z_][a-z0-9_-]*, at most 32 characters. */
#define NODE_USER_MAX 32

struct node_settings {
        enum node_mode mode;
        const char *user; /* rootless: the apps' user (default NODE_DEFAULT_USER); rootful: NULL */
        struct mpos pos;  /* of the node key, where it is given */
};

struct ydoc;
struct manifest {
        char *path;
        enum chain chain;
        struct node_settings node;
        struct secret_decl *secrets;
        size_t n_secrets;
        struct ydoc *doc; /* the loaded manifest: every string above and below points into its text */
        struct app *apps;
        size_t n_apps;
        struct app **by_name;           /* apps sorted by name, for manifest_find_app() */
        const struct app **required_by; /* the storage of every app's required_by */
};

/* Parse and validate YAML text. Returns NULL only when the manifest as a whole is unusable
 * (YAML syntax, wrong version, top-level shape) or on OOM; problems confined to one app mark
 * that app skip=true. Every problem is appended to `diags`. */
struct manifest *manifest_parse(const char *text, size_t len, const char *path, struct diag_list *diags);
/* The same for a text the caller hands over (*text is NULL afterwards): it is freed as soon as the
 * YAML is loaded, since the document keeps its own copy of every scalar, so that a big manifest
 * does not take its size twice at the peak. */
struct manifest *manifest_parse_owned(char **text, size_t len, const char *path, struct diag_list *diags);
/* The same for a text read in pieces (yload_single_reader(): `read` is libyaml's read handler, a
 * failing reader reports itself and sets *read_failed): a big manifest is never held whole. */
struct manifest *manifest_parse_reader(yaml_read_handler_t *read, void *data, const bool *read_failed, const char *path,
                                       struct diag_list *diags);

/* Cross-app checks: requires name existing apps and form no cycle, no two apps claim the same
 * unit, volume or host port. Marks offending apps and, transitively, their dependents skip. */
void manifest_validate(struct manifest *m, struct diag_list *diags);

/* Read, check ownership/mode (refuse a manifest its non-root writer could use to run
 * containers as root) and parse+validate. Returns -ENOENT when the file does not exist,
 * -EPERM for unsafe ownership/mode, -EINVAL when unusable; details are in `diags`. */
int manifest_read(const char *path, bool check_owner, char **ret_text, size_t *ret_len, struct diag_list *diags);
int manifest_load(const char *path, bool check_owner, struct manifest **ret, struct diag_list *diags);

void manifest_free(struct manifest *m);
static inline void manifest_freep(struct manifest **m) {
        manifest_free(*m);
}
#define _cleanup_manifest_ _cleanup_(manifest_freep)

const char *app_state_to_string(enum app_state s);
const char *derived_kind_to_string(enum derived_kind k);
/* "rootful", "rootless". */
const char *node_mode_to_string(enum node_mode m);
/* A user name node.user accepts. */
bool node_user_valid(const char *s);

/* "main", "test", "signet", "regtest": bitcoind's chain names. */
const char *chain_to_string(enum chain c);
const char *health_action_to_string(enum health_action a);
const char *dep_condition_to_string(enum dep_condition c);
const char *probe_kind_to_string(enum probe_kind k); /* "tcp", "http" */
/* Whether an HTTP status passes probe p: one of its expect, or any 2xx/3xx when it lists none. */
bool probe_status_expected(const struct probe *p, long status);
/* The container of app `a` named `part`, or NULL. */
const struct container *app_find_container(const struct app *a, const char *part);
const struct app *manifest_find_app(const struct manifest *m, const char *name);
/* Build the name index manifest_find_app() searches and every app's required_by (the parser does);
 * -ENOMEM on failure. */
int manifest_index_apps(struct manifest *m);
/* Whether mount v of container c (a named volume) names a volume an earlier mount of the app
 * named already (one volume shared by two containers is one .volume file, one unit). */
bool app_volume_seen_before(const struct app *a, size_t c, size_t v);
/* The volume `name` app `a` declares under volumes, or NULL. */
const struct volume_decl *app_find_volume(const struct app *a, const char *name);
/* Whether a container of app `a` mounts its named volume `volume`. */
bool app_mounts_volume(const struct app *a, const char *volume);
/* Whether app `a` lists `other` in its requires. */
bool app_requires_app(const struct app *a, const char *other);
const struct secret_decl *manifest_find_secret(const struct manifest *m, const char *name);
