/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "render-order.h"

#include <string.h>

#include "naming.h"
#include "quadlet-render.h"

/* With no depends_on anywhere in the app, its companions keep the order archy always gave them:
 * after the app's main container. With depends_on, the order is exactly what the manifest says. */
static bool app_has_depends_on(const struct app *a) {
        for (size_t i = 0; i < a->n_containers; i++)
                if (a->containers[i].n_depends_on > 0)
                        return true;
        return false;
}

static const char *unit_of_part(const struct app *a, const char *part) {
        const struct container *ct = app_find_container(a, part);
        return ct ? ct->unit : NULL;
}

void render_order_unit(const struct app *a, const struct container *ct, struct strbuf *out) {
        /* Between apps Wants=, not Requires=: systemd 257 passes a restart of a required unit on to
         * every unit that Requires= (or BindsTo=, PartOf=, Requisite=) it, and turns it into a stop
         * for StopPropagatedFrom=. Wants= + After= pull the required app in and wait for it (for its
         * health check with Notify=healthy); render_order_stop() passes on its explicit stops. */
        for (size_t r = 0; r < a->n_requires; r++)
                for (size_t k = 0; k < 2; k++) {
                        strbuf_puts(out, k == 0 ? "Wants=" : "After=");
                        naming_put_app_service(out, a->requires[r]);
                        strbuf_putc(out, '\n');
                }
        /* Within an app Requires=: a part whose dependency failed (an init part that exited
         * non-zero) is not started, and a restart of a database restarts the app that uses it. */
        for (size_t d = 0; d < ct->n_depends_on; d++) {
                const char *unit = unit_of_part(a, ct->depends_on[d].part);
                if (!unit)
                        continue;
                for (size_t k = 0; k < 2; k++) {
                        strbuf_puts(out, k == 0 ? "Requires=" : "After=");
                        naming_put_service(out, unit);
                        strbuf_putc(out, '\n');
                }
        }
        if (strcmp(ct->part, ARCHY_MAIN_PART) != 0 && !app_has_depends_on(a)) {
                strbuf_puts(out, "After=");
                naming_put_app_service(out, a->name);
                strbuf_putc(out, '\n');
        }
}

void render_order_container(const struct container *ct, struct strbuf *out) {
        if (ct->notify_healthy)
                strbuf_puts(out, "Notify=healthy\n");
}

void render_order_restart(const struct container *ct, struct strbuf *out) {
        if (ct->oneshot) {
                /* Quadlet 5.4 runs podman in the foreground for Type=oneshot: the unit is active
                 * (RemainAfterExit=) once the container exited 0, failed otherwise. */
                strbuf_puts(out, "Type=oneshot\nRemainAfterExit=yes\nRestart=no\n");
                return;
        }
        strbuf_printf(out, "Restart=always\nRestartSec=%u\nRestartSteps=%u\nRestartMaxDelaySec=%u\n", ARCHY_RESTART_SEC,
                      ARCHY_RESTART_STEPS, ARCHY_RESTART_MAX_DELAY_SEC);
}

/* The units of the apps that require `a` and get units. */
static void append_dependent_units(const struct app *a, struct strbuf *out) {
        for (size_t i = 0; i < a->n_required_by; i++) {
                const struct app *d = a->required_by[i];
                if (d->skip || d->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < d->n_containers; c++) {
                        strbuf_putc(out, ' ');
                        naming_put_service(out, d->containers[c].unit);
                }
        }
}

void render_order_stop(const struct manifest *m, const struct app *a, const struct container *ct, struct strbuf *out) {
        if (strcmp(ct->part, ARCHY_MAIN_PART) != 0)
                return;
        _cleanup_strbuf_ struct strbuf units = STRBUF_INIT;
        append_dependent_units(a, &units);
        if (strbuf_failed(&units))
                out->oom = true;
        if (units.len == 0)
                return;
        /* Only while a stop job runs for this unit, not a restart job (nor a crash: no job). A
         * rootless node's units are the user manager's: systemctl --user reaches it. */
        const char *sc = m->node.mode == NODE_ROOTLESS ? "systemctl --user" : "systemctl";
        strbuf_printf(out,
                      "ExecStopPost=-/bin/sh -c '%s list-jobs --no-legend --plain \"$$0\" | grep -q \" stop \" "
                      "|| exit 0; exec %s stop --no-block \"$$@\"' %%n%s\n",
                      sc, sc, strbuf_str(&units));
}
