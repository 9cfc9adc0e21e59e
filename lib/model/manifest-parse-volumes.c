/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes: an app's named volumes with an owner (apps.APP.volumes), a container's mounts in the
 * mapping form (a host path archy creates, another app's volume read-only) and its named ports
 * (expose). */
#include "manifest-parse-volumes.h"

#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "parse-number.h"
#include "values.h"

static const char *const volume_keys[] = {"owner", NULL};
static const char *const mount_keys[] = {"source", "target", "read_only", "create", "app", "volume", NULL};
static const char *const create_keys[] = {"owner", "mode", NULL};

#define DEFAULT_CREATE_MODE 0755

static bool parse_owner_node(const struct yctx *c, const yaml_node_t *n, const char *key, uid_t *uid, gid_t *gid) {
        const char *s = yexpect_text(c, n, key);
        unsigned u, g;
        if (!s)
                return false;
        if (owner_parse(s, &u, &g) < 0) {
                char shown[96];
                yerror(c, n, "%s: expected UID:GID in numbers, e.g. 1000:1000, got \"%s\"", key,
                       value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        *uid = (uid_t)u;
        *gid = (gid_t)g;
        return true;
}

static bool parse_volume_decl(const struct yctx *c, const yaml_node_t *n, const char *key, struct volume_decl *v) {
        v->pos = ypos(n);
        if (!yexpect_mapping(c, n, key))
                return false;
        yaml_node_t *mode = ylookup(c, n, "mode");
        if (mode) {
                /* Quadlet 5.4's [Volume] has User= and Group= (podman volume create -o uid=,gid=), no mode. */
                yerror(c, mode,
                       "%s.mode: podman cannot set the mode of a named volume, expected only owner (a volume's "
                       "directory is 0755; an init part (restart: \"no\") can chmod it)",
                       key);
                return false;
        }
        bool ok = ycheck_keys(c, n, key, volume_keys);
        yaml_node_t *owner = ylookup(c, n, "owner");
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.owner", key);
        if (owner)
                ok = (v->has_owner = parse_owner_node(c, owner, k, &v->uid, &v->gid)) && ok;
        return ok;
}

bool parse_app_volumes(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a) {
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        if (!(a->volumes = calloc_items(ymapping_len(n), sizeof(*a->volumes))))
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *kn = ynode(c, pair->key);
                if (!name_valid(name)) {
                        char shown[96];
                        yerror(c, kn, "%s: expected a volume name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", key,
                               value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                struct volume_decl *v = &a->volumes[a->n_volumes++];
                v->name = name;
                ok = parse_volume_decl(c, ynode(c, pair->value), k, v) && ok;
        }
        return ok;
}

static bool parse_create(const struct yctx *c, const yaml_node_t *n, const char *key, struct mount *mt) {
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, create_keys);
        char k[MANIFEST_KEY_MAX];
        mt->create = true;
        mt->create_mode = DEFAULT_CREATE_MODE;
        yaml_node_t *owner = ylookup(c, n, "owner"), *mode = ylookup(c, n, "mode");
        ykeyf(k, sizeof(k), "%s.owner", key);
        if (owner)
                ok = parse_owner_node(c, owner, k, &mt->create_uid, &mt->create_gid) && ok;
        ykeyf(k, sizeof(k), "%s.mode", key);
        const char *s = mode ? yexpect_text(c, mode, k) : NULL;
        unsigned m;
        if (s && mode_parse(s, &m) == 0)
                mt->create_mode = (mode_t)m;
        else if (s) {
                yerror(c, mode, "%s: expected an octal mode from 0400 to 0777, e.g. 0750, got \"%s\"", k, s);
                ok = false;
        } else if (mode)
                ok = false;
        return ok;
}

/* A text setting of a mount mapping that must pass `valid`. */
static char *mount_text(const struct yctx *c, const yaml_node_t *map, const char *key, const char *name,
                        bool (*valid)(const char *), const char *what, bool *ok) {
        yaml_node_t *n = ylookup(c, map, name);
        if (!n)
                return NULL;
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.%s", key, name);
        const char *s = yexpect_text(c, n, k);
        if (s && (!valid(s) || strcmp(s, "/") == 0)) {
                char shown[96];
                yerror(c, n, "%s: expected %s, got \"%s\"", k, what,
                       value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                s = NULL;
        }
        if (!s) {
                *ok = false;
                return NULL;
        }
        char *copy = strdup(s);
        *ok = *ok && copy;
        return copy;
}

static bool source_valid(const char *s) {
        return s[0] == '/' ? abs_path_valid(s) : name_valid(s);
}

#define PATH_WHAT "an absolute, normalized path other than / of [A-Za-z0-9._/@+-]"

/* The kind-specific rules once the fields are read. */
static bool check_mount_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct mount *mt) {
        bool has_source = ylookup(c, n, "source"), has_app = ylookup(c, n, "app") || ylookup(c, n, "volume");
        if (has_source == has_app) {
                yerror(c, n,
                       "%s: expected either source (a volume of this app or a host path) or app and volume (a "
                       "volume of another app), %s",
                       key, has_source ? "not both" : "found neither");
                return false;
        }
        if (!ylookup(c, n, "target")) {
                yerror(c, n, "%s: missing required key \"target\" (where the container sees it)", key);
                return false;
        }
        if (has_app && (!ylookup(c, n, "app") || !ylookup(c, n, "volume"))) {
                yerror(c, n, "%s: missing required key \"%s\" (another app's volume is named by app and volume)", key,
                       ylookup(c, n, "app") ? "volume" : "app");
                return false;
        }
        if (has_app && !mt->read_only) {
                /* Two writers of one database or chain state corrupt it; the volume is its app's. */
                yaml_node_t *ro = ylookup(c, n, "read_only");
                yerror(c, ro ?: n,
                       "%s.read_only: another app's volume is mounted read-only, expected read_only: true (only "
                       "its own app writes it)",
                       key);
                return false;
        }
        if (mt->create && mt->kind != MOUNT_HOST_PATH) {
                yerror(c, ylookup(c, n, "create"),
                       "%s.create: expected a host path as source (podman creates named volumes itself)", key);
                return false;
        }
        return true;
}

static bool parse_mount_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct mount *mt) {
        bool ok = ycheck_keys(c, n, key, mount_keys);
        mt->source = mount_text(c, n, key, "source", source_valid,
                                "a volume name matching [a-z][a-z0-9-]{0,47} or " PATH_WHAT, &ok);
        mt->target = mount_text(c, n, key, "target", abs_path_valid, PATH_WHAT, &ok);
        mt->kind = mt->source && mt->source[0] == '/' ? MOUNT_HOST_PATH : MOUNT_NAMED_VOLUME;
        yaml_node_t *app = ylookup(c, n, "app"), *ro = ylookup(c, n, "read_only"), *create = ylookup(c, n, "create");
        char k[MANIFEST_KEY_MAX];
        if (app) {
                free(mt->source);
                mt->source =
                        mount_text(c, n, key, "volume", name_valid, "a volume name matching [a-z][a-z0-9-]{0,47}", &ok);
                ykeyf(k, sizeof(k), "%s.app", key);
                const char *s = yexpect_text(c, app, k);
                if (s && !name_valid(s)) {
                        yerror(c, app, "%s: expected an app name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", k, s);
                        s = NULL;
                }
                mt->app = s;
                mt->kind = MOUNT_APP_VOLUME;
                ok = s && ok;
        }
        ykeyf(k, sizeof(k), "%s.read_only", key);
        if (ro)
                ok = yexpect_bool(c, ro, k, &mt->read_only) && ok;
        ykeyf(k, sizeof(k), "%s.create", key);
        if (create)
                ok = parse_create(c, create, k, mt) && ok;
        return ok && check_mount_mapping(c, n, key, mt);
}

#define MOUNT_WHAT                                                                                                     \
        "\"VOLUME:/path[:ro]\" (VOLUME matching [a-z][a-z0-9-]{0,47}) or \"/host/path:/path[:ro]\" (absolute, "        \
        "normalized paths)"

bool parse_mounts(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        if (!yexpect_sequence(c, n, key))
                return false;
        if (!(ct->mounts = calloc_items(ysequence_len(n), sizeof(*ct->mounts))))
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                struct mount *mt = &ct->mounts[ct->n_mounts];
                if (item->type == YAML_MAPPING_NODE) {
                        /* Only a whole mount is kept: every check after the parse reads all of it. */
                        if (parse_mount_mapping(c, item, k, mt)) {
                                mt->pos = ypos(item);
                                ct->n_mounts++;
                        } else {
                                mount_done(mt);
                                *mt = (struct mount){0};
                                ok = false;
                        }
                        continue;
                }
                const char *s = yexpect_text(c, item, k);
                if (s && mount_parse(s, mt) < 0) {
                        yerror(c, item, "%s: expected " MOUNT_WHAT ", got \"%s\"", k, s);
                        s = NULL;
                }
                if (!s) {
                        ok = false;
                        continue;
                }
                mt->pos = ypos(item);
                ct->n_mounts++;
        }
        return ok;
}

bool parse_expose(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct) {
        if (n->type == YAML_SEQUENCE_NODE) { /* compose's form: a list of ports */
                yerror(c, n,
                       "%s: expected a mapping NAME: PORT naming the ports other apps refer to "
                       "(${app:APP.ports.NAME}); "
                       "compose's list of ports is not needed: the containers of the network \"archipelago\" reach "
                       "each other on every port",
                       key);
                return false;
        }
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        if (!(ct->expose = calloc_items(ymapping_len(n), sizeof(*ct->expose))))
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *kn = ynode(c, pair->key), *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX], shown[96];
                ykeyf(k, sizeof(k), "%s.%.64s", key, name);
                if (!name_valid(name)) {
                        yerror(c, kn, "%s: expected a port name matching [a-z][a-z0-9-]{0,47}, got \"%s\"", key,
                               value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                        ok = false;
                        continue;
                }
                const char *s = yexpect_text(c, v, k);
                unsigned long long port = 0;
                if (s && (parse_unsigned(s, 65535, &port) < 0 || port == 0)) {
                        yerror(c, v, "%s: expected a port from 1 to 65535 inside the container, got \"%s\"", k,
                               value_for_message(s, v->data.scalar.length, shown, sizeof(shown)));
                        s = NULL;
                }
                if (!s) {
                        ok = false;
                        continue;
                }
                ct->expose[ct->n_expose++] = (struct exposed_port){name, (unsigned)port, ypos(v)};
        }
        return ok;
}
