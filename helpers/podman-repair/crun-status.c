/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "crun-status.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "json-doc.h"

int crun_status_parse(const char *text, size_t len, struct crun_status *ret) {
        *ret = (struct crun_status){0};
        yaml_document_t doc;
        int r = json_doc_load(text, len, &doc);
        if (r < 0)
                return r;
        unsigned long long pid = 0;
        if (!json_unsigned_member(&doc, NULL, "pid", INT_MAX, &pid) || pid == 0)
                r = -EINVAL;
        ret->pid = (long long)pid;
        ret->has_start_time = json_unsigned_member(&doc, NULL, "process-start-time", ULLONG_MAX, &ret->start_time);
        const char *bundle = json_string_member(&doc, NULL, "bundle");
        if (r == 0 && bundle && !(ret->bundle = strdup(bundle)))
                r = -ENOMEM;
        yaml_document_delete(&doc);
        if (r < 0)
                crun_status_done(ret);
        return r;
}

void crun_status_done(struct crun_status *s) {
        free(s->bundle);
        s->bundle = NULL;
}

static bool podman_id(const char *id) {
        if (strlen(id) != 64)
                return false;
        return strspn(id, "0123456789abcdef") == 64;
}

bool crun_state_is_podmans(const char *id, const struct crun_status *s) {
        if (!podman_id(id) || !s->bundle)
                return false;
        /* ".../overlay-containers/ID/userdata" (vfs: vfs-containers) */
        static const char suffix[] = "/userdata";
        size_t n = strlen(s->bundle), tail = 64 + sizeof(suffix) - 1;
        if (n < tail + sizeof("/x-containers") - 1)
                return false;
        const char *at = s->bundle + n - tail;
        if (strncmp(at, id, 64) != 0 || strcmp(at + 64, suffix) != 0)
                return false;
        static const char dir[] = "-containers/";
        return strncmp(at - (sizeof(dir) - 1), dir, sizeof(dir) - 1) == 0 && at - (sizeof(dir) - 1) > s->bundle + 1;
}
