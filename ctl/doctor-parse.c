/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: archy-reconcile --dry-run --json's lines, text in, findings out (doctor.h). JSON is read
 * as YAML (libyaml), as ctl/status-parse.c reads archy-podman-repair's file.
 * lib/model/json-doc.h is the one reader. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "doctor.h"
#include "json-doc.h"
#include "parse-number.h"
#include "strv.h"

static bool is_root_mapping(yaml_document_t *doc) {
        yaml_node_t *root = yaml_document_get_root_node(doc);
        return root && root->type == YAML_MAPPING_NODE;
}

struct reconcile_lines {
        char ***findings;
        size_t *n_findings;
        int actions;
        long long summary; /* the last line's "actions", -1: not seen */
        const char *error;
};

/* One line: an action (a finding) or the summary. 0, -EINVAL or -ENOMEM. */
static int reconcile_line(struct reconcile_lines *l, yaml_document_t *doc) {
        if (!is_root_mapping(doc))
                return l->error = "a line is not a JSON object", -EINVAL;
        if (l->summary >= 0)
                return l->error = "a line follows the summary", -EINVAL;
        const char *action = json_string_member(doc, NULL, "action");
        if (action) {
                const char *target = json_string_member(doc, NULL, "target"),
                           *app = json_string_member(doc, NULL, "app"),
                           *reason = json_string_member(doc, NULL, "reason");
                if (!target)
                        return l->error = "an action has no \"target\"", -EINVAL;
                char *f = NULL;
                if (asprintf(&f, "%s %s%s%s%s: %s", action, target, app ? " (app " : "", app ? app : "", app ? ")" : "",
                             reason ? reason : "no reason given") < 0)
                        return -ENOMEM;
                if (strv_push(l->findings, l->n_findings, f) < 0)
                        return -ENOMEM;
                l->actions++;
                return 0;
        }
        yaml_node_t *n = json_member(doc, NULL, "actions");
        unsigned long long v;
        if (!json_member(doc, NULL, "result") || !n || n->type != YAML_SCALAR_NODE ||
            n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
            parse_unsigned((const char *)n->data.scalar.value, INT_MAX, &v) < 0)
                return l->error = "a line is neither an action nor the summary {\"result\", \"actions\"}", -EINVAL;
        l->summary = (long long)v;
        return 0;
}

static int parse_one(struct reconcile_lines *l, const char *line, size_t len) {
        yaml_document_t doc;
        int r = json_doc_load(line, len, &doc);
        if (r == -EINVAL)
                return l->error = "a line is not JSON", -EINVAL;
        if (r < 0)
                return r;
        r = reconcile_line(l, &doc);
        yaml_document_delete(&doc);
        return r;
}

int doctor_parse_reconcile(const char *out, char ***findings, size_t *n_findings, const char **error) {
        struct reconcile_lines l = {.findings = findings, .n_findings = n_findings, .summary = -1};
        int r = 0;
        for (const char *p = out ? out : ""; *p && r >= 0;) {
                size_t len = strcspn(p, "\n");
                if (len > 0)
                        r = parse_one(&l, p, len);
                p += len + (p[len] == '\n');
        }
        if (r >= 0 && l.summary < 0)
                r = (l.error = "no summary line {\"result\", \"actions\"}", -EINVAL);
        if (r >= 0 && l.summary != l.actions)
                r = (l.error = "the summary's count of actions differs from the action lines", -EINVAL);
        if (error)
                *error = l.error;
        return r < 0 ? r : l.actions;
}
