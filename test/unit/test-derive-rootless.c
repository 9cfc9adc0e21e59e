/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive on a rootless node (archy-derive(8) ROOTLESS NODE): the manifest's owners are the
 * container's, mapped through the apps user's namespace for what containers and podman read, kept
 * for what the host reads; an owner outside the ranges is refused by name; bind sources with
 * create: are made with the mapped owner; archy's own containers.conf drop-in goes, nobody else's.
 * Real files under a temporary tmproot; the apps user is a struct (uid 1500, ranges from 524288). */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind-sources.h"
#include "config-render.h"
#include "derive.h"
#include "fileio.h"
#include "log.h"
#include "node-user.h"
#include "owner-map.h"
#include "reach.h"
#include "stale-dropin.h"
#include "testlib.h"
#include "tmproot.h"

#define SECRETS "/var/lib/archipelago/secrets"
#define BTC "/etc/bitcoin/bitcoin.conf"
#define ENV "/run/archipelago/env/wallet.env"
#define NGX "/etc/nginx/archy.d/wallet.conf"
#define HDR(app) "# Written by archy-derive for app " app ". Edit the manifest, not this file.\n"
#define ARCHY_DROPIN HDR("node") "[containers]\nhost_containers_internal_ip = \"10.89.0.1\"\n"

#define USER_UID 1500
#define SUB_START 524288
#define SUB_COUNT 65536

static const struct node_user apps = {
        .mode = NODE_ROOTLESS,
        .name = "archipelago",
        .uid = USER_UID,
        .gid = USER_UID,
        .home = "/var/lib/archy-apps/archipelago",
        .runtime_dir = "/run/user/1500",
        .subuid = {SUB_START, SUB_COUNT},
        .subgid = {SUB_START, SUB_COUNT},
};
static const struct node_user rootful = {.mode = NODE_ROOTFUL, .name = "root"};

static void setup(void) {
        tmproot_make("archy-rootless");
        log_set_max_level(LOG_LVL_ERR - 1); /* expected errors stay out of the test output */
}

static void teardown(void) {
        tmproot_remove();
}

static void assert_owner(const char *path, unsigned mode, unsigned uid, unsigned gid) {
        struct stat st = tmproot_lstat(path);
        ck_assert_uint_eq(st.st_mode & 07777, mode);
        ck_assert_uint_eq(st.st_uid, uid);
        ck_assert_uint_eq(st.st_gid, gid);
}

static struct manifest *load(const char *yaml) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(yaml, &diags);
        if (m)
                manifest_validate(m, &diags);
        char *text = diags_joined(&diags);
        ck_assert_msg(m && diags.n == 0, "manifest problems:\n%s", text ? text : "");
        free(text);
        diag_list_free(&diags);
        return m;
}

static int run(const struct manifest *m, const struct node_user *u, struct derive_outcome *out) {
        char secrets[1024];
        snprintf(secrets, sizeof(secrets), "%s", tmproot_at(SECRETS));
        struct derive_opts o = {.root = tmproot, .secrets_dir = secrets, .node = u};
        return derive_all(m, &o, out);
}

/* A bitcoin.conf with the default owner, an env file, a file owned 1000:1000 and an nginx route. */
static const char wallet[] = "version: 1\n"
                             "node: {mode: rootless}\n"
                             "secrets:\n"
                             "  rpc-pass: {generate: false}\n"
                             "apps:\n"
                             "  wallet:\n"
                             "    containers:\n"
                             "      main: {image: localhost/w:1, env_files: [" ENV "], ports: [\"8081:80\"]}\n"
                             "    derived:\n"
                             "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass}\n"
                             "      - {kind: env, path: " ENV ", vars: {A: b}}\n"
                             "      - {kind: file, path: /etc/wallet/w.toml, content: \"x = 1\\n\", owner: "
                             "\"1000:1000\", mode: \"0640\"}\n"
                             "      - {kind: nginx-route, path: " NGX ", location: /apps/w/, upstream: "
                             "\"127.0.0.1:8081\"}\n";

START_TEST(owners_map_by_kind) {
        static const enum derived_kind mapped[] = {DERIVED_BITCOIN_CONF, DERIVED_LND_CONF, DERIVED_ENV, DERIVED_FILE,
                                                   DERIVED_SECRET_FILE};
        uid_t uid;
        gid_t gid;
        for (size_t i = 0; i < ELEMENTSOF(mapped); i++) {
                ck_assert(derived_kind_read_by_apps(mapped[i]));
                ck_assert_int_eq(derived_host_owner(&apps, mapped[i], 0, 0, &uid, &gid), 0);
                ck_assert_uint_eq(uid, USER_UID); /* 0:0, the default, is the apps user itself */
                ck_assert_uint_eq(gid, USER_UID);
                ck_assert_int_eq(derived_host_owner(&apps, mapped[i], 1000, 1001, &uid, &gid), 0);
                ck_assert_uint_eq(uid, SUB_START + 999);
                ck_assert_uint_eq(gid, SUB_START + 1000);
                ck_assert_int_eq(derived_host_owner(&apps, mapped[i], SUB_COUNT, SUB_COUNT, &uid, &gid), 0);
                ck_assert_uint_eq(uid, SUB_START + SUB_COUNT - 1);
                ck_assert_int_eq(derived_host_owner(&apps, mapped[i], SUB_COUNT + 1, 0, &uid, &gid), -ERANGE);
                ck_assert_int_eq(derived_host_owner(&apps, mapped[i], 0, SUB_COUNT + 1, &uid, &gid), -ERANGE);
                /* rootful, or no node: the manifest's owner as it is */
                ck_assert_int_eq(derived_host_owner(&rootful, mapped[i], 1000, 1001, &uid, &gid), 0);
                ck_assert(uid == 1000 && gid == 1001);
                ck_assert_int_eq(derived_host_owner(NULL, mapped[i], 0, 0, &uid, &gid), 0);
                ck_assert(uid == 0 && gid == 0);
        }
        /* read by the host: nginx its routes, tmproot's podman its drop-in */
        static const enum derived_kind host[] = {DERIVED_NGINX_ROUTE, DERIVED_CONTAINERS_CONF};
        for (size_t i = 0; i < ELEMENTSOF(host); i++) {
                ck_assert(!derived_kind_read_by_apps(host[i]));
                ck_assert_int_eq(derived_host_owner(&apps, host[i], 33, 34, &uid, &gid), 0);
                ck_assert(uid == 33 && gid == 34);
                ck_assert_int_eq(derived_host_owner(&apps, host[i], 70000, 0, &uid, &gid), 0);
                ck_assert(uid == 70000);
        }
}
END_TEST

START_TEST(rootless_files_get_the_mapped_owner_and_a_switch_reowns_them) {
        tmproot_put(SECRETS "/rpc-pass", "s3cret", 0600);
        struct manifest *m = load(wallet);
        struct derive_outcome out;
        /* the node as it was, rootful: everything tmproot's (the file 1000:1000) */
        ck_assert_int_eq(run(m, &rootful, &out), 0);
        ck_assert_uint_eq(out.repaired, 4);
        derive_outcome_free(&out);
        assert_owner(BTC, 0640, 0, 0);
        assert_owner(ENV, 0600, 0, 0);
        assert_owner("/etc/wallet/w.toml", 0640, 1000, 1000);
        struct stat before = tmproot_lstat(BTC);
        /* made rootless: owners only, the content stays (no new salt, nothing restarted) */
        ck_assert_int_eq(run(m, &apps, &out), 0);
        ck_assert_uint_eq(out.drifted, 3);
        ck_assert_uint_eq(out.repaired, 3);
        ck_assert_uint_eq(out.in_sync, 1);
        derive_outcome_free(&out);
        assert_owner(BTC, 0640, USER_UID, USER_UID);
        assert_owner(ENV, 0600, USER_UID, USER_UID);
        assert_owner("/etc/wallet/w.toml", 0640, SUB_START + 999, SUB_START + 999);
        assert_owner(NGX, 0644, 0, 0); /* the host's nginx reads it */
        ck_assert_uint_eq(tmproot_lstat(BTC).st_ino, before.st_ino);
        /* in sync the second time */
        ck_assert_int_eq(run(m, &apps, &out), 0);
        ck_assert_uint_eq(out.in_sync, 4);
        ck_assert_uint_eq(out.drifted, 0);
        derive_outcome_free(&out);
        /* an owner changed by hand is drift, repaired to the mapped one */
        ck_assert_int_eq(chown(tmproot_at(ENV), 0, 0), 0);
        ck_assert_int_eq(run(m, &apps, &out), 0);
        ck_assert_uint_eq(out.repaired, 1);
        derive_outcome_free(&out);
        assert_owner(ENV, 0600, USER_UID, USER_UID);
        /* and back to rootful: tmproot's again */
        ck_assert_int_eq(run(m, &rootful, &out), 0);
        ck_assert_uint_eq(out.repaired, 3);
        derive_outcome_free(&out);
        assert_owner(ENV, 0600, 0, 0);
        manifest_free(m);
}
END_TEST

START_TEST(an_owner_outside_the_ranges_is_refused_by_name) {
        struct manifest *m = load("version: 1\n"
                                  "node: {mode: rootless}\n"
                                  "apps:\n"
                                  "  wallet:\n"
                                  "    containers:\n"
                                  "      main: {image: localhost/w:1}\n"
                                  "    derived:\n"
                                  "      - {kind: file, path: /etc/wallet/w.toml, content: \"x\", owner: \"70000:0\"}\n"
                                  "      - {kind: env, path: " ENV ", vars: {A: b}}\n");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, &apps, &out), -EIO);
        ck_assert_uint_eq(out.errors, 1);
        ck_assert_uint_eq(out.repaired, 1); /* the env file is derived all the same */
        derive_outcome_free(&out);
        ck_assert(!tmproot_present("/etc/wallet/w.toml"));
        char msg[512];
        owner_range_error(&apps, m->path, m->apps[0].derived[0].pos, 70000, 0, msg, sizeof(msg));
        ck_assert_str_eq(msg, "owner 70000:0 (test.yaml line 8) is outside the ids the rootless apps user archipelago "
                              "maps: uids 0 to 65536 (0 is archipelago itself, 1 to 65536 its subordinate uids 524288 "
                              "to 589823) and gids 0 to 65536 (subordinate gids 524288 to 589823); expected an owner "
                              "within them");
        /* rootful: the same owner is fine */
        ck_assert_int_eq(run(m, &rootful, &out), 0);
        derive_outcome_free(&out);
        assert_owner("/etc/wallet/w.toml", 0600, 70000, 0);
        manifest_free(m);
}
END_TEST

START_TEST(the_env_directory_lets_the_apps_user_through) {
        tmproot_put(SECRETS "/rpc-pass", "s3cret", 0600);
        struct manifest *m = load(wallet);
        struct derive_outcome out;
        mode_t old = umask(077); /* a tmproot shell's strict umask must not lock the user out */
        ck_assert_int_eq(run(m, &apps, &out), 0);
        umask(old);
        derive_outcome_free(&out);
        assert_owner(ENV, 0600, USER_UID, USER_UID);
        struct stat st = tmproot_lstat("/run/archipelago/env"), up = tmproot_lstat("/run/archipelago");
        ck_assert_uint_eq(st.st_mode & 07777, 0755);
        ck_assert_uint_eq(up.st_mode & 07777, 0755);
        ck_assert(reach_allows(&st, USER_UID, USER_UID, X_OK) && reach_allows(&up, USER_UID, USER_UID, X_OK));
        ck_assert(
                reach_allows(&(struct stat){.st_mode = S_IFREG | 0600, .st_uid = USER_UID}, USER_UID, USER_UID, R_OK));
        manifest_free(m);
        /* the rule itself: owner, then group, then others */
        struct stat d = {.st_mode = S_IFDIR | 0750, .st_uid = 0, .st_gid = USER_UID};
        ck_assert(reach_allows(&d, USER_UID, USER_UID, X_OK));
        ck_assert(!reach_allows(&d, USER_UID, 7, X_OK));
        d.st_mode = S_IFDIR | 0701;
        ck_assert(!reach_allows(&d, USER_UID, USER_UID, X_OK)); /* the group's bits apply, not others' */
        d.st_uid = USER_UID;
        d.st_mode = S_IFDIR | 0055;
        ck_assert(!reach_allows(&d, USER_UID, USER_UID, X_OK));
        ck_assert(!reach_allows(&(struct stat){.st_mode = S_IFREG | 0600}, USER_UID, USER_UID, R_OK));
}
END_TEST

#define DROPIN STALE_DROPIN_PATH

START_TEST(archys_drop_in_is_known_by_its_whole_text) {
        ck_assert(containers_conf_is_archys(ARCHY_DROPIN, strlen(ARCHY_DROPIN)));
        static const char other_app[] =
                HDR("bitcoin-knots") "[containers]\nhost_containers_internal_ip = \"10.89.0.1\"\n";
        ck_assert(containers_conf_is_archys(other_app, strlen(other_app)));
        static const char *const foreign[] = {
                ARCHY_DROPIN "# mine\n",
                HDR("node") "[containers]\nhost_containers_internal_ip = \"192.168.1.1\"\n",
                HDR("node") "[containers]\n",
                HDR("../x") "[containers]\nhost_containers_internal_ip = \"10.89.0.1\"\n",
                "[containers]\nhost_containers_internal_ip = \"10.89.0.1\"\n",
                "# Written by archy-derive for app ",
                "",
        };
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                ck_assert_msg(!containers_conf_is_archys(foreign[i], strlen(foreign[i])), "%s", foreign[i]);
        ck_assert(!containers_conf_is_archys(ARCHY_DROPIN, strlen(ARCHY_DROPIN) - 1));
}
END_TEST

START_TEST(the_stale_drop_in_goes_only_when_it_is_archys) {
        tmproot_put(DROPIN, ARCHY_DROPIN, 0644);
        ck_assert_int_eq(stale_dropin_remove(tmproot, true), 1); /* --check: reported, kept */
        ck_assert(tmproot_present(DROPIN));
        ck_assert_int_eq(stale_dropin_remove(tmproot, false), 1);
        ck_assert(!tmproot_present(DROPIN));
        ck_assert(tmproot_present("/etc/containers/containers.conf.d"));
        ck_assert_int_eq(stale_dropin_remove(tmproot, false), 0); /* nothing left to do */
        /* the administrator's own file at that path, or archy's with a line added: left alone */
        tmproot_put(DROPIN, ARCHY_DROPIN "[engine]\nevents_logger = \"file\"\n", 0644);
        ck_assert_int_eq(stale_dropin_remove(tmproot, false), 0);
        ck_assert(tmproot_present(DROPIN));
        ck_assert_int_eq(unlink(tmproot_at(DROPIN)), 0);
        /* a link to archy's content elsewhere is not followed, nor removed */
        tmproot_put("/etc/other.conf", ARCHY_DROPIN, 0644);
        ck_assert_int_eq(symlink(tmproot_at("/etc/other.conf"), tmproot_at(DROPIN)), 0);
        ck_assert_int_eq(stale_dropin_remove(tmproot, false), 0);
        ck_assert(S_ISLNK(tmproot_lstat(DROPIN).st_mode));
        ck_assert(tmproot_present("/etc/other.conf"));
        /* another file of the directory is never looked at */
        ck_assert_int_eq(unlink(tmproot_at(DROPIN)), 0);
        tmproot_put("/etc/containers/containers.conf.d/10-archipelago.conf", ARCHY_DROPIN, 0644);
        ck_assert_int_eq(stale_dropin_remove(tmproot, false), 0);
        ck_assert(tmproot_present("/etc/containers/containers.conf.d/10-archipelago.conf"));
}
END_TEST

static const char binds[] = "version: 1\n"
                            "node: {mode: rootless}\n"
                            "apps:\n"
                            "  electrs:\n"
                            "    containers:\n"
                            "      main:\n"
                            "        image: localhost/e:1\n"
                            "        volumes:\n"
                            "          - {source: /srv/electrs/config, target: /config, create: {owner: \"1000:1000\", "
                            "mode: \"0750\"}}\n"
                            "          - {source: /srv/electrs/plain, target: /plain, create: {}}\n"
                            "          - {source: /srv/electrs/manual, target: /manual}\n"
                            "  gone:\n"
                            "    state: uninstalled\n"
                            "    containers:\n"
                            "      main:\n"
                            "        image: localhost/g:1\n"
                            "        volumes: [{source: /srv/gone, target: /g, create: {}}]\n";

START_TEST(bind_sources_are_created_with_the_mapped_owner) {
        struct manifest *m = load(binds);
        ck_assert_int_eq(mkdir_p(tmproot_at("/srv/electrs"), 0755), 0);
        ck_assert_int_eq(bind_sources_ensure_all(m, &apps, tmproot, NULL, true), 1); /* --check: missing, none made */
        ck_assert(!tmproot_present("/srv/electrs/config"));
        ck_assert_int_eq(bind_sources_ensure_all(m, &rootful, tmproot, NULL, false), 0); /* rootful: the units' job */
        ck_assert(!tmproot_present("/srv/electrs/config"));
        ck_assert_int_eq(bind_sources_ensure_all(m, &apps, tmproot, NULL, false), 0);
        struct stat st = tmproot_lstat("/srv/electrs/config");
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0750);
        ck_assert_uint_eq(st.st_uid, SUB_START + 999);
        ck_assert_uint_eq(st.st_gid, SUB_START + 999);
        st = tmproot_lstat("/srv/electrs/plain"); /* create: {} is 0:0, the apps user */
        ck_assert_uint_eq(st.st_uid, USER_UID);
        ck_assert_uint_eq(st.st_gid, USER_UID);
        ck_assert(!tmproot_present("/srv/electrs/manual")); /* no create: not archy's to make */
        ck_assert(!tmproot_present("/srv/gone"));           /* an uninstalled app's */
        /* an existing one is left exactly as it is */
        ck_assert_int_eq(chown(tmproot_at("/srv/electrs/config"), 0, 0), 0);
        ck_assert_int_eq(bind_sources_ensure_all(m, &apps, tmproot, NULL, false), 0);
        ck_assert_uint_eq(tmproot_lstat("/srv/electrs/config").st_uid, 0);
        ck_assert_int_eq(bind_sources_ensure_all(m, &apps, tmproot, NULL, true), 0);
        manifest_free(m);
        /* an owner the user cannot map: refused, nothing made */
        m = load("version: 1\nnode: {mode: rootless}\napps:\n  a:\n    containers:\n      main:\n        image: "
                 "localhost/a:1\n        volumes: [{source: /srv/a, target: /a, create: {owner: \"0:70000\"}}]\n");
        ck_assert_int_eq(bind_sources_ensure_all(m, &apps, tmproot, NULL, false), -EIO);
        ck_assert(!tmproot_present("/srv/a"));
        manifest_free(m);
}
END_TEST

/* node_user_lookup() on a real user (the one running the tests) with its ranges from test files. */
START_TEST(the_apps_user_and_its_ranges_are_looked_up) {
        struct passwd *pw = getpwuid(getuid());
        ck_assert_ptr_nonnull(pw);
        char line[256];
        snprintf(line, sizeof(line), "other:100000:65536\n%s:%d:%d\n", pw->pw_name, SUB_START, SUB_COUNT);
        tmproot_put("/subuid", line, 0644);
        snprintf(line, sizeof(line), "%s:%d:%d\n", pw->pw_name, SUB_START + SUB_COUNT, 1000);
        tmproot_put("/subgid", line, 0644);
        setenv("ARCHY_SUBUID_FILE", tmproot_at("/subuid"), 1);
        setenv("ARCHY_SUBGID_FILE", tmproot_at("/subgid"), 1);
        struct node_settings node = {.mode = NODE_ROOTLESS, .user = pw->pw_name};
        struct node_user u;
        ck_assert_int_eq(node_user_lookup(&node, &u), 0);
        ck_assert_uint_eq(u.uid, pw->pw_uid);
        ck_assert_uint_eq(u.subuid.start, SUB_START);
        ck_assert_uint_eq(u.subgid.count, 1000);
        uid_t uid;
        gid_t gid;
        ck_assert_int_eq(derived_host_owner(&u, DERIVED_ENV, 0, 1000, &uid, &gid), 0);
        ck_assert_uint_eq(uid, pw->pw_uid);
        ck_assert_uint_eq(gid, SUB_START + SUB_COUNT + 999);
        ck_assert_int_eq(derived_host_owner(&u, DERIVED_ENV, 0, 1001, &uid, &gid), -ERANGE);
        unsetenv("ARCHY_SUBUID_FILE");
        unsetenv("ARCHY_SUBGID_FILE");
}
END_TEST

Suite *derive_rootless_suite(void) {
        Suite *s = suite_create("derive-rootless");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, owners_map_by_kind);
        tcase_add_test(tc, rootless_files_get_the_mapped_owner_and_a_switch_reowns_them);
        tcase_add_test(tc, an_owner_outside_the_ranges_is_refused_by_name);
        tcase_add_test(tc, the_env_directory_lets_the_apps_user_through);
        tcase_add_test(tc, archys_drop_in_is_known_by_its_whole_text);
        tcase_add_test(tc, the_stale_drop_in_goes_only_when_it_is_archys);
        tcase_add_test(tc, bind_sources_are_created_with_the_mapped_owner);
        tcase_add_test(tc, the_apps_user_and_its_ranges_are_looked_up);
        suite_add_tcase(s, tc);
        return s;
}
