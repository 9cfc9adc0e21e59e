/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: the files archyctl status reads, text in, model fields out (status.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ota-state.h"
#include "parse-number.h"
#include "json-doc.h"
#include "status.h"

/* ---- podman's health log ------------------------------------------------------------------ */

/* libpod/healthcheck.go (podman v5.4) writes json.Marshal(define.HealthCheckResults): Go encodes a
 * struct's fields in their declared order, Status, FailingStreak, Log, so the file starts
 * {"Status":"healthy","FailingStreak":0,... Nothing after FailingStreak is read. */
int status_parse_health_log(const char *text, size_t len, enum status_health *ret, unsigned *failing_streak) {
        static const char head[] = "{\"Status\":\"", streak[] = "\",\"FailingStreak\":";
        static const struct {
                const char *name;
                enum status_health health;
        } states[] = {{"healthy", HEALTH_HEALTHY}, {"unhealthy", HEALTH_UNHEALTHY}, {"starting", HEALTH_STARTING}};
        if (len < sizeof head - 1 || memcmp(text, head, sizeof head - 1) != 0)
                return -EINVAL;
        const char *p = text + sizeof head - 1, *end = text + len;
        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
                size_t n = strlen(states[i].name);
                if ((size_t)(end - p) < n + sizeof streak - 1 || memcmp(p, states[i].name, n) != 0 ||
                    memcmp(p + n, streak, sizeof streak - 1) != 0)
                        continue;
                const char *d = p + n + sizeof streak - 1, *e = d;
                while (e < end && *e >= '0' && *e <= '9')
                        e++;
                unsigned long long v;
                if (e == end || parse_decimal(d, (size_t)(e - d), UINT_MAX, &v) < 0)
                        return -EINVAL;
                *ret = states[i].health;
                *failing_streak = (unsigned)v;
                return 0;
        }
        return -EINVAL;
}

/* ---- archy-podman-repair's status file ---------------------------------------------------- */

static int podman_fields(struct status *s, yaml_document_t *doc) {
        struct status_podman *p = &s->podman;
        const char *result = json_string_member(doc, NULL, "result");
        yaml_node_t *healthy = json_member(doc, NULL, "healthy");
        unsigned long long failures, at;
        if (!result || !healthy || healthy->type != YAML_SCALAR_NODE ||
            !json_unsigned_member(doc, NULL, "failed_repairs_in_a_row", UINT_MAX, &failures) ||
            !json_unsigned_member(doc, NULL, "checked_at_unix", LLONG_MAX, &at))
                return -EINVAL;
        p->result = status_strdup(s, result);
        p->healthy = strcmp((const char *)healthy->data.scalar.value, "true") == 0;
        p->state_now = status_strdup(s, json_string_member(doc, NULL, "state_now"));
        p->gave_up_reason = status_strdup(s, json_string_member(doc, NULL, "gave_up_reason"));
        p->failed_repairs_in_a_row = (unsigned)failures;
        p->checked_at = (long long)at;
        p->known = true;
        return s->oom ? -ENOMEM : 0;
}

int status_parse_podman(struct status *s, const char *text, size_t len) {
        yaml_document_t doc;
        int r = json_doc_load(text, len, &doc);
        if (r == 0) {
                r = podman_fields(s, &doc);
                yaml_document_delete(&doc);
        }
        if (r == -EINVAL) {
                s->podman.error = status_strdup(s, "the status file is not archy-podman-repair's JSON");
                s->podman.known = false;
        }
        return r;
}

/* ---- archy-verify-ota's state file -------------------------------------------------------- */

int status_parse_ota(struct status *s, const char *text) {
        struct ota_state st;
        int r = ota_state_parse(text, &st);
        if (r == -EINVAL)
                s->ota.error = status_strdup(s, "the state file is damaged (archy-verify-ota refuses it too)");
        if (r < 0)
                return r;
        struct status_ota *o = &s->ota;
        o->known = true;
        o->phase = status_strdup(s, ota_phase_to_string(st.phase));
        o->reason = status_strdup(s, st.reason);
        o->new_version = status_strdup(s, st.new_version);
        o->previous_version = status_strdup(s, st.previous_version);
        o->attempts = st.attempts;
        o->applied_at = st.applied_at;
        o->decided_at = st.decided_at;
        ota_state_done(&st);
        return s->oom ? -ENOMEM : 0;
}

int status_parse_pulling(struct status *s, const char *text, struct status_pull *ret, long long *pid) {
        char part[128], image[512];
        long long since = 0, who = 0;
        int end = 0;
        if (sscanf(text, "%127s %511s %lld %lld%n", part, image, &since, &who, &end) != 4 || since <= 0 || who <= 0 ||
            strcmp(text + end, "\n") != 0)
                return -EINVAL;
        ret->part = status_strdup(s, part);
        ret->image = status_strdup(s, image);
        ret->since = since;
        *pid = who;
        return s->oom ? -ENOMEM : 0;
}
