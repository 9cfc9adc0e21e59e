/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-parse-node.h"

#include <string.h>

#include "values.h"

static const char *const node_keys[] = {"mode", "user", NULL};
static const char *const mode_names[] = {"rootful", "rootless", NULL};

const char *node_mode_to_string(enum node_mode m) {
        return m < _NODE_MODE_MAX ? mode_names[m] : NULL;
}

bool node_user_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > NODE_USER_MAX || strcmp(s, "root") == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')))
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool parse_user(const struct yctx *c, const yaml_node_t *n, struct manifest *m) {
        const char *s = yexpect_text(c, n, "node.user");
        if (!s)
                return false;
        if (!node_user_valid(s)) {
                char shown[96];
                yerror(c, n,
                       "node.user: expected a user name ([a-z_][a-z0-9_-]*, at most %d characters, not root), got "
                       "\"%s\"",
                       NODE_USER_MAX, value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        m->node.user = s;
        return true;
}

bool parse_node(const struct yctx *c, const yaml_node_t *n, struct manifest *m) {
        m->node.pos = ypos(n);
        if (!yexpect_mapping(c, n, "node"))
                return false;
        bool ok = ycheck_keys(c, n, "node", node_keys);
        const yaml_node_t *mode = ylookup(c, n, "mode"), *user = ylookup(c, n, "user");
        size_t i = NODE_ROOTFUL;
        if (mode && yexpect_choice(c, mode, "node.mode", mode_names, &i))
                m->node.mode = (enum node_mode)i;
        else if (mode)
                ok = false;
        if (user && m->node.mode != NODE_ROOTLESS) {
                yerror(c, user,
                       "node.user: only a rootless node has an apps user; expected node.mode: rootless "
                       "with it, or no node.user");
                return false;
        }
        if (user)
                ok = parse_user(c, user, m) && ok;
        else if (m->node.mode == NODE_ROOTLESS)
                m->node.user = NODE_DEFAULT_USER;
        return ok;
}
