/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "commands.h"
#include "log.h"
#include "message-ids.h"
#include "plan-render.h"
#include "strbuf.h"

static void json_str(struct strbuf *sb, const char *s) {
        strbuf_json_string(sb, s ? s : "", s ? strlen(s) : 0);
}

static void emit(struct strbuf *sb) {
        if (!strbuf_failed(sb))
                printf("%s\n", strbuf_str(sb));
        fflush(stdout);
        strbuf_free(sb);
}

void print_plan(const struct apply_settings *s, const char *file, const struct plan *p) {
        struct strbuf sb = STRBUF_INIT, rendered = STRBUF_INIT;
        if (s->json) {
                /* The plan's own object, flattened into the event. */
                plan_render_json(p, &rendered);
                strbuf_puts(&sb, "{\"event\":\"plan\",\"file\":");
                json_str(&sb, file);
                strbuf_puts(&sb, ",\"installed\":");
                json_str(&sb, s->manifest_path);
                strbuf_putc(&sb, ',');
                if (!strbuf_failed(&rendered))
                        strbuf_puts(&sb, strbuf_str(&rendered) + 1);
                emit(&sb);
        } else {
                plan_render_text(p, &rendered);
                printf("plan: %s over the installed %s\n%s", file, s->manifest_path,
                       strbuf_failed(&rendered) ? "" : strbuf_str(&rendered));
                fflush(stdout);
                strbuf_free(&sb);
        }
        strbuf_free(&rendered);
}

void print_step(const struct apply_settings *s, enum apply_phase phase, bool rollback) {
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_printf(&sb, "{\"event\":\"step\",\"phase\":\"%s\"%s}", apply_phase_to_string(phase),
                              rollback ? ",\"rollback\":true" : "");
                emit(&sb);
                return;
        }
        printf("%s%s\n", rollback ? "rollback " : "", apply_phase_to_string(phase));
        fflush(stdout);
}

void print_pull(const struct apply_settings *s, const struct plan_image *it, const char *state, const char *detail) {
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_puts(&sb, "{\"event\":\"image\",\"app\":");
                json_str(&sb, it->app);
                strbuf_puts(&sb, ",\"container\":");
                json_str(&sb, it->part);
                strbuf_puts(&sb, ",\"image\":");
                json_str(&sb, it->image);
                strbuf_puts(&sb, ",\"state\":");
                json_str(&sb, state);
                strbuf_puts(&sb, ",\"detail\":");
                json_str(&sb, detail);
                strbuf_putc(&sb, '}');
                emit(&sb);
                return;
        }
        printf("image: %s/%s %s %s%s%s\n", it->app, it->part, it->image, state, detail ? ": " : "",
               detail ? detail : "");
        fflush(stdout);
}

void print_rollback(const struct apply_settings *s, const struct plan_image *it, const char *reason) {
        bool journaled = log_journal_record(LOG_LVL_WARNING, ARCHY_MID_APPLY_ROLLED_BACK, it->app,
                                            "archyctl apply: rolling %s/%s back from %s to %s: %s", it->app, it->part,
                                            it->image, it->old_image, reason);
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_puts(&sb, "{\"event\":\"rollback\",\"app\":");
                json_str(&sb, it->app);
                strbuf_puts(&sb, ",\"container\":");
                json_str(&sb, it->part);
                strbuf_puts(&sb, ",\"from\":");
                json_str(&sb, it->image);
                strbuf_puts(&sb, ",\"to\":");
                json_str(&sb, it->old_image);
                strbuf_puts(&sb, ",\"reason\":");
                json_str(&sb, reason);
                strbuf_putc(&sb, '}');
                emit(&sb);
                return;
        }
        if (!journaled || !log_fd_is_journal(STDERR_FILENO))
                fprintf(stderr, "archyctl apply: rolling %s/%s back from %s to %s: %s\n", it->app, it->part, it->image,
                        it->old_image, reason);
        printf("rollback: %s/%s %s -> %s\n", it->app, it->part, it->image, it->old_image);
        fflush(stdout);
}

static void app_json(const struct app_progress *a) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "{\"event\":\"app\",\"app\":");
        json_str(&sb, a->name);
        strbuf_puts(&sb, ",\"state\":");
        json_str(&sb, a->state);
        strbuf_puts(&sb, ",\"detail\":");
        json_str(&sb, a->detail);
        strbuf_putc(&sb, '}');
        emit(&sb);
}

static void app_line(const struct app_progress *a, bool tty) {
        printf("%s  %-24s %-8s %s\n", tty ? "\r\033[K" : "", a->name, a->state, a->detail);
}

/* Not on a terminal (and in JSON): a line per app when its state changed; on a terminal the
 * block of lines is redrawn in place. */
void print_progress(const struct apply_settings *s, struct app_progress *apps, size_t n, bool redraw, bool changed) {
        static const char *shown[256];
        if (!s->tty || s->json) {
                for (size_t i = 0; i < n; i++) {
                        bool again = i < 256 && shown[i] == apps[i].state;
                        if (again && redraw)
                                continue;
                        if (i < 256)
                                shown[i] = apps[i].state;
                        if (s->json)
                                app_json(&apps[i]);
                        else
                                app_line(&apps[i], false);
                }
                fflush(stdout);
                return;
        }
        if (redraw && n > 0)
                printf("\033[%zuA", n);
        for (size_t i = 0; i < n; i++)
                app_line(&apps[i], true);
        (void)changed;
        fflush(stdout);
}

/* The outcome in the journal (MESSAGE_ID=APPLY_CONVERGED or APPLY_FAILED), and each app that
 * did not get up (APPLY_FAILED, ARCHY_APP=): true when journald took them. */
static bool journal_result(int status, const struct app_progress *apps, size_t n) {
        bool ok = true;
        for (size_t i = 0; i < n; i++)
                if (strcmp(apps[i].state, "timeout") == 0)
                        ok &= log_journal_record(LOG_LVL_ERR, ARCHY_MID_APPLY_FAILED, apps[i].name,
                                                 "archyctl apply: %s did not get running and healthy in time: %s",
                                                 apps[i].name, apps[i].detail);
        if (status == CTL_EXIT_OK)
                return log_journal_record(LOG_LVL_NOTICE, ARCHY_MID_APPLY_CONVERGED, NULL,
                                          "archyctl apply: converged") &&
                       ok;
        return log_journal_record(LOG_LVL_ERR, ARCHY_MID_APPLY_FAILED, NULL, "archyctl apply: %s (exit status %d)",
                                  status == CTL_EXIT_ROLLED_BACK ? "rolled back" : "not converged", status) &&
               ok;
}

void print_result(const struct apply_settings *s, int status, const struct app_progress *apps, size_t n) {
        bool journaled = journal_result(status, apps, n);
        if (s->json) {
                struct strbuf sb = STRBUF_INIT;
                strbuf_printf(&sb, "{\"event\":\"result\",\"converged\":%s,\"exit\":%d,\"not_converged\":[",
                              status == CTL_EXIT_OK ? "true" : "false", status);
                bool first = true;
                for (size_t i = 0; i < n; i++)
                        if (strcmp(apps[i].state, "timeout") == 0) {
                                strbuf_puts(&sb, first ? "{\"app\":" : ",{\"app\":");
                                json_str(&sb, apps[i].name);
                                strbuf_puts(&sb, ",\"detail\":");
                                json_str(&sb, apps[i].detail);
                                strbuf_putc(&sb, '}');
                                first = false;
                        }
                strbuf_puts(&sb, "],\"rolled_back\":[");
                first = true;
                for (size_t i = 0; i < n; i++)
                        if (strcmp(apps[i].state, "rolled-back") == 0) {
                                strbuf_puts(&sb, first ? "" : ",");
                                json_str(&sb, apps[i].name);
                                first = false;
                        }
                strbuf_puts(&sb, "]}");
                emit(&sb);
                return;
        }
        for (size_t i = 0; i < n && !(journaled && log_fd_is_journal(STDERR_FILENO)); i++)
                if (strcmp(apps[i].state, "timeout") == 0)
                        fprintf(stderr, "archyctl apply: %s did not get running and healthy in time: %s\n",
                                apps[i].name, apps[i].detail);
                else if (strcmp(apps[i].state, "rolled-back") == 0)
                        fprintf(stderr, "archyctl apply: %s was rolled back to its previous image\n", apps[i].name);
        printf("%s\n", status == CTL_EXIT_OK            ? "done: converged"
                       : status == CTL_EXIT_ROLLED_BACK ? "done: rolled back"
                                                        : "done: not converged");
        fflush(stdout);
}
