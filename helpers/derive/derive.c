/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "derive.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "bitcoin-conf-syntax.h"
#include "fileio.h"
#include "log.h"
#include "managed-block.h"
#include "message-ids.h"
#include "naming.h"
#include "owner-map.h"
#include "reach.h"
#include "config-render.h"
#include "rpcauth.h"
#include "secrets.h"
#include "strv.h"
#include "values.h"

#define DERIVED_FILE_MAX ((size_t)1024 * 1024)

struct ctx {
        const struct manifest *m;
        const struct derive_opts *o;
        struct derive_outcome *out;
        struct secret_set secrets; /* read once per run */
        int secrets_fd;
        const struct app *app;
        size_t index;
        const char *error;   /* why the current entry could not be derived */
        bool would_generate; /* --check: a secret is missing that a real run generates */
};

struct current {
        char *text; /* NULL when missing or not a regular file */
        size_t len;
        bool exists, symlink;
        const char *nul; /* the first NUL byte of text, NULL when there is none */
        struct stat st;
        /* bitcoin-conf: the first line bitcoind refuses (its NUL bytes left out), 0 when none */
        size_t refused;
        char refused_head[64 * 4 + 4];
        enum btc_conf_line refused_why;
        char rejected_name[NAME_MAX + 1]; /* where the file as it was goes */
};

/* Never follows a symlink: archy-derive runs as root, and a link could point it anywhere. dirfd -1:
 * the directory does not exist, nor the file. */
static int read_current(int dirfd, const char *name, struct current *c) {
        *c = (struct current){0};
        _cleanup_close_ int fd = dirfd < 0 ? -1 : openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                if (dirfd < 0 || errno == ENOENT)
                        return 0;
                if (errno == ELOOP) {
                        c->symlink = true;
                        return 0;
                }
                return -errno;
        }
        if (fstat(fd, &c->st) < 0)
                return -errno;
        if (!S_ISREG(c->st.st_mode))
                return S_ISDIR(c->st.st_mode) ? -EISDIR : -EINVAL;
        c->exists = true;
        int r = read_file_fd(fd, DERIVED_FILE_MAX, &c->text, &c->len);
        if (r >= 0)
                c->nul = memchr(c->text, '\0', c->len);
        return r;
}

/* Created on the first secret that must be generated: its parents 0755, itself 0700. */
static int open_secrets_dir(struct ctx *x) {
        if (x->secrets_fd >= 0)
                return 0;
        _cleanup_free_ char *parent = strdup(x->o->secrets_dir);
        if (!parent)
                return -ENOMEM;
        int r = mkdir_p(dirname(parent), 0755);
        if (r >= 0 && mkdir(x->o->secrets_dir, 0700) < 0 && errno != EEXIST)
                r = -errno;
        if (r >= 0 && (x->secrets_fd = open(x->o->secrets_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = -errno;
        if (r < 0)
                log_error_errno(r, "cannot create the secrets directory %s: %m", x->o->secrets_dir);
        return r;
}

static bool secret_alnum(const char *s) {
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

static int load_secret(const char *name, void *userdata) {
        struct ctx *x = userdata;
        if (secret_lookup(&x->secrets, name))
                return 0;
        const struct secret_decl *decl = manifest_find_secret(x->m, name);
        const char *why = NULL;
        char *value = NULL;
        int r = x->secrets_fd < 0 ? -ENOENT : secret_read(x->secrets_fd, name, &value, &why);
        if (r == -ENOENT && decl && decl->generate && !x->o->check_only && open_secrets_dir(x) >= 0) {
                r = secret_generate(x->secrets_fd, name, &value);
                if (r >= 0)
                        log_struct(LOG_LVL_NOTICE, ARCHY_MID_DERIVE_SECRET_CREATED, x->app->name,
                                   "secret %s did not exist: generated a new one (secrets.%s.generate)", name, name);
        }
        if (r == -ENOENT && decl && decl->generate && x->o->check_only) {
                x->would_generate = true;
                x->error = "a secret it needs is missing; a run without --check generates it";
                return -ENOENT;
        }
        if (r < 0) {
                static char msg[200];
                if (r == -ENOENT)
                        snprintf(msg, sizeof(msg), "secret %s is missing%s", name,
                                 decl && decl->generate ? " (it will be generated)"
                                                        : " and the manifest does not ask to generate it");
                else
                        snprintf(msg, sizeof(msg), "secret %s is unusable: %s", name, why ? why : strerror(-r));
                x->error = msg;
                return -ENOENT;
        }
        if (decl && decl->chars == SECRET_CHARS_ALNUM && !secret_alnum(value)) {
                static char msg[200];
                snprintf(msg, sizeof(msg),
                         "secret %s holds a character outside [A-Za-z0-9], which secrets.%s.chars: alnum requires",
                         name, name);
                free(value);
                x->error = msg;
                return -ENOENT;
        }
        struct secret_value *grown = realloc(x->secrets.items, (x->secrets.n + 1) * sizeof(*grown));
        if (!grown) {
                free(value);
                return -ENOMEM;
        }
        x->secrets.items = grown;
        grown[x->secrets.n++] = (struct secret_value){strdup(name), value};
        return grown[x->secrets.n - 1].name ? 0 : -ENOMEM;
}

/* The counters are informational: an allocation failure loses a count, never a repair. */
static void note_drift(struct ctx *x, const struct derived *d) {
        x->out->drifted++;
        struct derive_drift *grown = realloc(x->out->drift, (x->out->n_drift + 1) * sizeof *grown);
        if (!grown)
                return;
        x->out->drift = grown;
        grown[x->out->n_drift++] = (struct derive_drift){.app = x->app->name, .path = d->path};
}

static void entry_key(const struct ctx *x, char *buf, size_t size) {
        snprintf(buf, size, "apps.%s.derived[%zu]", x->app->name, x->index);
}

static int add_unit(struct ctx *x, const char *unit) {
        _cleanup_free_ char *name = NULL;
        if (naming_service(unit, &name) < 0)
                return -ENOMEM;
        return strv_add_unique(&x->out->restart, &x->out->n_restart, name);
}

static int add_parts(struct ctx *x, char *const *parts, size_t n_parts) {
        for (size_t i = 0; i < n_parts; i++) {
                int r = 0;
                bool found = false;
                for (size_t c = 0; c < x->app->n_containers && r >= 0; c++)
                        if (strcmp(x->app->containers[c].part, parts[i]) == 0) {
                                r = add_unit(x, x->app->containers[c].unit);
                                found = true;
                        }
                if (r < 0)
                        return r;
                if (!found)
                        log_warning("apps.%s.derived[%zu].consumers: no container part \"%s\" in app %s: ignored",
                                    x->app->name, x->index, parts[i], x->app->name);
        }
        return 0;
}

/* Who reads the file: the consumers the manifest names, else the app's main container, and for an
 * env file every container of any installed app that lists it in env_files. */
static int add_consumers(struct ctx *x, const struct derived *d) {
        static char *const main_part[] = {(char *)ARCHY_MAIN_PART};
        if (d->consumers)
                return add_parts(x, d->consumers, d->n_consumers);
        if (d->kind == DERIVED_BITCOIN_CONF || d->kind == DERIVED_LND_CONF || d->kind == DERIVED_FILE ||
            d->kind == DERIVED_SECRET_FILE)
                return add_parts(x, main_part, 1);
        if (d->kind != DERIVED_ENV)
                return 0;
        for (size_t a = 0; a < x->m->n_apps; a++) {
                const struct app *app = &x->m->apps[a];
                for (size_t c = 0; app->state != APP_STATE_UNINSTALLED && c < app->n_containers; c++)
                        for (size_t e = 0; e < app->containers[c].n_env_files; e++)
                                if (strcmp(app->containers[c].env_files[e], d->path) == 0) {
                                        int r = add_unit(x, app->containers[c].unit);
                                        if (r < 0)
                                                return r;
                                }
        }
        return 0;
}

static int remember_nginx(struct ctx *x, const char *path, const struct beneath *where, const struct current *cur) {
        struct changed_file *grown = realloc(x->out->nginx, (x->out->n_nginx + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        x->out->nginx = grown;
        struct changed_file *f = &grown[x->out->n_nginx++];
        *f = (struct changed_file){.path = strdup(path),
                                   .name = strdup(where->name),
                                   .dirfd = fcntl(where->dirfd, F_DUPFD_CLOEXEC, 3),
                                   .old_len = cur->len,
                                   .old_mode = cur->st.st_mode & 07777,
                                   .old_uid = cur->st.st_uid,
                                   .old_gid = cur->st.st_gid};
        if (f->dirfd < 0)
                return -errno;
        if (cur->text && (f->old = malloc(cur->len + 1)))
                memcpy(f->old, cur->text, cur->len + 1);
        return f->path && f->name && (f->old || !cur->text) ? 0 : -ENOMEM;
}

struct wanted {
        char *text; /* NULL: the file must not exist (an uninstalled app's) */
        size_t len;
        unsigned mode, uid, gid;
};

static bool shares_file_with_user(enum derived_kind kind) {
        return kind == DERIVED_BITCOIN_CONF || kind == DERIVED_LND_CONF;
}

static const char *nul_reason(const struct ctx *x, const struct derived *d, const struct current *cur, char *buf,
                              size_t size) {
        bool shared = shares_file_with_user(d->kind);
        snprintf(buf, size, "it holds NUL bytes, the first at offset %zu; every other byte is kept%s%s%s",
                 (size_t)(cur->nul - cur->text),
                 !shared            ? ""
                 : x->o->check_only ? ", and the file as it is would be kept as "
                                    : ", and the file as it was is kept as ",
                 shared ? strrchr(d->path, '/') + 1 : "", shared ? DAMAGED_SUFFIX : "");
        return buf;
}

/* What differs, for the log; NULL when the file is as it should be. */
static const char *drift_reason(const struct ctx *x, const struct derived *d, const struct current *cur,
                                const struct wanted *w, char *buf, size_t size) {
        if (!w->text)
                return cur->exists ? "the app is uninstalled: the file is archy-derive's, it is removed" : NULL;
        if (cur->symlink)
                return "it is a symbolic link";
        if (!cur->exists)
                return "it does not exist";
        bool differs = cur->len != w->len || memcmp(cur->text, w->text, w->len) != 0;
        if (differs && x->app->state == APP_STATE_UNINSTALLED)
                return "the app is uninstalled: archy-derive's block is removed, the user's lines are kept";
        if (cur->refused) {
                snprintf(buf, size,
                         "line %zu is one bitcoind refuses (%s); such lines are left out, and the file as it %s %s",
                         cur->refused, btc_conf_reason(cur->refused_why),
                         x->o->check_only ? "is would be kept as" : "was is kept as", cur->rejected_name);
                return buf;
        }
        if (cur->nul)
                return nul_reason(x, d, cur, buf, size);
        if (differs)
                return "its content differs from what the manifest and the secrets give";
        if ((cur->st.st_mode & 07777) != w->mode || cur->st.st_uid != w->uid || cur->st.st_gid != w->gid) {
                snprintf(buf, size, "owner %u:%u mode %04o, want %u:%u %04o", (unsigned)cur->st.st_uid,
                         (unsigned)cur->st.st_gid, (unsigned)(cur->st.st_mode & 07777), w->uid, w->gid, w->mode);
                return buf;
        }
        return NULL;
}

static int fix_metadata(const struct beneath *where, const struct wanted *w) {
        _cleanup_close_ int fd = openat(where->dirfd, where->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 || fchown(fd, w->uid, w->gid) < 0 || fchmod(fd, w->mode) < 0)
                return -errno;
        return 0;
}

/* The damaged file as it was, next to it, with its owner and mode: NUL bytes may stand where user
 * lines were, and only the user can tell. */
static int keep_damaged_copy(const struct beneath *where, const struct current *cur) {
        char name[NAME_MAX + 1];
        if (snprintf(name, sizeof(name), "%s" DAMAGED_SUFFIX, where->name) >= (int)sizeof(name))
                return -ENAMETOOLONG;
        return write_file_atomic_owned_at(where->dirfd, name, cur->text, cur->len, cur->st.st_mode & 07777,
                                          cur->st.st_uid, cur->st.st_gid);
}

/* The file as it was, owner-only (it may hold an rpcpassword), once: the rewrite leaves no refused line. */
static int keep_rejected_copy(const struct beneath *where, const struct current *cur) {
        return write_file_atomic_owned_at(where->dirfd, cur->rejected_name, cur->text, cur->len, 0600, cur->st.st_uid,
                                          cur->st.st_gid);
}

static int remove_file(struct ctx *x, const struct derived *d, const char *path, const struct beneath *where,
                       const struct current *cur) {
        int r = d->kind == DERIVED_NGINX_ROUTE ? remember_nginx(x, path, where, cur) : 0;
        if (r >= 0 && unlinkat(where->dirfd, where->name, 0) < 0 && errno != ENOENT)
                r = -errno;
        if (r >= 0 && fsync(where->dirfd) < 0)
                r = -errno;
        return r;
}

static int repair(struct ctx *x, const struct derived *d, const char *path, struct beneath *where,
                  const struct current *cur, const struct wanted *w) {
        if (!w->text)
                return remove_file(x, d, path, where, cur);
        bool content = cur->symlink || !cur->exists || cur->len != w->len || memcmp(cur->text, w->text, w->len) != 0;
        if (!content)
                return fix_metadata(where, w);
        int r = where->dirfd >= 0 ? 0 : beneath_open_parent(x->o->root, d->path, true, where);
        if (r >= 0 && cur->nul && shares_file_with_user(d->kind))
                r = keep_damaged_copy(where, cur);
        if (r >= 0 && cur->refused)
                r = keep_rejected_copy(where, cur);
        if (r >= 0 && d->kind == DERIVED_NGINX_ROUTE)
                r = remember_nginx(x, path, where, cur);
        if (r >= 0)
                r = write_file_atomic_owned_at(where->dirfd, where->name, w->text, w->len, w->mode, w->uid, w->gid);
        if (r >= 0 && x->app->state != APP_STATE_UNINSTALLED)
                r = add_consumers(x, d);
        return r;
}

static void wanted_meta(const struct derived *d, struct wanted *w) {
        w->mode = d->mode;
        w->uid = d->uid;
        w->gid = d->gid;
}

/* A fresh salt for each more RPC user of a bitcoin-conf (used only where no line validates), in
 * one allocation: the pointers, then the salts. */
static int new_user_salts(const struct derived_bitcoin_conf *b, char ***ret) {
        *ret = NULL;
        if (b->n_users == 0)
                return 0;
        char **v = calloc(1, b->n_users * (sizeof(char *) + RPCAUTH_SALT_HEX_LEN + 1));
        if (!v)
                return -ENOMEM;
        char *salts = (char *)(v + b->n_users);
        for (size_t i = 0; i < b->n_users; i++) {
                v[i] = salts + i * (RPCAUTH_SALT_HEX_LEN + 1);
                int r = rpcauth_new_salt(v[i]);
                if (r < 0) {
                        free(v);
                        return r;
                }
        }
        *ret = v;
        return 0;
}

/* The manifest's owner is the container's: on a rootless node, the host ids behind it. */
static int wanted_owner(struct ctx *x, const struct derived *d, struct wanted *w) {
        uid_t uid;
        gid_t gid;
        if (derived_host_owner(x->o->node, d->kind, d->uid, d->gid, &uid, &gid) < 0) {
                static char msg[512];
                owner_range_error(x->o->node, x->m->path, d->pos, d->uid, d->gid, msg, sizeof(msg));
                x->error = msg;
                return -ERANGE;
        }
        w->uid = uid;
        w->gid = gid;
        return 0;
}

static int wanted_for(struct ctx *x, const struct derived *d, const struct current *cur, struct wanted *w) {
        wanted_meta(d, w);
        int r = wanted_owner(x, d, w);
        if (r < 0)
                return r;
        /* Only bitcoin-conf takes a salt, and the timer runs this every 30 s: no getrandom() for the rest. */
        char salt[RPCAUTH_SALT_HEX_LEN + 1] = "", missing[SECRET_NAME_BUF] = "";
        r = d->kind == DERIVED_BITCOIN_CONF ? rpcauth_new_salt(salt) : 0;
        if (r < 0)
                return r;
        _cleanup_free_ char **user_salts = NULL;
        if (d->kind == DERIVED_BITCOIN_CONF && (r = new_user_salts(&d->bitcoin_conf, &user_salts)) < 0)
                return r;
        struct render_input in = {
                .d = d,
                .app = x->app->name,
                .secrets = &x->secrets,
                .current = cur->text,
                .current_len = cur->len,
                .new_salt = salt,
                .chain = x->m->chain,
                .m = x->m,
                .user_salts = (const char *const *)user_salts,
        };
        r = derived_render(&in, &w->text, missing);
        if (r == -EINVAL)
                x->error = "a secret it needs is missing";
        w->len = w->text ? strlen(w->text) : 0; /* derived_render() never puts a NUL byte in it */
        return r;
}

/* Another app that is not uninstalled derives the file too, or lists it in env_files. */
static bool used_by_other_app(const struct ctx *x, const char *path) {
        for (size_t a = 0; a < x->m->n_apps; a++) {
                const struct app *app = &x->m->apps[a];
                if (app == x->app || app->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t i = 0; i < app->n_derived; i++)
                        if (app->derived[i].path && strcmp(app->derived[i].path, path) == 0)
                                return true;
                for (size_t c = 0; c < app->n_containers; c++)
                        for (size_t e = 0; e < app->containers[c].n_env_files; e++)
                                if (strcmp(app->containers[c].env_files[e], path) == 0)
                                        return true;
        }
        return false;
}

/* A file or secret-file has no header to say it is archy-derive's: it is when it holds exactly
 * what the entry gives. 0: remove it; 1: leave it. */
static int uninstalled_whole_file(struct ctx *x, const struct derived *d, const struct current *cur) {
        char missing[SECRET_NAME_BUF] = "";
        _cleanup_free_ char *text = NULL;
        struct render_input in = {.d = d, .app = x->app->name, .secrets = &x->secrets, .m = x->m};
        bool ours = derived_for_each_secret(d, load_secret, x) >= 0 && derived_render(&in, &text, missing) >= 0 &&
                    cur->text && strlen(text) == cur->len && memcmp(text, cur->text, cur->len) == 0;
        x->would_generate = false;
        if (text)
                explicit_bzero(text, strlen(text));
        if (ours)
                return 0;
        log_notice("apps.%s.derived[%zu]: %s: the app is uninstalled, but the file does not hold what "
                   "archy-derive writes for it: left alone",
                   x->app->name, x->index, d->path);
        return 1;
}

/* An uninstalled app: what archy-derive wrote for it goes, the user's lines stay. w->text NULL:
 * remove the file; 1: leave the file alone. */
static int wanted_uninstalled(struct ctx *x, const struct derived *d, const struct current *cur, struct wanted *w) {
        if (d->kind == DERIVED_CONTAINERS_CONF || used_by_other_app(x, d->path) || !cur->exists)
                return 1; /* containers-conf is the node's, not the app's: kept */
        if (d->kind == DERIVED_FILE || d->kind == DERIVED_SECRET_FILE)
                return uninstalled_whole_file(x, d, cur);
        if (!shares_file_with_user(d->kind)) {
                if (derived_written_by_archy(cur->text, cur->len, x->app->name))
                        return 0;
                log_notice("apps.%s.derived[%zu]: %s: the app is uninstalled, but the file does not start with "
                           "archy-derive's header for it: left alone",
                           x->app->name, x->index, d->path);
                return 1;
        }
        wanted_meta(d, w);
        struct render_input in = {
                .d = d, .app = x->app->name, .current = cur->text, .current_len = cur->len, .chain = x->m->chain};
        int r = derived_render_uninstalled(&in, &w->text, &w->len);
        if (r < 0)
                return r;
        /* Nothing of the user's in it: the file was archy-derive's alone, it goes. */
        if (w->len == 0 && cur->len > 0) {
                free(w->text);
                w->text = NULL;
                return 0;
        }
        /* Content only: the owner and mode are the user's again. */
        w->mode = cur->st.st_mode & 07777;
        w->uid = cur->st.st_uid;
        w->gid = cur->st.st_gid;
        return 0;
}

/* The directory that holds the file, and the file, read without following any symbolic link. */
static int open_entry(const struct ctx *x, const struct derived *d, const char *key, struct beneath *where,
                      struct current *cur) {
        *cur = (struct current){0};
        int r = beneath_open_parent(x->o->root, d->path, false, where);
        if (r == -ELOOP || r == -ENOTDIR) {
                log_error("%s: %s: %.*s is %s: left alone, nothing is written through it", key, d->path,
                          (int)where->bad_len, d->path, r == -ELOOP ? "a symbolic link" : "not a directory");
                return r;
        }
        if (r >= 0)
                r = read_current(where->dirfd, where->name, cur);
        if (r < 0)
                log_error("%s: %s: %s: left alone", key, d->path,
                          r == -EISDIR   ? "is a directory"
                          : r == -EINVAL ? "is not a regular file"
                                         : strerror(-r));
        return r;
}

/* bitcoind exits at start on a line it refuses (docs/contracts/bitcoin.md): the render leaves
 * such lines out; here the first is found for the log and the name of the copy is chosen. */
static int find_refused(const struct ctx *x, const struct derived *d, struct current *cur) {
        if (d->kind != DERIVED_BITCOIN_CONF || x->app->state == APP_STATE_UNINSTALLED || !cur->text)
                return 0;
        size_t len, start, line_len;
        _cleanup_free_ char *text = text_without_nul(cur->text, cur->len, &len);
        if (!text)
                return -ENOMEM;
        cur->refused = btc_conf_first_refused(text, len, &start, &line_len, &cur->refused_why);
        if (!cur->refused)
                return 0;
        btc_conf_escape_head(text + start, line_len, 64, cur->refused_head, sizeof(cur->refused_head));
        struct tm tm;
        time_t now = time(NULL);
        char stamp[32];
        if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                return -EOVERFLOW;
        const char *base = strrchr(d->path, '/') + 1;
        if (snprintf(cur->rejected_name, sizeof(cur->rejected_name), "%s" REJECTED_SUFFIX "%s", base, stamp) >=
            (int)sizeof(cur->rejected_name))
                return -ENAMETOOLONG;
        return 0;
}

/* 0, or 1 when there is nothing to do (in sync); logs its own errors. */
static int wanted_entry(struct ctx *x, const struct derived *d, const char *key, const struct current *cur,
                        struct wanted *w) {
        if (x->app->state == APP_STATE_UNINSTALLED) {
                int r = wanted_uninstalled(x, d, cur, w);
                if (r < 0)
                        log_error("%s: %s: not cleaned: %s", key, d->path, strerror(-r));
                return r;
        }
        int r = derived_for_each_secret(d, load_secret, x);
        if (r >= 0)
                r = wanted_for(x, d, cur, w);
        if (r < 0 && x->would_generate) {
                note_drift(x, d);
                log_notice("%s: %s: drift: %s", key, d->path, x->error);
                return 1;
        }
        if (r < 0)
                log_struct(LOG_LVL_ERR, ARCHY_MID_DERIVE_REFUSED, x->app->name,
                           "%s: %s: not derived, the file is left as it is: %s", key, d->path,
                           x->error ? x->error : strerror(-r));
        return r;
}

static void derive_entry(struct ctx *x, const struct derived *d) {
        char key[128], path[4352], buf[640];
        entry_key(x, key, sizeof(key));
        snprintf(path, sizeof(path), "%s%s", x->o->root, d->path);
        x->out->entries++;
        x->error = NULL;
        x->would_generate = false;
        struct beneath where;
        struct current cur;
        struct wanted w = {0};
        int r = open_entry(x, d, key, &where, &cur);
        if (r >= 0 && (r = find_refused(x, d, &cur)) < 0)
                log_error("%s: %s: not derived: %s", key, d->path, strerror(-r));
        if (r >= 0)
                r = wanted_entry(x, d, key, &cur, &w);
        if (r < 0)
                goto fail;
        const char *reason = r > 0 ? NULL : drift_reason(x, d, &cur, &w, buf, sizeof(buf));
        if (!reason) {
                x->out->in_sync += !x->would_generate;
                goto done;
        }
        note_drift(x, d);
        if (cur.refused)
                log_warning("%s: %s: line %zu is refused by bitcoind, which would not start: \"%s\"", key, d->path,
                            cur.refused, cur.refused_head);
        if (x->o->check_only) {
                log_notice("%s: %s: drift: %s", key, d->path, reason);
                goto done;
        }
        r = repair(x, d, path, &where, &cur, &w);
        if (r < 0) {
                log_struct(LOG_LVL_ERR, log_no_space_id(r) ?: ARCHY_MID_DERIVE_REPAIR_FAILED, x->app->name,
                           "%s: %s: drift (%s), and the repair failed: %s", key, d->path, reason, strerror(-r));
                goto fail;
        }
        log_struct(LOG_LVL_NOTICE, ARCHY_MID_DERIVE_DRIFT_REPAIRED, x->app->name, "%s: %s: repaired: %s", key, d->path,
                   reason);
        /* Rootless: the apps user's podman opens the file (crun too, for a mount of it) as the user. */
        if (w.text && x->o->node && x->o->node->mode == NODE_ROOTLESS && derived_kind_read_by_apps(d->kind))
                reach_warn(x->o->root, d->path, x->o->node, d->kind == DERIVED_ENV);
        x->out->repaired++;
        if (x->out->n_drift > 0 && x->out->drift[x->out->n_drift - 1].path == d->path)
                x->out->drift[x->out->n_drift - 1].repaired = true;
        goto done;
fail:
        x->out->errors++;
done:
        if (where.dirfd >= 0)
                close(where.dirfd);
        free(cur.text);
        free(w.text);
}

int derive_all(const struct manifest *m, const struct derive_opts *o, struct derive_outcome *out) {
        *out = (struct derive_outcome){0};
        struct ctx x = {.m = m, .o = o, .out = out};
        x.secrets_fd = open(o->secrets_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (size_t a = 0; m && a < m->n_apps; a++) {
                x.app = &m->apps[a];
                if (x.app->skip || (o->only_app && strcmp(o->only_app, x.app->name) != 0))
                        continue;
                for (x.index = 0; x.index < x.app->n_derived; x.index++)
                        derive_entry(&x, &x.app->derived[x.index]);
        }
        for (size_t i = 0; i < x.secrets.n; i++) {
                free((char *)x.secrets.items[i].name);
                /* secrets do not linger in freed memory */
                explicit_bzero((char *)x.secrets.items[i].value, strlen(x.secrets.items[i].value));
                free((char *)x.secrets.items[i].value);
        }
        free(x.secrets.items);
        if (x.secrets_fd >= 0)
                close(x.secrets_fd);
        return out->errors > 0 ? -EIO : 0;
}

void derive_outcome_free(struct derive_outcome *out) {
        free(out->drift);
        for (size_t i = 0; i < out->n_restart; i++)
                free(out->restart[i]);
        free(out->restart);
        for (size_t i = 0; i < out->n_nginx; i++) {
                free(out->nginx[i].path);
                free(out->nginx[i].name);
                free(out->nginx[i].old);
                if (out->nginx[i].dirfd >= 0)
                        close(out->nginx[i].dirfd);
        }
        free(out->nginx);
        *out = (struct derive_outcome){0};
}

int derive_restore(const struct changed_file *f) {
        if (!f->old)
                return unlinkat(f->dirfd, f->name, 0) < 0 && errno != ENOENT ? -errno : 0;
        return write_file_atomic_owned_at(f->dirfd, f->name, f->old, f->old_len, f->old_mode, f->old_uid, f->old_gid);
}
