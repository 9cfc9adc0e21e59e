/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's runtime and hardening keys, named as in Docker Compose; archy-manifest(5) says
 * which Quadlet key each becomes. */
#include "manifest-parse-runtime.h"

#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "parse-number.h"
#include "values-container.h"
#include "values.h"

#define SIZE_MAX_BYTES (1ULL << 40)       /* 1t */
#define MEM_LIMIT_MIN (6ULL << 20)        /* podman refuses less than 6 MiB */
#define CPUS_MILLI_MAX 1024000ULL         /* 1024 CPUs */
#define ULIMIT_MAX 9223372036854775807ULL /* rlim_t as podman parses it (int64) */

static bool parse_user(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (user_parse(s, &ct->uid, &ct->gid, &ct->has_group) == 0) {
                ct->has_user = true;
                return true;
        }
        if (strspn(s, "0123456789:") != strlen(s))
                yerror(c, n,
                       "%s: expected a numeric UID or UID:GID such as 1000:1000, got \"%s\" (a user name is looked up "
                       "in the image when the container starts, which archy cannot check: write the numbers)",
                       key, s);
        else
                yerror(c, n, "%s: expected UID or UID:GID, each from 0 to %u, such as 1000:1000, got \"%s\"", key,
                       ARCHY_ID_MAX, s);
        return false;
}

/* A string that must pass `valid`; `what` names the expected form. */
static bool parse_checked(const struct yctx *c, const yaml_node_t *n, const char *key, bool (*valid)(const char *),
                          const char *what, const char **ret) {
        const char *s = yexpect_text(c, n, key);
        if (s && !valid(s)) {
                yerror(c, n, "%s: expected %s, got \"%s\"", key, what, s);
                return false;
        }
        *ret = s;
        return s;
}

static bool parse_entrypoint(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        static const char what[] = "an argument of 1 to 255 characters of [A-Za-z0-9._/:@+=,-]";
        if (n->type == YAML_SEQUENCE_NODE) {
                if (ysequence_len(n) == 0) {
                        yerror(c, n, "%s: expected at least one argument, got an empty list", key);
                        return false;
                }
                return parse_text_list(c, n, key, entrypoint_arg_valid, what, &ct->entrypoint, &ct->n_entrypoint);
        }
        /* The string form: one word (compose splits a string at spaces, as a list says plainly). */
        if (n->type != YAML_SCALAR_NODE) {
                yerror(c, n, "%s: expected a list of arguments or one word, got %s", key, ynode_kind(n));
                return false;
        }
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (!entrypoint_arg_valid(s)) {
                yerror(c, n,
                       "%s: expected a list of arguments such as [/usr/bin/tini, --] or one word of "
                       "[A-Za-z0-9._/:@+=,-], got \"%s\"",
                       key, s);
                return false;
        }
        ct->entrypoint = calloc(2, sizeof(*ct->entrypoint));
        if (!ct->entrypoint)
                return false;
        ct->entrypoint[0] = s;
        ct->n_entrypoint = 1;
        return true;
}

static bool signal_valid(const char *s) {
        return signal_canonical(s);
}

static bool parse_stop_signal(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        const char *s;
        if (!parse_checked(c, n, key, signal_valid, "a signal such as SIGTERM, TERM or 15 (signals 1 to 31)", &s))
                return false;
        ct->stop_signal = signal_canonical(s);
        return true;
}

/* A list, or (as compose allows for tmpfs) one string. */
static bool parse_list_or_one(const struct yctx *c, const yaml_node_t *n, const char *key, bool (*valid)(const char *),
                              const char *what, const char ***ret, size_t *ret_n) {
        if (n->type == YAML_SEQUENCE_NODE)
                return parse_text_list(c, n, key, valid, what, ret, ret_n);
        const char *s;
        if (!parse_checked(c, n, key, valid, what, &s))
                return false;
        *ret = calloc(2, sizeof(**ret));
        if (!*ret)
                return false;
        (*ret)[0] = s;
        *ret_n = 1;
        return true;
}

static bool cap_drop_valid(const char *s) {
        return capability_canonical(s, true);
}

static bool cap_add_valid(const char *s) {
        return capability_canonical(s, false);
}

/* Each item replaced by its canonical name ("CAP_NET_RAW"). */
static bool parse_capabilities(const struct yctx *c, const yaml_node_t *n, const char *key, bool drop,
                               const char ***ret, size_t *ret_n) {
        const char *what = drop ? "a capability such as NET_RAW or CAP_NET_RAW (capabilities(7)), or ALL"
                                : "a capability such as NET_BIND_SERVICE or CAP_NET_BIND_SERVICE (capabilities(7)); "
                                  "not ALL, which is every capability: name the ones the container needs";
        bool ok = parse_text_list(c, n, key, drop ? cap_drop_valid : cap_add_valid, what, ret, ret_n);
        for (size_t i = 0; ok && i < *ret_n; i++)
                (*ret)[i] = capability_canonical((*ret)[i], drop);
        return ok;
}

static bool parse_size_node(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned long long min,
                            const char *what, unsigned long long *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        unsigned long long v;
        if (parse_size(s, SIZE_MAX_BYTES, &v) < 0 || v < min) {
                yerror(c, n, "%s: expected %s, got \"%s\"", key, what, s);
                return false;
        }
        *ret = v;
        return true;
}

static bool parse_cpus(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        unsigned long long milli;
        if (parse_fixed_point(s, 3, CPUS_MILLI_MAX, &milli) < 0 || milli < 10) {
                yerror(c, n,
                       "%s: expected a number of CPUs from 0.01 to 1024 with at most 3 decimals, such as 1.5, got "
                       "\"%s\"",
                       key, s);
                return false;
        }
        ct->cpus_milli = (unsigned)milli;
        return true;
}

static bool parse_ulimit_number(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned long long *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (parse_unsigned(s, ULIMIT_MAX, ret) < 0) {
                yerror(c, n, "%s: expected a whole number from 0 to %llu, got \"%s\"", key, ULIMIT_MAX, s);
                return false;
        }
        return true;
}

/* NAME: N (soft and hard) or NAME: {soft: N, hard: N}. */
static bool parse_ulimit(const struct yctx *c, const yaml_node_t *n, const char *key, struct ulimit *u) {
        static const char *const limit_keys[] = {"soft", "hard", NULL};
        if (n->type != YAML_MAPPING_NODE) {
                if (!parse_ulimit_number(c, n, key, &u->soft))
                        return false;
                u->hard = u->soft;
                return true;
        }
        if (!ycheck_keys(c, n, key, limit_keys))
                return false;
        const yaml_node_t *soft = ylookup(c, n, "soft"), *hard = ylookup(c, n, "hard");
        if (!soft || !hard) {
                yerror(c, n, "%s: expected both soft and hard, such as {soft: 1024, hard: 65536}", key);
                return false;
        }
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.soft", key);
        bool ok = parse_ulimit_number(c, soft, k, &u->soft);
        ykeyf(k, sizeof(k), "%s.hard", key);
        ok = parse_ulimit_number(c, hard, k, &u->hard) && ok;
        if (ok && u->soft > u->hard) {
                yerror(c, n, "%s: expected a soft limit no higher than the hard limit, got soft %llu and hard %llu",
                       key, u->soft, u->hard);
                return false;
        }
        return ok;
}

static bool parse_ulimits(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        ct->ulimits = calloc_items(ymapping_len(n), sizeof(*ct->ulimits));
        if (!ct->ulimits)
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                if (!ulimit_name_valid(name)) {
                        char shown[96];
                        yaml_node_t *kn = ynode(c, pair->key);
                        yerror(c, kn,
                               "%s: expected a resource among as, core, cpu, data, fsize, locks, memlock, msgqueue, "
                               "nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack, got \"%s\"",
                               key, value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                struct ulimit *u = &ct->ulimits[ct->n_ulimits];
                u->name = name;
                if (parse_ulimit(c, ynode(c, pair->value), k, u))
                        ct->n_ulimits++;
                else
                        ok = false;
        }
        return ok;
}

static bool parse_init(const struct yctx *c, const yaml_node_t *n, const char *key) {
        bool init;
        if (!yexpect_bool(c, n, key, &init))
                return false;
        if (!init)
                yerror(c, n,
                       "%s: archy always runs an init as the container's PID 1 (RunInit=true: it passes signals on "
                       "and reaps exited processes), so init: false cannot be had; remove the key",
                       key);
        return init;
}

bool parse_runtime_field(const struct yctx *c, const char *name, const yaml_node_t *v, const char *k,
                         struct container *ct) {
        if (strcmp(name, "user") == 0)
                return parse_user(c, v, k, ct);
        if (strcmp(name, "entrypoint") == 0)
                return parse_entrypoint(c, v, k, ct);
        if (strcmp(name, "working_dir") == 0)
                return parse_checked(c, v, k, abs_path_valid, "an absolute, normalized path of [A-Za-z0-9._/@+-]",
                                     &ct->working_dir);
        if (strcmp(name, "hostname") == 0)
                return parse_checked(c, v, k, hostname_valid,
                                     "a host name of at most 64 characters: labels of letters, digits and '-' "
                                     "joined by dots (RFC 1123)",
                                     &ct->hostname);
        if (strcmp(name, "stop_signal") == 0)
                return parse_stop_signal(c, v, k, ct);
        if (strcmp(name, "read_only") == 0)
                return yexpect_bool(c, v, k, &ct->read_only);
        if (strcmp(name, "tmpfs") == 0)
                return parse_list_or_one(c, v, k, tmpfs_valid,
                                         "\"/path[:OPTIONS]\": an absolute, normalized path other than / and options "
                                         "among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, "
                                         "tmpcopyup, size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N",
                                         &ct->tmpfs, &ct->n_tmpfs);
        if (strcmp(name, "cap_drop") == 0)
                return parse_capabilities(c, v, k, true, &ct->cap_drop, &ct->n_cap_drop);
        if (strcmp(name, "cap_add") == 0)
                return parse_capabilities(c, v, k, false, &ct->cap_add, &ct->n_cap_add);
        if (strcmp(name, "no_new_privileges") == 0)
                return yexpect_bool(c, v, k, &ct->no_new_privileges);
        if (strcmp(name, "shm_size") == 0)
                return parse_size_node(c, v, k, 1,
                                       "a size from 1 byte to 1t such as 64m, 512k or 1g (units b, k, m, g, t, "
                                       "1024-based)",
                                       &ct->shm_size);
        if (strcmp(name, "ulimits") == 0)
                return parse_ulimits(c, v, k, ct);
        if (strcmp(name, "mem_limit") == 0)
                return parse_size_node(c, v, k, MEM_LIMIT_MIN,
                                       "a size from 6m (podman's least) to 1t such as 512m or 2g (units b, k, m, g, "
                                       "t, 1024-based)",
                                       &ct->mem_limit);
        if (strcmp(name, "cpus") == 0)
                return parse_cpus(c, v, k, ct);
        if (strcmp(name, "init") == 0)
                return parse_init(c, v, k);
        return false;
}
