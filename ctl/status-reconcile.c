/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: archy-reconcile's state file into archyctl status's model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile-state.h"
#include "status.h"

int status_parse_reconcile(struct status *s, const char *text, size_t len) {
        struct reconcile_state st;
        int r = reconcile_state_parse(text, len, &st, NULL);
        if (r < 0) {
                reconcile_state_done(&st);
                return r;
        }
        s->reconcile.known = true;
        s->reconcile.last_full_scan = st.last_full_scan;
        for (size_t i = 0; i < s->n_apps; i++) {
                struct status_app *a = &s->apps[i];
                const struct reconcile_app_state *e = reconcile_state_find(&st, a->name);
                if (!e)
                        continue;
                a->reconcile.restarts = e->restarts;
                a->reconcile.next_retry = e->streak > 0 ? e->next_retry : 0;
                a->reconcile.last_reason = status_strdup(s, e->last_reason);
        }
        reconcile_state_done(&st);
        return 0;
}
