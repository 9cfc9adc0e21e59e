/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive: re-derives the configs that depend on canonical secrets and repairs drift (FM2).
 * A run with nothing to do reads, compares and exits: no process, no D-Bus. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind-source.h"
#include "bind-sources.h"
#include "bus.h"
#include "derive-state.h"
#include "derive.h"
#include "drift-state.h"
#include "manifest-source.h"
#include "log.h"
#include "nginx.h"
#include "node-user.h"
#include "stale-dropin.h"
#include "values.h"

enum { EXIT_PROBLEMS = 1, EXIT_USAGE = 2, EXIT_DRIFT = 3 };

struct options {
        bool check, explicit_manifest;
        const char *app, *root, *manifest, *secrets;
        const char *bind_source, *owner, *mode; /* --bind-source mode */
};

static const char *env_or(const char *name, const char *fallback) {
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

static void help(void) {
        printf("Usage: archy-derive [--check] [--app NAME] [--root DIR] [--manifest FILE] [--secrets-dir DIR]\n"
               "\n"
               "Re-derive every config file the manifest declares (derived:) from the canonical secrets,\n"
               "rewrite only the files that drifted, then try-restart the running units that read them.\n"
               "For an uninstalled app, remove what it derived, keeping the user's lines (archy-derive(8)).\n"
               "A root service (archy-derive.service) on a rootless node too: there the manifest's owners are\n"
               "mapped into the apps user's namespace, bind sources with create: are made, the consumers are\n"
               "the apps user's units, and archy's old containers.conf drop-in is removed (ROOTLESS NODE).\n"
               "\n"
               "  --check            report drift, change nothing (exit 3 when there is drift)\n"
               "  --app NAME         only this app's derived files\n"
               "  --root DIR         act on the tree under DIR (manifest, secrets and files); restart nothing\n"
               "  --manifest FILE    default $ARCHY_MANIFEST or /etc/archipelago/manifest.yaml; that one falls\n"
               "                     back to $ARCHY_LAST_GOOD or " ARCHY_MANIFEST_LAST_GOOD_PATH "\n"
               "                     (under --root too) when unusable\n"
               "  --secrets-dir DIR  default $ARCHY_SECRETS_DIR or /var/lib/archipelago/secrets\n"
               "  -h, --help         this text      --version  the version\n"
               "\n"
               "       archy-derive --bind-source PATH --owner UID:GID --mode MODE [--root DIR]\n"
               "\n"
               "Create the host directory PATH with that owner and mode when it is missing (a rootful\n"
               "container's ExecStartPre= for a volume with create:); an existing one is left as it is.\n"
               "\n"
               "Exit status: 0 in sync or repaired, 1 problems (see the log), 2 usage, 3 drift (--check).\n"
               "See archy-derive(8).\n");
}

static int parse_args(int argc, char **argv, struct options *o) {
        static const struct option opts[] = {{"check", no_argument, NULL, 'c'},
                                             {"app", required_argument, NULL, 'a'},
                                             {"root", required_argument, NULL, 'r'},
                                             {"manifest", required_argument, NULL, 'm'},
                                             {"secrets-dir", required_argument, NULL, 's'},
                                             {"bind-source", required_argument, NULL, 'b'},
                                             {"owner", required_argument, NULL, 'o'},
                                             {"mode", required_argument, NULL, 'M'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct options){.root = "",
                              .manifest = env_or("ARCHY_MANIFEST", "/etc/archipelago/manifest.yaml"),
                              .secrets = env_or("ARCHY_SECRETS_DIR", "/var/lib/archipelago/secrets")};
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': o->check = true; break;
                case 'a': o->app = optarg; break;
                case 'r': o->root = optarg; break;
                case 'm':
                        o->manifest = optarg;
                        o->explicit_manifest = true;
                        break;
                case 's': o->secrets = optarg; break;
                case 'b': o->bind_source = optarg; break;
                case 'o': o->owner = optarg; break;
                case 'M': o->mode = optarg; break;
                case 'h': help(); return 0;
                case 'V': puts("archy-derive " ARCHY_VERSION); return 0;
                default: return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "archy-derive: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return -EINVAL;
        }
        if (o->manifest[0] != '/' || o->secrets[0] != '/') {
                fprintf(stderr, "archy-derive: --manifest and --secrets-dir take absolute paths\n");
                return -EINVAL;
        }
        if (!o->bind_source != (!o->owner && !o->mode) || (o->bind_source && (!o->owner || !o->mode))) {
                fprintf(stderr, "archy-derive: --bind-source, --owner and --mode go together (see --help)\n");
                return -EINVAL;
        }
        if (o->app && !name_valid(o->app)) {
                fprintf(stderr, "archy-derive: --app: expected an app name, got \"%s\"\n", o->app);
                return -EINVAL;
        }
        return 1;
}

/* A route that breaks nginx's configuration is taken back: the old routes keep serving. */
static int apply_nginx(const struct derive_outcome *out, bool restart) {
        if (out->n_nginx == 0)
                return 0;
        int r = nginx_config_test();
        if (r == -ENOENT) {
                log_warning("nginx is not installed: %zu route(s) written, nothing to reload", out->n_nginx);
                return 0;
        }
        if (r != 0) {
                if (r < 0)
                        log_error_errno(r, "cannot run nginx -t (%m): putting the old route(s) back");
                else
                        log_error(
                                "nginx -t rejects the configuration with the new route(s): putting the old ones back");
                for (size_t i = 0; i < out->n_nginx; i++)
                        (void)derive_restore(&out->nginx[i]);
                return -EINVAL;
        }
        return restart ? bus_reload("nginx.service") : 0;
}

/* The installed manifest falls back to its last good copy, as for archy-generator; a manifest
 * named on the command line is what the caller wants checked, so it never does. */
static int load(const struct options *o, const char *manifest, const char *last_good, struct manifest **ret) {
        if (!o->explicit_manifest)
                return load_manifest_with_fallback(manifest, last_good, ret);
        int r = load_manifest_logged(manifest, ret);
        if (r == -ENOENT)
                return log_error_errno(r, "%s: no such file", manifest);
        if (r < 0)
                log_error("%s is unusable: nothing derived (--manifest has no fallback to the last good copy)",
                          manifest);
        return r;
}

static int bind_source(const struct options *o) {
        unsigned uid, gid, mode;
        if (owner_parse(o->owner, &uid, &gid) < 0 || mode_parse(o->mode, &mode) < 0) {
                fprintf(stderr,
                        "archy-derive: --owner takes UID:GID in numbers, --mode an octal mode from 0400 to "
                        "0777, got \"%s\" and \"%s\"\n",
                        o->owner, o->mode);
                return EXIT_USAGE;
        }
        return bind_source_ensure(o->root, o->bind_source, (uid_t)uid, (gid_t)gid, (mode_t)mode) < 0 ? EXIT_PROBLEMS
                                                                                                     : EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        struct options o;
        int r = parse_args(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        log_setup("archy-derive", LOG_TARGET_STDERR);
        if (o.bind_source)
                return bind_source(&o);

        char manifest[4096], last_good[4096], secrets[4096];
        snprintf(manifest, sizeof(manifest), "%s%s", o.root, o.manifest);
        snprintf(last_good, sizeof(last_good), "%s%s", o.root, manifest_last_good_path());
        snprintf(secrets, sizeof(secrets), "%s%s", o.root, o.secrets);
        struct manifest *m = NULL;
        if (load(&o, manifest, last_good, &m) < 0)
                return EXIT_PROBLEMS;
        if (o.app && m && !manifest_find_app(m, o.app)) {
                log_error("--app %s: no such app in %s", o.app, m->path);
                manifest_free(m);
                return EXIT_USAGE;
        }
        struct node_user user = {.mode = NODE_ROOTFUL};
        if (m && node_user_lookup(&m->node, &user) < 0) {
                log_error("%s: the node is rootless and its apps user is unusable: nothing derived", m->path);
                manifest_free(m);
                return EXIT_PROBLEMS;
        }
        /* Rootless: what a rootful node's archy left for root's podman, and what the user cannot make. */
        int node_drift = 0;
        if (m && m->node.mode == NODE_ROOTLESS) {
                int q = o.app ? 0 : stale_dropin_remove(o.root, o.check);
                int b = bind_sources_ensure_all(m, &user, o.root, o.app, o.check);
                node_drift = (q < 0 || b < 0) ? -1 : q + b;
        }
        struct derive_opts dopts = {
                .root = o.root, .secrets_dir = secrets, .check_only = o.check, .only_app = o.app, .node = &user};
        struct derive_outcome out;
        r = derive_all(m, &dopts, &out);
        /* Under --root the host's nginx and systemd are not the tree's: test and restart nothing. */
        bool restart = !o.check && o.root[0] == 0;
        int failed = (restart && apply_nginx(&out, restart) < 0) + (node_drift < 0);
        if (restart)
                failed += bus_try_restart(&user, out.restart, out.n_restart);
        if (out.drifted > 0 || out.errors > 0)
                log_info("%zu derived files: %zu in sync, %zu drifted, %zu repaired, %zu problems", out.entries,
                         out.in_sync, out.drifted, out.repaired, out.errors);
        /* the counters (archyctl metrics) come last: a failure to write them touches no repair */
        if (!o.check) {
                char state[4096];
                snprintf(state, sizeof(state), "%s%s", o.root, env_or("ARCHY_DERIVE_STATE", DERIVE_STATE_PATH));
                (void)drift_state_record(state, m, &out, !o.app);
        }
        bool drifted = out.drifted > 0 || node_drift > 0;
        derive_outcome_free(&out);
        manifest_free(m);
        if (r < 0 || failed)
                return EXIT_PROBLEMS;
        return o.check && drifted ? EXIT_DRIFT : EXIT_SUCCESS;
}
