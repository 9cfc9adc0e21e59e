/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: the helpers' counters archyctl status reads (its metrics: archyctl(8), METRICS), through
 * the helpers' own parsers. */
#include <errno.h>
#include <stdlib.h>

#include "derive-state.h"
#include "repair-state.h"
#include "status.h"

int status_parse_derive_state(struct status *s, const char *text, size_t len) {
        struct derive_state st;
        int r = derive_state_parse(text, len, &st);
        struct status_drift *d = r >= 0 && st.n_files ? calloc(st.n_files, sizeof *d) : NULL;
        if (r >= 0 && st.n_files && !d)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < st.n_files; i++)
                d[i] = (struct status_drift){.app = status_strdup(s, st.files[i].app),
                                             .file = status_strdup(s, st.files[i].path),
                                             .found = st.files[i].found,
                                             .repaired = st.files[i].repaired};
        if (r >= 0) {
                s->drift = d;
                s->n_drift = st.n_files;
        }
        derive_state_done(&st);
        s->oom |= r == -ENOMEM;
        return r < 0 ? r : s->oom ? -ENOMEM : 0;
}

int status_parse_repair_state(struct status *s, const char *text) {
        struct repair_state st;
        int r = repair_state_parse(text, &st);
        if (r >= 0) {
                s->podman.repairs_known = true;
                s->podman.repairs_total = st.repairs_total;
        }
        repair_state_done(&st);
        s->oom |= r == -ENOMEM;
        return r < 0 ? r : 0;
}
