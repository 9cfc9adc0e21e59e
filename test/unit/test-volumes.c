/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes: named volumes with an owner (User=/Group= of the .volume file), host bind sources
 * archy-derive creates (ExecStartPre= and bind_source_ensure()), and another app's volume mounted
 * read-only by name. Every bad input with its exact message. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind-source.h"
#include "quadlet-render.h"
#include "strbuf.h"
#include "testlib.h"

static const char good[] = "version: 1\n"
                           "apps:\n"
                           "  node:\n"
                           "    volumes:\n"
                           "      chain: {owner: \"1000:1001\"}\n"
                           "      plain: {}\n"
                           "    containers:\n"
                           "      main: {image: localhost/x:1, volumes: [\"chain:/data\", \"plain:/plain\", "
                           "\"other:/other\"]}\n"
                           "  indexer:\n"
                           "    requires: [node]\n"
                           "    containers:\n"
                           "      main:\n"
                           "        image: localhost/x:1\n"
                           "        volumes:\n"
                           "          - {app: node, volume: chain, target: /chain, read_only: true}\n"
                           "          - {source: /srv/indexer, target: /data, create: {owner: \"1000:1000\", mode: "
                           "\"0750\"}}\n"
                           "          - {source: /srv/default, target: /d, create: {}}\n"
                           "          - {source: /srv/ro, target: /ro, read_only: true}\n"
                           "          - {source: own, target: /own}\n";

static struct manifest *load_ok(void) {
        return parse_expecting(good, "");
}

static char *volume_text(const struct manifest *m, const char *app, const char *volume) {
        struct strbuf sb = STRBUF_INIT;
        render_volume(m, manifest_find_app(m, app), volume, &sb);
        return strbuf_steal(&sb);
}

START_TEST(a_volume_with_an_owner_gets_user_and_group) {
        struct manifest *m = load_ok();
        _cleanup_free_ char *chain = volume_text(m, "node", "chain");
        const char *v = strstr(chain, "[Volume]\n");
        ck_assert_ptr_nonnull(v);
        ck_assert_str_eq(v, "[Volume]\nVolumeName=archy-node-chain\nLabel=archy.managed=true\nLabel=archy.app=node\n"
                            "User=1000\nGroup=1001\n");
        /* declared without an owner, or not declared at all: as before */
        _cleanup_free_ char *plain = volume_text(m, "node", "plain");
        _cleanup_free_ char *other = volume_text(m, "node", "other");
        ck_assert_ptr_null(strstr(plain, "User="));
        ck_assert_ptr_null(strstr(other, "User="));
        manifest_free(m);
}
END_TEST

START_TEST(mappings_render_volume_lines_and_bind_source_creation) {
        struct manifest *m = load_ok();
        const struct app *a = manifest_find_app(m, "indexer");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        render_container(m, a, &a->containers[0], &out);
        const char *text = strbuf_str(&out);
        ck_assert_ptr_nonnull(strstr(text, "\nVolume=archy-node-chain.volume:/chain:ro\n"
                                           "Volume=/srv/indexer:/data\nVolume=/srv/default:/d\nVolume=/srv/ro:/ro:ro\n"
                                           "Volume=archy-indexer-own.volume:/own\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nExecStartPre=" ARCHY_SBINDIR "/archy-derive --bind-source /srv/indexer "
                                           "--owner 1000:1000 --mode 0750\n"
                                           "ExecStartPre=" ARCHY_SBINDIR "/archy-derive --bind-source /srv/default "
                                           "--owner 0:0 --mode 0755\n"));
        ck_assert_ptr_null(strstr(text, "--bind-source /srv/ro"));
        /* the other app's volume is not this app's: no .volume file of it here */
        const struct mount *mt = &a->containers[0].mounts[0];
        ck_assert_int_eq(mt->kind, MOUNT_APP_VOLUME);
        ck_assert_str_eq(mt->app, "node");
        ck_assert_uint_eq(mt->pos.line, 15);
        manifest_free(m);
}
END_TEST

static const char bad[] = "version: 1\n"
                          "apps:\n"
                          "  node:\n"
                          "    volumes:\n"
                          "      chain: {owner: \"1000:1000\", mode: \"0750\"}\n"
                          "      spare: {owner: \"1000\"}\n"
                          "      Bad: {}\n"
                          "      unused: {owner: \"0:0\"}\n"
                          "    containers:\n"
                          "      main: {image: localhost/x:1, volumes: [\"chain:/data\", \"spare:/spare\"]}\n"
                          "  m1:\n"
                          "    requires: [node]\n"
                          "    containers:\n"
                          "      main:\n"
                          "        image: localhost/x:1\n"
                          "        volumes:\n"
                          "          - {source: /srv/a, app: node, volume: chain, target: /a}\n"
                          "          - {target: /b}\n"
                          "          - {source: /srv/c}\n"
                          "          - {app: node, target: /d, read_only: true}\n"
                          "          - {app: node, volume: chain, target: /e}\n"
                          "          - {app: node, volume: chain, target: /f, read_only: false}\n"
                          "          - {source: data, target: /g, create: {owner: \"0:0\"}}\n"
                          "          - {source: /srv/h, target: /h, create: {mode: \"0999\"}}\n"
                          "          - {source: /srv/i, target: /, read_only: yes}\n"
                          "          - {source: /srv/j, target: /j, create: {owner: \"x:y\", perms: 1}}\n"
                          "          - {source: ../etc, target: /k}\n"
                          "  m2:\n"
                          "    containers:\n"
                          "      main:\n"
                          "        image: localhost/x:1\n"
                          "        volumes:\n"
                          "          - {app: node, volume: chain, target: /chain, read_only: true}\n"
                          "  m3:\n"
                          "    requires: [node]\n"
                          "    containers:\n"
                          "      main:\n"
                          "        image: localhost/x:1\n"
                          "        volumes:\n"
                          "          - {app: node, volume: blocks, target: /chain, read_only: true}\n"
                          "          - {app: m3, volume: own, target: /own, read_only: true}\n"
                          "          - {app: No, volume: own, target: /no, read_only: true}\n";

START_TEST(bad_volumes_give_exact_errors) {
        struct manifest *m = parse_expecting(
                bad,
                "test.yaml:5:41: apps.node.volumes.chain.mode: podman cannot set the mode of a named volume, expected "
                "only owner (a volume's directory is 0755; an init part (restart: \"no\") can chmod it)\n"
                "test.yaml:6:22: apps.node.volumes.spare.owner: expected UID:GID in numbers, e.g. 1000:1000, got "
                "\"1000\"\n"
                "test.yaml:7:7: apps.node.volumes: expected a volume name matching [a-z][a-z0-9-]{0,47}, got \"Bad\"\n"
                "test.yaml:17:13: apps.m1.containers.main.volumes[0]: expected either source (a volume of this app or "
                "a host path) or app and volume (a volume of another app), not both\n"
                "test.yaml:18:13: apps.m1.containers.main.volumes[1]: expected either source (a volume of this app or "
                "a host path) or app and volume (a volume of another app), found neither\n"
                "test.yaml:19:13: apps.m1.containers.main.volumes[2]: missing required key \"target\" (where the "
                "container sees it)\n"
                "test.yaml:20:13: apps.m1.containers.main.volumes[3]: missing required key \"volume\" (another app's "
                "volume is named by app and volume)\n"
                "test.yaml:21:13: apps.m1.containers.main.volumes[4].read_only: another app's volume is mounted "
                "read-only, expected read_only: true (only its own app writes it)\n"
                "test.yaml:22:63: apps.m1.containers.main.volumes[5].read_only: another app's volume is mounted "
                "read-only, expected read_only: true (only its own app writes it)\n"
                "test.yaml:23:48: apps.m1.containers.main.volumes[6].create: expected a host path as source (podman "
                "creates named volumes itself)\n"
                "test.yaml:24:57: apps.m1.containers.main.volumes[7].create.mode: expected an octal mode from 0400 to "
                "0777, e.g. 0750, got \"0999\"\n"
                "test.yaml:25:38: apps.m1.containers.main.volumes[8].target: expected an absolute, normalized path "
                "other than / of [A-Za-z0-9._/@+-], got \"/\"\n"
                "test.yaml:25:52: apps.m1.containers.main.volumes[8].read_only: expected true or false, got \"yes\"\n"
                "test.yaml:26:65: apps.m1.containers.main.volumes[9].create: unknown key \"perms\", expected one of: "
                "owner, mode\n"
                "test.yaml:26:58: apps.m1.containers.main.volumes[9].create.owner: expected UID:GID in numbers, e.g. "
                "1000:1000, got \"x:y\"\n"
                "test.yaml:27:22: apps.m1.containers.main.volumes[10].source: expected a volume name matching "
                "[a-z][a-z0-9-]{0,47} or an absolute, normalized path other than / of [A-Za-z0-9._/@+-], got "
                "\"../etc\"\n"
                "test.yaml:42:19: apps.m3.containers.main.volumes[2].app: expected an app name matching "
                "[a-z][a-z0-9-]{0,47}, got \"No\"\n"
                "test.yaml:8:15: apps.node.volumes.unused: no container of app node mounts it, expected a volume one "
                "of "
                "its containers lists under volumes\n"
                "test.yaml:33:13: apps.m2.containers.main.volumes: app m2 does not require app \"node\", expected it "
                "in apps.m2.requires (add node there: archy then creates its volume first and checks that it stays "
                "installed)\n"
                "test.yaml:40:13: apps.m3.containers.main.volumes: app node has no volume \"blocks\", expected one its "
                "containers mount: chain, spare\n"
                "test.yaml:41:13: apps.m3.containers.main.volumes: app m3 is this app, expected another app (mount "
                "this app's own volume with source: own)\n");
        manifest_free(m);
}
END_TEST

/* ---- archy-derive --bind-source ---- */

static char root[64];

static void make_root(void) {
        snprintf(root, sizeof(root), "/tmp/archy-bind.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));
        ck_assert_int_eq(chmod(root, 0755), 0);
}

static void remove_root(void) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        ck_assert_int_eq(system(cmd), 0);
}

static struct stat stat_under(const char *path) {
        char full[256];
        struct stat st;
        snprintf(full, sizeof(full), "%s%s", root, path);
        ck_assert_int_eq(lstat(full, &st), 0);
        return st;
}

START_TEST(a_missing_bind_source_is_created_with_its_owner_and_mode) {
        make_root();
        uid_t uid = getuid();
        gid_t gid = getgid();
        ck_assert_int_eq(bind_source_ensure(root, "/srv/app/data", uid, gid, 0750), 0);
        struct stat st = stat_under("/srv/app/data");
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0750);
        ck_assert_uint_eq(st.st_uid, uid);
        ck_assert_uint_eq(stat_under("/srv/app").st_mode & 07777, 0755); /* parents: 0755 */
        /* an existing one is left as it is, and so is what it holds */
        char file[256];
        snprintf(file, sizeof(file), "%s/srv/app/data/f", root);
        int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/app/data", uid, gid, 0700), 0);
        ck_assert_uint_eq(stat_under("/srv/app/data").st_mode & 07777, 0750);
        ck_assert_uint_eq(stat_under("/srv/app/data/f").st_mode & 07777, 0600);
        remove_root();
}
END_TEST

START_TEST(bind_source_refuses_links_files_and_unsafe_parents) {
        make_root();
        char p[256];
        snprintf(p, sizeof(p), "%s/srv", root);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/srv/link", root);
        ck_assert_int_eq(symlink("/etc", p), 0);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/link", 0, 0, 0750), -ELOOP);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/link/below", 0, 0, 0750), -ELOOP);
        snprintf(p, sizeof(p), "%s/srv/file", root);
        int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/file", 0, 0, 0750), -ENOTDIR);
        /* a parent others can write: refused, and nothing is left behind in it */
        snprintf(p, sizeof(p), "%s/srv/open", root);
        ck_assert_int_eq(mkdir(p, 0777), 0);
        ck_assert_int_eq(chmod(p, 0777), 0);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/open/data", getuid(), getgid(), 0750), -EPERM);
        snprintf(p, sizeof(p), "%s/srv/open/data", root);
        ck_assert_int_eq(access(p, F_OK), -1);
        ck_assert_int_eq(bind_source_ensure(root, "/srv/../etc", 0, 0, 0750), -EINVAL);
        ck_assert_int_eq(bind_source_ensure(root, "/", 0, 0, 0750), -EINVAL);
        remove_root();
}
END_TEST

Suite *volumes_suite(void) {
        Suite *s = suite_create("volumes");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, a_volume_with_an_owner_gets_user_and_group);
        tcase_add_test(tc, mappings_render_volume_lines_and_bind_source_creation);
        tcase_add_test(tc, bad_volumes_give_exact_errors);
        tcase_add_test(tc, a_missing_bind_source_is_created_with_its_owner_and_mode);
        tcase_add_test(tc, bind_source_refuses_links_files_and_unsafe_parents);
        suite_add_tcase(s, tc);
        return s;
}
