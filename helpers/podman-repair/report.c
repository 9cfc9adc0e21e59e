/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report.h"

#include <string.h>
#include <time.h>

#include "macro.h"
#include "strbuf.h"

static const char *const result_names[] = {
        [RESULT_HEALTHY] = "healthy", [RESULT_UNHEALTHY] = "unhealthy",      [RESULT_REPAIRED] = "repaired",
        [RESULT_FAILED] = "failed",   [RESULT_REPORTED] = "needs-attention", [RESULT_GAVE_UP] = "gave-up",
};

const char *repair_result_to_string(enum repair_result r) {
        return r < _RESULT_MAX ? result_names[r] : NULL;
}

int report_exit_status(enum repair_result r) {
        switch (r) {
        case RESULT_HEALTHY: return 0;
        case RESULT_UNHEALTHY: return EXIT_REPAIR_UNHEALTHY;
        case RESULT_REPAIRED: return EXIT_REPAIR_REPAIRED;
        case RESULT_GAVE_UP: return EXIT_REPAIR_GAVE_UP;
        default: return EXIT_REPAIR_FAILED;
        }
}

static void iso_time(long long when, char buf[32]) {
        time_t t = (time_t)when;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, 32, "%lld", when);
}

static void json_field(struct strbuf *sb, const char *key, const char *value, size_t len) {
        strbuf_printf(sb, ",\n  \"%s\": ", key);
        if (value)
                strbuf_json_string(sb, value, len);
        else
                strbuf_puts(sb, "null");
}

static void json_cstr(struct strbuf *sb, const char *key, const char *value) {
        json_field(sb, key, value, value ? strlen(value) : 0);
}

char *report_status_json(const struct repair_report *r) {
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        char when[32];
        iso_time(r->when, when);
        strbuf_printf(&sb, "{\n  \"result\": \"%s\"", repair_result_to_string(r->result));
        strbuf_printf(&sb, ",\n  \"healthy\": %s", r->after == PODMAN_HEALTHY ? "true" : "false");
        json_cstr(&sb, "found", podman_state_to_string(r->found));
        json_field(&sb, "evidence", r->evidence, r->evidence_len);
        json_cstr(&sb, "state_now", podman_state_to_string(r->after));
        json_field(&sb, "evidence_now", r->evidence_after, r->evidence_after_len);
        strbuf_puts(&sb, ",\n  \"steps\": [");
        for (size_t i = 0; i < r->n_steps; i++)
                strbuf_printf(&sb, "%s{\"step\": \"%s\", \"ok\": %s}", i ? ", " : "",
                              repair_step_to_string(r->steps[i]), r->step_ok[i] ? "true" : "false");
        strbuf_puts(&sb, "]");
        json_cstr(&sb, "moved_aside", r->moved_aside);
        strbuf_printf(&sb,
                      ",\n  \"units_stopped\": %zu,\n  \"volumes_reregistered\": %zu,\n  \"orphans_removed\": %zu,\n"
                      "  \"processes_killed\": %zu,\n  \"runtime_states_removed\": %zu",
                      r->units_stopped, r->volumes_reregistered, r->orphans_removed, r->processes_killed,
                      r->runtime_states_removed);
        strbuf_printf(&sb, ",\n  \"failed_repairs_in_a_row\": %u", r->failures);
        json_cstr(&sb, "gave_up_reason", r->gave_up_reason);
        json_cstr(&sb, "podman_version", r->podman_version);
        json_cstr(&sb, "mode", r->mode);
        strbuf_printf(&sb, ",\n  \"probe_ms\": %ld", r->probe_ms);
        strbuf_printf(&sb, ",\n  \"checked_at\": \"%s\",\n  \"checked_at_unix\": %lld\n}\n", when, r->when);
        return strbuf_steal(&sb);
}

char *report_summary(const struct repair_report *r) {
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        const char *found = podman_state_to_string(r->found);
        switch (r->result) {
        case RESULT_HEALTHY: strbuf_printf(&sb, "podman healthy (%ld ms)", r->probe_ms); break;
        case RESULT_UNHEALTHY: strbuf_printf(&sb, "podman %s: not repaired (--check)", found); break;
        case RESULT_REPAIRED: strbuf_printf(&sb, "podman was %s, repaired:", found); break;
        case RESULT_FAILED:
                strbuf_printf(&sb, "podman was %s, repair did not help (now %s):", found,
                              podman_state_to_string(r->after));
                break;
        case RESULT_REPORTED: strbuf_printf(&sb, "podman %s: needs a person, nothing changed", found); break;
        default:
                strbuf_printf(&sb, "podman %s: NOT repaired, %s", found,
                              r->gave_up_reason ? r->gave_up_reason : "rate limit");
                break;
        }
        for (size_t i = 0; i < r->n_steps; i++)
                strbuf_printf(&sb, " %s%s", repair_step_to_string(r->steps[i]), r->step_ok[i] ? "" : "(failed)");
        if (r->moved_aside)
                strbuf_printf(&sb, "; database kept as %s", r->moved_aside);
        if (r->evidence && r->result != RESULT_HEALTHY) {
                /* The evidence may be all of podman's stderr: its lines and tabs become spaces. */
                strbuf_puts(&sb, " [");
                for (size_t i = 0; i < r->evidence_len && i < 200; i++) {
                        unsigned char c = (unsigned char)r->evidence[i];
                        strbuf_putc(&sb, c < 0x20 || c == 0x7f ? ' ' : (char)c);
                }
                strbuf_putc(&sb, ']');
        }
        return strbuf_steal(&sb);
}
