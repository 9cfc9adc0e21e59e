/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "naming.h"

#include <errno.h>
#include <string.h>

#define ARCHY_NAME_PREFIX "archy-"

void naming_put_unit(struct strbuf *out, const char *app, const char *part) {
        strbuf_printf(out, ARCHY_NAME_PREFIX "%s", app);
        if (strcmp(part, ARCHY_MAIN_PART) != 0)
                strbuf_printf(out, "-%s", part);
}

void naming_put_service(struct strbuf *out, const char *unit) {
        strbuf_printf(out, "%s.service", unit);
}

void naming_put_app_service(struct strbuf *out, const char *app) {
        naming_put_unit(out, app, ARCHY_MAIN_PART);
        strbuf_puts(out, ".service");
}

void naming_put_volume(struct strbuf *out, const char *app, const char *volume) {
        strbuf_printf(out, ARCHY_NAME_PREFIX "%s-%s", app, volume);
}

void naming_put_volume_file(struct strbuf *out, const char *app, const char *volume) {
        naming_put_volume(out, app, volume);
        strbuf_puts(out, ".volume");
}

void naming_put_volume_service(struct strbuf *out, const char *app, const char *volume) {
        naming_put_volume(out, app, volume);
        strbuf_puts(out, "-volume.service");
}

void naming_put_label_app(struct strbuf *out, const char *app) {
        strbuf_printf(out, ARCHY_LABEL_APP "=%s", app);
}

static int steal(struct strbuf *sb, char **ret) {
        *ret = strbuf_steal(sb);
        return *ret ? 0 : -ENOMEM;
}

int naming_unit(const char *app, const char *part, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_unit(&sb, app, part);
        return steal(&sb, ret);
}

int naming_service(const char *unit, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_service(&sb, unit);
        return steal(&sb, ret);
}

int naming_volume(const char *app, const char *volume, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_volume(&sb, app, volume);
        return steal(&sb, ret);
}

int naming_volume_file(const char *app, const char *volume, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_volume_file(&sb, app, volume);
        return steal(&sb, ret);
}

int naming_volume_service(const char *app, const char *volume, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_volume_service(&sb, app, volume);
        return steal(&sb, ret);
}

int naming_label_app(const char *app, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        naming_put_label_app(&sb, app);
        return steal(&sb, ret);
}
