/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: the probe record (probe-record.h) into archyctl status's model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe-record.h"
#include "status.h"

int status_parse_probes(struct status *s, const char *text, size_t len) {
        struct probe_record r;
        char *why = NULL;
        int k = probe_record_parse(text, len, &r, &why);
        if (k == -EINVAL) {
                if (asprintf(&s->probes_error, "the probe record is damaged: %s", why ? why : "unreadable") < 0) {
                        s->probes_error = NULL;
                        s->oom = true;
                }
                free(why);
                return k;
        }
        if (k < 0) {
                s->oom = true;
                return k;
        }
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_probes; j++) {
                        struct status_probe *p = &s->apps[i].probes[j];
                        const struct probe_outcome *o = probe_record_find(&r, s->apps[i].name, p->name);
                        if (!o || strcmp(probe_kind_to_string(o->kind), p->kind) != 0 ||
                            strcmp(o->target, p->target) != 0)
                                continue; /* not probed since the manifest declared it so */
                        p->checked = true;
                        p->ok = o->ok;
                        free(p->detail);
                        p->detail = status_strdup(s, o->detail);
                        p->duration_ms = o->duration_ms;
                        p->checked_at = o->checked_at;
                }
        probe_record_done(&r);
        return 0;
}
